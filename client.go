package sse

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Client opens event streams from ordinary HTTP requests and keeps them
// alive: it reconnects after failures and after a clean end of stream,
// waits as its [RetryPolicy] and the server's "retry" field say, and sends
// the Last-Event-ID header so that the server can resume where the stream
// stopped.
//
// A Client is safe for concurrent use by many streams. The zero Client
// has the defaults of [NewClient] with no options.
type Client struct {
	cfg config
}

// NewClient returns a Client configured by opts. With no options it uses
// [http.DefaultClient], the default [RetryPolicy], [DefaultIdleTimeout],
// the parser's default limits, and no logger.
func NewClient(opts ...Option) *Client {
	cfg := config{
		httpClient:  http.DefaultClient,
		idleTimeout: DefaultIdleTimeout,
		validate:    CheckResponse,
		clock:       realClock(),
	}
	for _, o := range opts {
		o(&cfg)
	}
	return &Client{cfg: cfg}
}

// Connect returns a stream of the events that req's responses carry. It
// sends nothing yet: the first call to [Stream.Next] connects.
//
// Every attempt sends a copy of req: its method, URL and headers, and its
// body again from req.GetBody (which [http.NewRequest] sets for in-memory
// bodies); req itself is never changed. The copy also asks for an event
// stream (Accept: text/event-stream, unless req sets Accept), bypasses
// caches (Cache-Control: no-cache, unless req sets it), and sends the last
// event ID, when there is one, in Last-Event-ID.
//
// The stream ends when req's context is done, when [Stream.Close] is
// called, on a 204 response, on a response that is not an event stream or
// has a status that no retry can mend, when the retry policy gives up, and,
// for a request other than a GET, when its response ends cleanly. A GET
// stream that the server ends cleanly is opened again, as a browser's
// EventSource does, and so is any stream of a Client with [WithReopen]. After
// a failure, a request is sent again only if it is idempotent, or the Client
// has [WithRetryNonIdempotent] or [WithReopen]; the table in their docs
// sums it up.
//
// Before each new attempt the stream waits as its [RetryPolicy] says:
// never less than the policy's MinDelay ([DefaultMinDelay], 500 ms),
// whatever the server's "retry" field says, never more than its
// MaxServerDelay because of what the server asked, and, during a run of
// failures, never past its MaxElapsed: a wait that would end later ends
// the stream at once with a [*RetryError]. The Timeout of the
// [http.Client] cuts a stream that lasts longer (see [ErrHTTPClientTimeout]).
//
// The last event ID is sent only if it passes [CheckEventID]: a header can
// carry it back unchanged. When the server sets an ID that fails (with a
// control character, a leading or trailing space, or over
// [MaxEventIDSize] bytes), the stream still delivers every event exactly
// as sent, and ends with an error wrapping [ErrInvalidLastEventID] only if
// it must send that ID: at its next request, unless a later event has set
// an ID that passes. So a stream that never reconnects, such as an LLM
// answer, is not hurt, and the stream never sends a changed ID, which the
// server would answer by replaying or skipping events, nor one so long
// that the server refuses the request. An initial ID that fails (from
// [WithLastEventID] or req's header) ends the stream before its first
// request.
func (c *Client) Connect(req *http.Request) *Stream {
	if c.cfg.httpClient == nil {
		c = NewClient()
	}
	s := &Stream{c: c, req: req, wake: make(chan struct{}, 1)}
	if req == nil || req.URL == nil {
		s.done = true
		s.err = fmt.Errorf("%w: a nil request or URL", errRequest)
		return s
	}
	s.lastID = req.Header.Get("Last-Event-ID")
	if c.cfg.hasLastID {
		s.lastID = c.cfg.lastEventID
	}
	s.reopen = c.cfg.reopen || req.Method == "" || req.Method == http.MethodGet
	s.idempotent = idempotent(req) || c.cfg.retryUnsafe || s.reopen
	return s
}

// Events connects as [Client.Connect] does and returns the stream's events
// as an iterator; see [Stream.All]. To read the response's status and
// headers too, hold the stream: range over Connect(req).All(), or over
// [DecodeJSON] of it, and call [Stream.Response] during or after the loop.
func (c *Client) Events(req *http.Request) iter.Seq2[Event, error] {
	return c.Connect(req).All()
}

