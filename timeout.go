package sse

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// ErrHTTPClientTimeout is wrapped by the error of a connection that the
// Timeout of the [http.Client] given to [WithHTTPClient] ended. That
// Timeout bounds the whole exchange, the response body included, so it
// cuts every stream that lasts longer, however healthy. A stream wants
// [WithIdleTimeout] to detect a dead connection, and a context deadline to
// bound the whole stream; set the Timeout to zero.
//
// What follows is what follows any dropped connection: a GET stream
// reconnects (with Last-Event-ID, so a server that resumes loses nothing),
// and is cut again one Timeout later; a POST stream ends with this error,
// its answer cut short, unless [WithRetryNonIdempotent] or [WithReopen]
// lets it be sent again.
var ErrHTTPClientTimeout = errors.New("sse: the http.Client's Timeout ended the connection")

// explainClientTimeout wraps err in [ErrHTTPClientTimeout] when it is the
// error that net/http returns once the Client's Timeout has passed:
// while it awaits the headers, or while the stream reads the body.
func explainClientTimeout(err error, timeout time.Duration) error {
	if timeout <= 0 || !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "Client.Timeout") {
		return err
	}
	return fmt.Errorf("%w (%v): it bounds the whole response, so it cuts any stream that lasts longer; "+
		"set it to zero, and use WithIdleTimeout to detect a dead connection or a context deadline to bound the stream: %w",
		ErrHTTPClientTimeout, timeout, err)
}

// ErrIdleTimeout ends a connection on which no byte arrived for the
// idle timeout; the stream then reconnects as after other failures.
var ErrIdleTimeout = errors.New("sse: idle timeout")

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
