package sse

import (
	"log/slog"
	"math/rand/v2"
	"net/http"
	"time"
)

// DefaultIdleTimeout is how long a [Stream] waits, by default, for the next
// byte from the server before it takes the connection for dead and
// reconnects. It is generous, so that a quiet but healthy feed is not cut;
// [WithIdleTimeout] changes it.
const DefaultIdleTimeout = 5 * time.Minute

// An Option configures a [Client].
type Option func(*config)

// Hooks observe a [Stream]'s connections. Each hook runs on the goroutine
// that calls [Stream.Next], and must not block. A nil hook is skipped.
type Hooks struct {
	// OnConnect is called when a response has been accepted as an event
	// stream, before its first event is read.
	OnConnect func(resp *http.Response)
	// OnDisconnect is called once each time a connection attempt fails or
	// a connection ends, with the reason: an error that wraps [io.EOF]
	// (test with [errors.Is]; its message says that the server ended the
	// response cleanly) when the server ended the stream cleanly,
	// [ErrNoContent] when it answered 204. It is not called when the stream
	// is closed, its context is cancelled, or [Stream.Reconnect] ends the
	// connection, nor when an attempt's request cannot be built (its
	// GetBody or the hook of [WithPrepare] fails, or its last event ID
	// fails [CheckEventID]): the stream then ends with that error, sending
	// nothing.
	OnDisconnect func(err error)
	// OnRetry is called when the stream will try again: after delay, for
	// attempt number attempt of a run of failures (1 for the first retry),
	// because of err.
	OnRetry func(attempt int, delay time.Duration, err error)
}

type config struct {
	httpClient    *http.Client
	policy        RetryPolicy
	lastEventID   string
	hasLastID     bool
	idleTimeout   time.Duration
	validate      func(*http.Response) error
	hooks         Hooks
	logger        *slog.Logger
	maxLine       int
	maxEvent      int
	skipOversized bool
	onSkip        func(error)
	onComment     func([]byte)
	prepare       func(*http.Request) error
	retryUnsafe   bool
	reopen        bool
	maxErrorBody  int
	clock         clock
}

// clock is the time and randomness a Stream depends on, replaced in tests
// so that no test waits for a real backoff.
type clock struct {
	now   func() time.Time
	after func(d time.Duration) (<-chan time.Time, func() bool)
	rand  func() float64
}

func realClock() clock {
	return clock{
		now: time.Now,
		after: func(d time.Duration) (<-chan time.Time, func() bool) {
			t := time.NewTimer(d)
			return t.C, t.Stop
		},
		rand: rand.Float64,
	}
}

// WithHTTPClient sets the client that sends the requests. The default is
// [http.DefaultClient]. Leave its Timeout at zero: it bounds the whole
// response, body included, so it cuts every stream that lasts longer. Use
// [WithIdleTimeout] to detect dead connections instead, and a context
// deadline on the request to bound the whole stream. A connection that the
// Timeout ends fails with an error that wraps [ErrHTTPClientTimeout] and
// says so: a GET stream reconnects (and is cut again a Timeout later), a
// POST stream ends with that error.
func WithHTTPClient(c *http.Client) Option {
	return func(cfg *config) {
		if c != nil {
			cfg.httpClient = c
		}
	}
}

// WithRetryPolicy sets when and how often a stream reconnects. The default
// is the zero [RetryPolicy].
func WithRetryPolicy(p RetryPolicy) Option {
	return func(cfg *config) { cfg.policy = p }
}

// WithLastEventID sets the last event ID that a stream starts from: it is
// sent in the Last-Event-ID header of the first request, and of every
// later one until the server sends an ID of its own. By default the value
// of the request's own Last-Event-ID header is used, if any.
func WithLastEventID(id string) Option {
	return func(cfg *config) { cfg.lastEventID, cfg.hasLastID = id, true }
}

// WithIdleTimeout sets how long a stream waits for the server's next byte,
// from sending the request on, before it takes the connection for dead,
// ends it with an error that wraps [ErrIdleTimeout], and reconnects as
// after any other failure. Every byte counts, comments included. Zero
// turns the timeout off. The default is [DefaultIdleTimeout].
func WithIdleTimeout(d time.Duration) Option {
	return func(cfg *config) { cfg.idleTimeout = max(d, 0) }
}

// WithValidator replaces the check that a response is an event stream,
// which is [CheckResponse] by default. validate runs for every response
// but a 204, which always ends the stream. When it returns an error the
// response is rejected: the stream wraps the error in a [*ResponseError]
// that holds the start of the body, and retries it or not as it does
// other response errors (by status code). A validator may call
// [CheckResponse] and add checks of its own.
func WithValidator(validate func(*http.Response) error) Option {
	return func(cfg *config) {
		if validate != nil {
			cfg.validate = validate
		}
	}
}