// Stream is a live event stream, opened by [Client.Connect]. Step through
// its events with [Stream.Next] and [Stream.Event], as with a [Parser], or
// range over [Stream.All]. Next, Event, Raw, Err, LastEventID and All
// must be called from one goroutine at a time; Close, Reconnect and
// Response may be called from any goroutine.
//
// Call Close when done with a stream that has not ended, to release its
// connection.
//
// A response that ends cleanly looks the same whether the server finished
// it or a proxy's timeout cut it: only the application protocol can tell.
// [DecodeJSON] does, given [JSONOptions].Done or Stop, and yields
// [ErrTruncated] for a cut answer; stepping through events, note whether
// the last one was the protocol's end marker:
//
//	finished := false
//	for !finished && stream.Next() {
//		ev := stream.Event()
//		if finished = ev.Data == "[DONE]"; !finished {
//			handle(ev)
//		}
//	}
//	if err := stream.Err(); err == nil && !finished {
//		return sse.ErrTruncated
//	}
type Stream struct {
	c          *Client
	req        *http.Request
	idempotent bool // may be sent again after a failure
	reopen     bool // is opened again after a clean end: a GET, or WithReopen

	// wake cuts a wait before reconnecting short: Reconnect and Close
	// leave a token in it, after setting forced or closed, which the
	// woken wait then reads.
	wake chan struct{}

	resp atomic.Pointer[http.Response] // the latest response, for Response

	mu            sync.Mutex
	closed        bool
	forced        bool            // Reconnect was called during the connection
	attemptCtx    context.Context // the current attempt's; its cause says why it ended
	attemptCancel context.CancelCauseFunc
	body          io.ReadCloser

	parser      *Parser
	idle        *time.Timer
	connectedAt time.Time
	events      int // events of the current connection

	sent     bool // the request has been sent once
	pending  bool // an attempt is due after wait
	wait     time.Duration
	run      run // the failures in a row
	lastID   string
	retry    time.Duration
	hasRetry bool

	done bool
	err  error
}

// Errors of a [Stream], to test for with [errors.Is].
var (
	// ErrUnexpectedStatus is wrapped by the [*ResponseError] of a response
	// whose status is not 200 OK.
	ErrUnexpectedStatus = errors.New("sse: unexpected status")
	// ErrNotEventStream is wrapped by the [*ResponseError] of a 200
	// response whose Content-Type is not text/event-stream.
	ErrNotEventStream = errors.New("sse: response is not an event stream")
	// ErrIdleTimeout ends a connection on which no byte arrived for the
	// idle timeout; the stream then reconnects as after other failures.
	ErrIdleTimeout = errors.New("sse: idle timeout")
	// ErrNoContent is what [Hooks].OnDisconnect receives when a 204 No
	// Content response ends the stream, as the server's way to say that
	// there is nothing more. [Stream.Err] is nil then.
	ErrNoContent = errors.New("sse: the server answered 204 No Content, which ends the stream")
	// ErrInvalidLastEventID is wrapped by the errors of [CheckEventID]: an
	// event ID that a Last-Event-ID header cannot carry back unchanged. A
	// [Stream] whose last event ID is such an ID ends with it when it must
	// send the ID (see [Client.Connect]); an [Encoder] refuses to write one.
	ErrInvalidLastEventID = errors.New("sse: the last event ID cannot be sent")
	// ErrNotReplayable is wrapped by the error of a stream that could not
	// send its request again because the request's body cannot be read a
	// second time: it has no GetBody.
	ErrNotReplayable = errors.New("sse: the request body cannot be sent again")
)

// errRequest marks errors in building a request, which no retry mends.
var errRequest = errors.New("sse: invalid request")

// errEndOfStream is the reason that hooks, logs and a RetryPolicy's
// ShouldRetry get when the server ended a response cleanly: it says so,
// and wraps io.EOF for errors.Is.
var errEndOfStream error = endOfStream{}

type endOfStream struct{}

func (endOfStream) Error() string { return "sse: the server ended the response cleanly" }
func (endOfStream) Unwrap() error { return io.EOF }

