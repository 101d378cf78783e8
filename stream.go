package sse

import (
	"context"
	"errors"
	"io"
	"iter"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

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

// keepResponse records resp for [Stream.Response]: a copy without the
// body, which the stream reads, and without the trailers, which the
// transport fills in as the body ends.
func (s *Stream) keepResponse(resp *http.Response) {
	kept := *resp
	kept.Body = http.NoBody
	kept.Trailer = nil
	s.resp.Store(&kept)
}

// endIfStopped ends the stream, and reports true, when it was closed or its
// context is done.
func (s *Stream) endIfStopped() bool {
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

// url returns the request's URL with its secrets masked, for errors and
// logs. It is made when needed, not kept: an open stream holds on to
// nothing that it does not need to read.
func (s *Stream) url() string {
	return redactURL(s.req.URL)
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