// WithHooks sets functions that observe connections, retries and
// failures.
func WithHooks(h Hooks) Option {
	return func(cfg *config) { cfg.hooks = h }
}

// WithLogger sets a logger for connections, retries and the end of
// streams: one record for each. URLs are logged without credentials or
// query values, and headers are never logged. By default nothing is
// logged.
func WithLogger(l *slog.Logger) Option {
	return func(cfg *config) { cfg.logger = l }
}

// WithLimits sets the parser's limits for each connection, as
// [Parser.SetLimits] does: the longest line and the most data of one
// event, in bytes. Zero keeps a default.
func WithLimits(maxLine, maxEvent int) Option {
	return func(cfg *config) { cfg.maxLine, cfg.maxEvent = maxLine, maxEvent }
}

// WithSkipOversized makes a stream skip events over the limits instead of
// failing, as [Parser.SkipOversized] does; report, if not nil, is called
// with each such event's [*LimitError].
func WithSkipOversized(report func(err error)) Option {
	return func(cfg *config) { cfg.skipOversized, cfg.onSkip = true, report }
}

// WithOnComment sets a function called with the text of each comment line
// as it arrives, as [Parser.OnComment] describes; servers send comments as
// heartbeats.
func WithOnComment(fn func(text []byte)) Option {
	return func(cfg *config) { cfg.onComment = fn }
}

// WithPrepare sets a function that may change each attempt's request just
// before it is sent: to set a fresh Authorization token, or to move a
// cursor in the URL. It gets a copy of the request, with the stream's
// headers (Accept, Cache-Control, Last-Event-ID) already set, and must not
// keep it. An error ends the stream with that error.
func WithPrepare(prepare func(req *http.Request) error) Option {
	return func(cfg *config) { cfg.prepare = prepare }
}

// WithRetryNonIdempotent(true) lets a stream send a non-idempotent request,
// such as the POST of an LLM completion, again after a failure: a dropped
// connection, an idle timeout, a 429 or a 5xx. It never reopens the request
// after the server ends its stream cleanly; [WithReopen] does that. The
// default, false, sends such a request once: sending it again could repeat
// the work, and its cost, so a failure ends the stream with an error. A
// request with an Idempotency-Key or X-Idempotency-Key header, and a GET,
// PUT, DELETE, HEAD, OPTIONS or TRACE, counts as idempotent and is sent
// again after a failure whatever this option says.
//
// For a non-idempotent request the two options combine so:
//
//	WithReopen  WithRetryNonIdempotent  after a failure  after a clean end
//	false       false                   ends with error  ends, Err is nil
//	false       true                    sent again       ends, Err is nil
//	true        false                   sent again       sent again
//	true        true                    sent again       sent again
//
// In each "sent again" its body is sent again from the request's GetBody.
func WithRetryNonIdempotent(retry bool) Option {
	return func(cfg *config) { cfg.retryUnsafe = retry }
}

// WithReopen(true) makes every stream a feed, whatever its method: it is
// opened again after the server ends it cleanly, as a browser's EventSource
// reopens a GET, and sent again after failures, with its body from the
// request's GetBody each time. Use it for a POST or REPORT subscription
// that the server ends now and then. The default, false, keeps only a GET
// a feed: any other request is not reopened after a clean end, and a
// non-idempotent one (a POST) is not sent again after a failure either,
// unless [WithRetryNonIdempotent] says so. A finished LLM completion over
// POST is thus never sent again by default.
//
// For a non-idempotent request the two options combine so:
//
//	WithReopen  WithRetryNonIdempotent  after a failure  after a clean end
//	false       false                   ends with error  ends, Err is nil
//	false       true                    sent again       ends, Err is nil
//	true        false                   sent again       sent again
//	true        true                    sent again       sent again
//
// An idempotent request other than a GET (a PUT, or a POST with an
// Idempotency-Key header) is sent again after failures in every row, and
// reopened after a clean end only with WithReopen(true).
func WithReopen(reopen bool) Option {
	return func(cfg *config) { cfg.reopen = reopen }
}

// WithMaxErrorBodySize sets how much of a rejected response's body, in
// bytes, a [ResponseError] keeps in its Body: raise it to read a whole JSON
// answer, such as the error of an API or the answer of an MCP server in
// its JSON response mode. The body is read up to the limit and no further,
// and [ResponseError].BodyTruncated says whether there was more. Zero or
// less keeps the default, [MaxErrorBodySize].
func WithMaxErrorBodySize(n int) Option {
	return func(cfg *config) { cfg.maxErrorBody = n }
}

// withClock replaces the clock and random source, for tests.
func withClock(c clock) Option {
	return func(cfg *config) { cfg.clock = c }
}