// errClosed and errReconnect are the causes with which Close and Reconnect
// cancel a connection.
var (
	errClosed    = errors.New("sse: stream closed")
	errReconnect = errors.New("sse: reconnect requested")
)

// Next advances the stream to its next event, connecting and reconnecting
// as needed, and reports whether there is one. It returns false when the
// stream has ended; [Stream.Err] then says why.
func (s *Stream) Next() bool {
	for !s.done {
		if s.parser == nil {
			s.open()
			continue
		}
		if s.parser.Next() {
			s.events++
			return true
		}
		s.endConnection()
	}
	return false
}

// Event returns the current event, the one found by the latest call to
// [Stream.Next], which returned true. Once Next has returned false there
// is no current event, and Event returns the zero Event.
func (s *Stream) Event() Event {
	if s.parser == nil {
		return Event{}
	}
	return s.parser.Event()
}

// Raw returns the current event without copying, as [Parser.Raw] does: its
// slices are valid only until the next call to [Stream.Next].
func (s *Stream) Raw() RawEvent {
	if s.parser == nil {
		return RawEvent{}
	}
	return s.parser.Raw()
}

// Err returns why the stream ended: nil after [Stream.Close], a 204, or
// the clean end of a stream that is not reopened; the context's error when
// the request's context is done; otherwise the error that stopped it, such
// as a [*ResponseError], a [*LimitError] or a [*RetryError].
func (s *Stream) Err() error {
	return s.err
}

// LastEventID returns the stream's last event ID: what it sends in the
// Last-Event-ID header when it reconnects.
func (s *Stream) LastEventID() string {
	if s.parser != nil {
		return s.parser.LastEventID()
	}
	return s.lastID
}

// All returns an iterator over the stream's events. An error that ends the
// stream is the last pair, with a zero Event. The stream is closed when
// the iteration ends, also when the loop breaks early.
func (s *Stream) All() iter.Seq2[Event, error] {
	return func(yield func(Event, error) bool) {
		defer s.Close()
		for s.Next() {
			if !yield(s.Event(), nil) {
				return
			}
		}
		if err := s.Err(); err != nil {
			yield(Event{}, err)
		}
	}
}

// Close ends the stream: it aborts a connection attempt, a blocked read or
// a wait before reconnecting, closes the response body, and makes
// [Stream.Next] return false. It may be called from any goroutine, and
// more than once. It always returns nil.
func (s *Stream) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	s.signal()
	if s.attemptCancel != nil {
		s.attemptCancel(errClosed)
	}
	if s.body != nil {
		s.body.Close()
	}
	return nil
}

// Reconnect ends the current connection, or the wait before the next one,
// and connects again at once, sending the request again even if it is not
// idempotent: use it after rotating a credential that [WithPrepare] puts
// into each request. It may be called from any goroutine.
func (s *Stream) Reconnect() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	s.forced = true
	if s.attemptCancel != nil {
		s.attemptCancel(errReconnect)
	}
	s.signal()
}

// signal wakes a wait before reconnecting, or the next one if none is
// under way. A token already waiting does the same.
func (s *Stream) signal() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// open makes one connection attempt, after the wait that is due. It leaves
// either a connected parser, a next attempt pending, or a finished stream.
//
// What happens before and after the request is sent is left to functions
// of their own, so that the frame of open, which stays on the stack while
// the request is in flight, is small: the deepest point of a stream's
// goroutine sets the size of its stack for as long as it waits for data.
func (s *Stream) open() {
	if s.pending {
		s.pending = false
		if !s.sleep(s.wait) {
			return
		}
	}
	ctx, cancel, ok := s.beginAttempt()
	if !ok {
		return
	}
	req, err := s.newRequest(ctx)
	if err != nil {
		cancel(err)
		s.finish(err)
		return
	}
	s.startIdle(cancel)
	resp, err := s.c.cfg.httpClient.Do(req)
	if err != nil {
		s.sendFailed(ctx, cancel, req, err)
		return
	}
	s.accept(cancel, req, resp)
}

