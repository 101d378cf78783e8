package sse

import (
	"errors"
	"fmt"
	"iter"
	"net/http"
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
// has a status that no retry can mend, on a line or event over the limits
// of [WithLimits] (unless [WithSkipOversized]), when the retry policy
// gives up, and, for a request other than a GET, when its response ends
// cleanly. A GET
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

// errRequest marks errors in building a request, which no retry mends.
var errRequest = errors.New("sse: invalid request")
