package sse

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"
)

// errEndOfStream is the reason that hooks, logs and a RetryPolicy's
// ShouldRetry get when the server ended a response cleanly: it says so,
// and wraps io.EOF for errors.Is.
var errEndOfStream error = endOfStream{}

type endOfStream struct{}

func (endOfStream) Error() string { return "sse: the server ended the response cleanly" }
func (endOfStream) Unwrap() error { return io.EOF }

// ErrNoContent is what [Hooks].OnDisconnect receives when a 204 No
// Content response ends the stream, as the server's way to say that
// there is nothing more. [Stream.Err] is nil then.
var ErrNoContent = errors.New("sse: the server answered 204 No Content, which ends the stream")

// open makes one connection attempt, after the wait that is due. It leaves
// either a connected parser, a next attempt due (after a wait, when
// pending is set), or a finished stream.
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
	err = s.cause(ctx, fmt.Errorf("sse: %s %s: %w", req.Method, s.url(), redactError(err)))
	cancel(nil)
	s.failed(err, false)
}

// accept takes the response to an attempt's request: it connects the
// parser to an event stream, or ends the attempt.
func (s *Stream) accept(cancel context.CancelCauseFunc, req *http.Request, resp *http.Response) {
	s.keepResponse(resp)
	if resp.StatusCode == http.StatusNoContent {
		s.dropResponse(cancel, resp)
		if h := s.c.cfg.hooks.OnDisconnect; h != nil {
			h(ErrNoContent)
		}
		s.logInfo("sse: stream ended by the server with 204 No Content")
		s.finish(nil)
		return
	}
	if verr := s.c.cfg.validate(resp); verr != nil {
		rerr := newResponseError(req, resp, verr, s.c.cfg.maxErrorBody, s.url())
		s.dropResponse(cancel, resp)
		s.failed(rerr, false)
		return
	}
	s.connect(resp)
}

// dropResponse ends an attempt whose response is not read as a stream:
// it stops the idle timer, closes the body and releases the attempt's
// context.
func (s *Stream) dropResponse(cancel context.CancelCauseFunc, resp *http.Response) {
	s.stopIdle()
	resp.Body.Close()
	cancel(nil)
}

// connect reads the body of an accepted response: through the idle
// timer, with a new parser.
func (s *Stream) connect(resp *http.Response) {
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
	ctx, cancel := s.closeBody()
	healthy := s.events > 0 || s.c.cfg.clock.now().Sub(s.connectedAt) >= s.c.cfg.policy.resetAfter()
	s.parser = nil
	err = s.lost(err)
	if ctx != nil {
		err = s.cause(ctx, err)
	}
	if cancel != nil {
		cancel(nil)
	}
	s.failed(err, healthy)
}

// closeBody closes the body of the connection that ended, and hands over
// its attempt's context, which Close and Reconnect no longer reach.
func (s *Stream) closeBody() (context.Context, context.CancelCauseFunc) {
	s.mu.Lock()
	body, ctx, cancel := s.body, s.attemptCtx, s.attemptCancel
	s.body, s.attemptCtx, s.attemptCancel = nil, nil, nil
	s.mu.Unlock()
	if body != nil {
		body.Close()
	}
	return ctx, cancel
}

// lost returns the reason a connection ended, given the parser's error:
// errEndOfStream for a clean end, a *LimitError as it is, and any other
// error as the loss of the connection, its URLs masked.
func (s *Stream) lost(err error) error {
	if err == nil {
		return errEndOfStream
	}
	var le *LimitError
	if errors.As(err, &le) {
		return err
	}
	return fmt.Errorf("sse: connection to %s lost: %w", s.url(), redactError(err))
}

// failed applies what the retry policy decides after a failed attempt or
// an ended connection: another attempt after a wait, or the end of the
// stream.
func (s *Stream) failed(err error, healthy bool) {
	if s.endIfStopped() {
		return
	}
	if s.takeForced() {
		s.pending, s.wait = false, 0
		return
	}
	if h := s.c.cfg.hooks.OnDisconnect; h != nil {
		h(err)
	}
	d := s.c.cfg.policy.decide(s.ending(err, healthy))
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

// takeForced reports whether Reconnect was called during the connection
// that ended, and clears the request.
func (s *Stream) takeForced() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	forced := s.forced
	s.forced = false
	return forced
}

// ending returns what the retry policy decides on after an attempt failed
// or a connection ended with err.
func (s *Stream) ending(err error, healthy bool) ending {
	return ending{
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
	}
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
	return !s.endIfStopped()
}

// cause returns why an attempt ended, given err, the error it ended with:
// the cause with which its context was cancelled (an idle timeout,
// Reconnect or Close), else the error of the request's context when that
// is done, else err itself, wrapped in ErrHTTPClientTimeout when the
// http.Client's Timeout ended the attempt.
func (s *Stream) cause(ctx context.Context, err error) error {
	switch why := context.Cause(ctx); {
	case why == nil:
		return explainClientTimeout(err, s.c.cfg.httpClient.Timeout)
	case errors.Is(why, ErrIdleTimeout):
		return why
	case why == errReconnect || why == errClosed:
		return why
	}
	if perr := s.req.Context().Err(); perr != nil {
		return perr
	}
	return explainClientTimeout(err, s.c.cfg.httpClient.Timeout)
}