// beginAttempt makes the context of a new attempt, unless the stream was
// closed, in which case it finishes the stream and returns false.
func (s *Stream) beginAttempt() (context.Context, context.CancelCauseFunc, bool) {
	ctx, cancel := context.WithCancelCause(s.req.Context())
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		cancel(errClosed)
		s.finish(nil)
		return nil, nil, false
	}
	s.forced = false
	s.attemptCtx, s.attemptCancel = ctx, cancel
	s.mu.Unlock()
	// A Reconnect made before this attempt is done with; a Close
	// made since the check above has cancelled the attempt.
	select {
	case <-s.wake:
	default:
	}
	return ctx, cancel, true
}

// sendFailed handles the error of sending an attempt's request.
func (s *Stream) sendFailed(ctx context.Context, cancel context.CancelCauseFunc, req *http.Request, err error) {
	s.stopIdle()
	err = s.explain(ctx, fmt.Errorf("sse: %s %s: %w", req.Method, s.url(), redactError(err)))
	cancel(nil)
	s.failed(err, false)
}

// accept takes the response to an attempt's request: it connects the
// parser to an event stream, or ends the attempt.
func (s *Stream) accept(cancel context.CancelCauseFunc, req *http.Request, resp *http.Response) {
	s.keepResponse(resp)
	if resp.StatusCode == http.StatusNoContent {
		s.stopIdle()
		resp.Body.Close()
		cancel(nil)
		if h := s.c.cfg.hooks.OnDisconnect; h != nil {
			h(ErrNoContent)
		}
		s.logInfo("sse: stream ended by the server with 204 No Content")
		s.finish(nil)
		return
	}
	if verr := s.c.cfg.validate(resp); verr != nil {
		rerr := s.reject(req, resp, verr)
		s.stopIdle()
		resp.Body.Close()
		cancel(nil)
		s.failed(rerr, false)
		return
	}

	s.mu.Lock()
	s.body = resp.Body
	closed := s.closed
	s.mu.Unlock()
	if closed {
		// Close ran before the body was recorded: it is ours to close.
		resp.Body.Close()
	}
	var body io.Reader = resp.Body
	if s.idle != nil {
		body = &activityReader{r: resp.Body, timer: s.idle, d: s.c.cfg.idleTimeout}
	}
	s.parser = s.newParser(body)
	s.connectedAt = s.c.cfg.clock.now()
	s.events = 0
	s.logInfo("sse: connected", slog.Int("status", resp.StatusCode), slog.String("proto", resp.Proto))
	if h := s.c.cfg.hooks.OnConnect; h != nil {
		h(resp)
	}
}

// reject returns the error of a response that validate rejected with
// verr, with as much of its body as the Client keeps.
func (s *Stream) reject(req *http.Request, resp *http.Response, verr error) *ResponseError {
	limit := s.c.cfg.maxErrorBody
	if limit <= 0 {
		limit = MaxErrorBodySize
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, int64(limit)+1))
	cut := len(body) > limit
	if cut {
		body = body[:limit]
	}
	return &ResponseError{
		StatusCode:    resp.StatusCode,
		Status:        resp.Status,
		Header:        resp.Header,
		Body:          body,
		BodyTruncated: cut,
		Err:           verr,
		method:        req.Method,
		url:           s.url(),
		reason:        summarize(body, credentials(req)),
	}
}

// keepResponse records resp for [Stream.Response]: a copy without the
// body, which the stream reads, and without the trailers, which the
// transport fills in as the body ends.
func (s *Stream) keepResponse(resp *http.Response) {
	kept := *resp
	kept.Body = http.NoBody
	kept.Trailer = nil
	s.resp.Store(&kept)
}

// Response returns the response of the stream's latest connection: its
// status, headers and protocol, and the request that was sent (Request).
// Its Body is [http.NoBody], since the stream reads the real one, and its
// Trailer is nil.
//
// Response returns nil until the first response arrives. Every response
// counts, a rejected one too (a 401, or one that is not an event stream):
// while the stream waits to reconnect, or when a later attempt fails
// before a response, Response still returns the previous one; the next
// response replaces it. It stays available after the stream has ended, so
// that a caller can read a header such as x-request-id once the events
// are done. Response may be called from any goroutine, also while another
// one steps through the events; the returned value is the caller's to
// read, and must not be changed.
func (s *Stream) Response() *http.Response {
	return s.resp.Load()
}

