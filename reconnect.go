package sse

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Defaults of a [RetryPolicy], used where a field is zero.
const (
	DefaultBaseDelay  = time.Second
	DefaultMaxDelay   = 30 * time.Second
	DefaultJitter     = 0.5
	DefaultResetAfter = 30 * time.Second
)

// RetryPolicy says when a [Stream] connects again after a connection
// attempt fails or a connection ends, and how long it waits first. The zero
// value is the default policy: retry for ever, starting at one second and
// doubling up to thirty, with jitter.
//
// The wait before attempt n of a run of failures is the base delay doubled
// n-1 times, capped at MaxDelay, then lengthened by a random fraction of
// up to Jitter, and capped again. The base delay is the reconnection time
// of the server's latest "retry" field, or BaseDelay until the server sends
// one; MaxDelay never shortens it. On 429 and 503 a Retry-After header, in
// seconds or as a date, is a floor of the wait.
//
// A run of failures ends, and the wait falls back to the base delay, when a
// connection proves healthy: it delivered an event, or it stayed open for
// ResetAfter. The server's clean end of a healthy connection is not a
// failure: it counts toward neither MaxAttempts nor MaxElapsed.
type RetryPolicy struct {
	// BaseDelay is the reconnection time until the server sets one with a
	// "retry" field. Zero means DefaultBaseDelay.
	BaseDelay time.Duration
	// MaxDelay caps the exponential growth of the wait. Zero means
	// DefaultMaxDelay.
	MaxDelay time.Duration
	// Jitter is the largest random fraction by which a wait is lengthened,
	// so that many clients do not reconnect in step. Zero means
	// DefaultJitter; a negative value turns jitter off.
	Jitter float64
	// MaxAttempts is the number of failed attempts in a row after which the
	// stream gives up with an error that wraps [ErrGaveUp]. Zero means no
	// limit.
	MaxAttempts int
	// MaxElapsed is the time after the first failure of a run at which the
	// stream gives up instead of trying again. Zero means no limit.
	MaxElapsed time.Duration
	// ResetAfter is how long a connection must stay open, if it delivers
	// no event, to count as healthy. Zero means DefaultResetAfter.
	ResetAfter time.Duration
	// ShouldRetry, if not nil, has the last word on each failure: it is
	// called with the number of failed attempts in a row (1 for the first),
	// the error, and what the policy would do, and returns whether to try
	// again. err wraps [io.EOF] (test with [errors.Is]) when the server
	// ended the stream cleanly,
	// which the policy retries only for a GET; return true to reopen
	// other streams too.
	// Cancelling the context and [Stream.Close] end the stream without
	// asking.
	ShouldRetry func(attempt int, err error, retry bool) bool
}

// ErrGaveUp is wrapped, with the last failure, by the error of a stream
// that stopped trying because its [RetryPolicy]'s MaxAttempts or
// MaxElapsed ran out.
var ErrGaveUp = errors.New("sse: gave up reconnecting")

// RetryError is the error of a stream that ran out of attempts or time. It
// wraps both [ErrGaveUp] and the last failure.
type RetryError struct {
	Attempts int           // failed attempts in a row
	Elapsed  time.Duration // since the first of them
	Err      error         // the last failure
}

func (e *RetryError) Error() string {
	attempts := "attempts"
	if e.Attempts == 1 {
		attempts = "attempt"
	}
	return fmt.Sprintf("sse: gave up reconnecting after %d failed %s in %v: %s",
		e.Attempts, attempts, e.Elapsed.Round(time.Millisecond), strings.TrimPrefix(e.Err.Error(), "sse: "))
}

func (e *RetryError) Unwrap() []error { return []error{ErrGaveUp, e.Err} }

func (p RetryPolicy) baseDelay() time.Duration {
	if p.BaseDelay > 0 {
		return p.BaseDelay
	}
	return DefaultBaseDelay
}

func (p RetryPolicy) maxDelay() time.Duration {
	if p.MaxDelay > 0 {
		return p.MaxDelay
	}
	return DefaultMaxDelay
}

func (p RetryPolicy) jitter() float64 {
	switch {
	case p.Jitter < 0:
		return 0
	case p.Jitter == 0:
		return DefaultJitter
	}
	return p.Jitter
}

func (p RetryPolicy) resetAfter() time.Duration {
	if p.ResetAfter > 0 {
		return p.ResetAfter
	}
	return DefaultResetAfter
}

// delay returns the wait before the next attempt, after attempt failed
// attempts in a row (1 or more). base is the reconnection time in force,
// floor a wait the server asked for with Retry-After (or 0), and rnd a
// random number in [0, 1).
func (p RetryPolicy) delay(attempt int, base, floor time.Duration, rnd float64) time.Duration {
	limit := max(p.maxDelay(), base)
	d := base
	for i := 1; i < attempt && d < limit; i++ {
		if d > limit/2 {
			d = limit
			break
		}
		d *= 2
	}
	d = min(d, limit)
	d += time.Duration(float64(d) * p.jitter() * rnd)
	if d < 0 || d > limit {
		d = limit
	}
	return max(d, floor)
}

// retryable reports whether a new attempt may mend the failure err, for a
// request that may safely be sent again.
func retryable(err error) bool {
	var re *ResponseError
	switch {
	case errors.As(err, &re):
		return retryableStatus(re.StatusCode)
	case errors.Is(err, ErrLineTooLong), errors.Is(err, ErrEventTooLarge),
		errors.Is(err, ErrNotReplayable), errors.Is(err, ErrInvalidLastEventID), errors.Is(err, errRequest):
		return false
	}
	// Network errors, dropped connections, idle timeouts and a clean end
	// of stream.
	return true
}

// retryableStatus reports whether an HTTP status may be gone on a later
// attempt: a timeout, too many requests, or a server error.
func retryableStatus(code int) bool {
	return code == http.StatusRequestTimeout || code == http.StatusTooManyRequests || code >= 500
}

// retryAfter returns the wait that a 429 or 503 response asks for with its
// Retry-After header, in seconds or as an HTTP date, or 0.
func retryAfter(code int, h http.Header, now time.Time) time.Duration {
	if code != http.StatusTooManyRequests && code != http.StatusServiceUnavailable {
		return 0
	}
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs <= 0 {
			return 0
		}
		if secs > int64(maxRetryAfter/time.Second) {
			return maxRetryAfter
		}
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return min(d, maxRetryAfter)
		}
	}
	return 0
}

// maxRetryAfter bounds what a server can make a client wait with one
// Retry-After header.
const maxRetryAfter = 24 * time.Hour

// idempotent reports whether a request may be sent again without the risk
// of doing its work twice: its method is idempotent, or, as net/http
// decides for its own retries, it carries an Idempotency-Key or
// X-Idempotency-Key header.
func idempotent(req *http.Request) bool {
	switch req.Method {
	case "", http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace, http.MethodPut, http.MethodDelete:
		return true
	}
	_, ok := req.Header["Idempotency-Key"]
	if !ok {
		_, ok = req.Header["X-Idempotency-Key"]
	}
	return ok
}

// replayable reports whether the request's body, if it has one, can be
// sent again.
func replayable(req *http.Request) bool {
	return req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
}