// endConnection handles the end of a connection's body: a clean end, a
// read error, a parser limit, an idle timeout, Close or Reconnect.
func (s *Stream) endConnection() {
	p := s.parser
	err := p.Err()
	s.lastID = p.LastEventID()
	if d, ok := p.Retry(); ok {
		s.retry, s.hasRetry = d, true
	}
	s.stopIdle()
	s.mu.Lock()
	body, ctx, cancel := s.body, s.attemptCtx, s.attemptCancel
	s.body, s.attemptCtx, s.attemptCancel = nil, nil, nil
	s.mu.Unlock()
	if body != nil {
		body.Close()
	}
	healthy := s.events > 0 || s.c.cfg.clock.now().Sub(s.connectedAt) >= s.c.cfg.policy.resetAfter()
	s.parser = nil
	if err == nil {
		err = errEndOfStream
	} else {
		var le *LimitError
		if !errors.As(err, &le) {
			err = fmt.Errorf("sse: connection to %s lost: %w", s.url(), redactError(err))
		}
	}
	if ctx != nil {
		err = s.explain(ctx, err)
	}
	if cancel != nil {
		cancel(nil)
	}
	s.failed(err, healthy)
}

// failed applies what the retry policy decides after a failed attempt or
// an ended connection: another attempt after a wait, or the end of the
// stream.
func (s *Stream) failed(err error, healthy bool) {
	if s.stopping() {
		return
	}
	s.mu.Lock()
	forced := s.forced
	s.forced = false
	s.mu.Unlock()
	if forced {
		s.pending, s.wait = false, 0
		return
	}
	if h := s.c.cfg.hooks.OnDisconnect; h != nil {
		h(err)
	}
	d := s.c.cfg.policy.decide(ending{
		run:        s.run,
		err:        err,
		healthy:    healthy,
		retry:      s.retry,
		hasRetry:   s.hasRetry,
		method:     s.req.Method,
		idempotent: s.idempotent,
		reopen:     s.reopen,
		replayable: replayable(s.req),
		now:        s.c.cfg.clock.now(),
		rand:       s.c.cfg.clock.rand(),
	})
	s.run = d.run
	if d.stop {
		s.finish(d.err)
		return
	}
	s.wait, s.pending = d.wait, true
	s.logWarn("sse: reconnecting", slog.Int("attempt", d.attempt), slog.Duration("delay", d.wait), slog.String("error", d.err.Error()))
	if h := s.c.cfg.hooks.OnRetry; h != nil {
		h(d.attempt, d.wait, d.err)
	}
}

// stopping ends the stream, and reports true, when it was closed or its
// context is done.
func (s *Stream) stopping() bool {
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	switch {
	case closed:
		s.finish(nil)
	case s.req.Context().Err() != nil:
		s.finish(s.req.Context().Err())
	default:
		return false
	}
	return true
}

// sleep waits d before the next attempt. It returns false if the stream
// ended meanwhile; a Reconnect cuts the wait short.
func (s *Stream) sleep(d time.Duration) bool {
	if d > 0 {
		c, stop := s.c.cfg.clock.after(d)
		select {
		case <-c:
		case <-s.wake:
			stop()
		case <-s.req.Context().Done():
			stop()
		}
	}
	return !s.stopping()
}

// finish ends the stream with err and releases its resources.
func (s *Stream) finish(err error) {
	s.done = true
	s.err = err
	s.pending = false
	switch {
	case err == nil:
		s.logInfo("sse: stream ended")
	default:
		s.logError("sse: stream failed", slog.String("error", err.Error()))
	}
}

// explain replaces the error of an attempt whose context was cancelled by
// the reason it was cancelled, and says so when the http.Client's Timeout
// ended it.
func (s *Stream) explain(ctx context.Context, err error) error {
	switch cause := context.Cause(ctx); {
	case cause == nil:
		return explainClientTimeout(err, s.c.cfg.httpClient.Timeout)
	case errors.Is(cause, ErrIdleTimeout):
		return cause
	case cause == errReconnect || cause == errClosed:
		return cause
	}
	if perr := s.req.Context().Err(); perr != nil {
		return perr
	}
	return explainClientTimeout(err, s.c.cfg.httpClient.Timeout)
}

// url returns the request's URL with its secrets masked, for errors and
// logs. It is made when needed, not kept: an open stream holds on to
// nothing that it does not need to read.
func (s *Stream) url() string {
	return redactURL(s.req.URL)
}

// newRequest builds the request of one attempt.
func (s *Stream) newRequest(ctx context.Context) (*http.Request, error) {
	var req *http.Request
	if s.c.cfg.prepare != nil {
		// The hook may change any part of its request, the URL too.
		req = s.req.Clone(ctx)
	} else {
		// Only the headers change below, so only they are copied: an
		// idle stream keeps its request for as long as it is open, and
		// the transport only reads the rest.
		req = s.req.WithContext(ctx)
		req.Header = s.req.Header.Clone()
	}
	if req.Header == nil {
		// net/http sends a request without a Header as if it had an
		// empty one; so does the stream.
		req.Header = make(http.Header)
	}
	if s.req.Body != nil && s.req.Body != http.NoBody {
		switch {
		case s.req.GetBody != nil:
			body, err := s.req.GetBody()
			if err != nil {
				return nil, fmt.Errorf("%w: the request's GetBody failed: %w", ErrNotReplayable, err)
			}
			req.Body = body
		case s.sent:
			return nil, fmt.Errorf("%w: it has no GetBody", ErrNotReplayable)
		}
	}
	s.sent = true
	if req.Header.Get("Accept") == "" {
		req.Header.Set("Accept", "text/event-stream")
	}
	if req.Header.Get("Cache-Control") == "" {
		req.Header.Set("Cache-Control", "no-cache")
	}
	if s.lastID != "" {
		if err := CheckEventID(s.lastID); err != nil {
			return nil, fmt.Errorf("%w; the stream cannot resume from it: fix the server's IDs, or connect again with WithLastEventID", err)
		}
		req.Header.Set("Last-Event-ID", s.lastID)
	} else {
		req.Header.Del("Last-Event-ID")
	}
	if s.c.cfg.prepare != nil {
		if err := s.c.cfg.prepare(req); err != nil {
			return nil, fmt.Errorf("sse: preparing the request: %w", err)
		}
	}
	return req, nil
}

// newParser returns the parser of one connection, which starts from the
// stream's last event ID.
func (s *Stream) newParser(r io.Reader) *Parser {
	cfg := &s.c.cfg
	p := NewParser(r)
	p.SetLimits(cfg.maxLine, cfg.maxEvent)
	p.SetLastEventID(s.lastID)
	if cfg.skipOversized {
		p.SkipOversized(cfg.onSkip)
	}
	if cfg.onComment != nil {
		p.OnComment(cfg.onComment)
	}
	return p
}

// startIdle arms the idle timer of an attempt, which cancels it when no
// byte arrives for the idle timeout.
func (s *Stream) startIdle(cancel context.CancelCauseFunc) {
	d := s.c.cfg.idleTimeout
	if d <= 0 {
		return
	}
	s.idle = time.AfterFunc(d, func() {
		cancel(fmt.Errorf("%w: no data for %v, so the connection is taken for dead; change the limit with WithIdleTimeout", ErrIdleTimeout, d))
	})
}

func (s *Stream) stopIdle() {
	if s.idle != nil {
		s.idle.Stop()
		s.idle = nil
	}
}

// activityReader restarts the idle timer whenever bytes arrive.
type activityReader struct {
	r     io.Reader
	timer *time.Timer
	d     time.Duration
}

func (a *activityReader) Read(p []byte) (int, error) {
	n, err := a.r.Read(p)
	if n > 0 {
		a.timer.Reset(a.d)
	}
	return n, err
}

func (s *Stream) logInfo(msg string, attrs ...slog.Attr) {
	s.log(slog.LevelInfo, msg, attrs)
}

func (s *Stream) logWarn(msg string, attrs ...slog.Attr) {
	s.log(slog.LevelWarn, msg, attrs)
}

func (s *Stream) logError(msg string, attrs ...slog.Attr) {
	s.log(slog.LevelError, msg, attrs)
}

func (s *Stream) log(level slog.Level, msg string, attrs []slog.Attr) {
	l := s.c.cfg.logger
	if l == nil {
		return
	}
	attrs = append(attrs, slog.String("method", s.req.Method), slog.String("url", s.url()))
	l.LogAttrs(context.Background(), level, msg, attrs...)
}
