package sse

import (
	"errors"
	"fmt"
	"math"
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

	// DefaultMinDelay is the least wait before any reconnection, whatever
	// the server's "retry" field says: 500 ms, as Firefox's EventSource
	// keeps. With the default jitter a server that sends "retry: 0" and
	// ends every connection gets at most two connections a second from a
	// client, and fewer as failures repeat, instead of thousands; a human
	// still sees a feed come back at once.
	DefaultMinDelay = 500 * time.Millisecond

	// DefaultMaxServerDelay caps the waits that a server asks for, with
	// its "retry" field and with a Retry-After header: five minutes, the
	// same as [DefaultIdleTimeout]. A client waits as long for a silent
	// server before it takes the connection for dead; waiting longer to
	// come back would leave a feed dead for longer than the client
	// tolerates from the server, and a "retry" of hours is far more
	// often a unit mistake or a hostile server than a plan.
	DefaultMaxServerDelay = 5 * time.Minute
)

// RetryPolicy says when a [Stream] connects again after a connection
// attempt fails or a connection ends, and how long it waits first. The zero
// value is the default policy: retry for ever, starting at one second and
// doubling up to thirty, with jitter, and never sooner than half a second.
//
// The wait before attempt n of a run of failures is the base delay doubled
// n-1 times, capped at MaxDelay, then lengthened by a random fraction of
// up to Jitter, and capped again. The base delay is the reconnection time
// of the server's latest "retry" field, capped at MaxServerDelay, or
// BaseDelay until the server sends one; it is never less than MinDelay,
// and MaxDelay never shortens it. On 429 and 503 a Retry-After header, in
// seconds or as a date and capped at MaxServerDelay, is a floor of the
// wait.
//
// A run of failures ends, and the wait falls back to the base delay, when a
// connection proves healthy: it delivered an event, or it stayed open for
// ResetAfter. The server's clean end of a healthy connection is not a
// failure: it counts toward neither MaxAttempts nor MaxElapsed, and the
// wait after it is bounded by MaxServerDelay (and MinDelay) alone.
type RetryPolicy struct {
	// BaseDelay is the reconnection time until the server sets one with a
	// "retry" field. Zero means DefaultBaseDelay. MinDelay still bounds it
	// from below.
	BaseDelay time.Duration
	// MaxDelay caps the exponential growth of the wait. Zero means
	// DefaultMaxDelay.
	MaxDelay time.Duration
	// MinDelay is the least wait before a reconnection, applied to the
	// server's "retry" field and to BaseDelay alike, so that a server
	// that sends "retry: 0" cannot make the client spin. Zero means
	// DefaultMinDelay; a negative value removes the floor, for tests and
	// local tools that want "retry: 1" to mean one millisecond.
	// [Stream.Reconnect] does not wait at all.
	MinDelay time.Duration
	// MaxServerDelay caps what the server can make the client wait: the
	// value of its "retry" field, and a Retry-After header. Zero means
	// DefaultMaxServerDelay. To honour any "retry", set it as high as
	// you like: a stream then waits as long as the server says (up to
	// 292 years, if it says so), until [Stream.Close], [Stream.Reconnect]
	// or its context ends the wait; during a run of failures MaxElapsed
	// still bounds it.
	MaxServerDelay time.Duration
	// Jitter is the largest random fraction by which a wait is lengthened,
	// so that many clients do not reconnect in step. Zero means
	// DefaultJitter; a negative value turns jitter off.
	Jitter float64
	// MaxAttempts is the number of failed attempts in a row after which the
	// stream gives up with an error that wraps [ErrGaveUp]. Zero means no
	// limit.
	MaxAttempts int
	// MaxElapsed bounds a run of failures: the stream gives up, with a
	// [*RetryError], as soon as the next wait would end more than
	// MaxElapsed after the first failure of the run, instead of starting
	// that wait. Zero means no limit.
	MaxElapsed time.Duration
	// ResetAfter is how long a connection must stay open, if it delivers
	// no event, to count as healthy. Zero means DefaultResetAfter.
	ResetAfter time.Duration
	// ShouldRetry, if not nil, has the last word on each failure: it is
	// called with the number of failed attempts in a row (1 for the first),
	// the error, and what the policy would do, and returns whether to try
	// again. err wraps [io.EOF] (test with [errors.Is]) when the server
	// ended the stream cleanly, which the policy retries only for a GET or
	// with [WithReopen]. MaxAttempts and MaxElapsed still apply when it
	// returns true.
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
	// Wait is the wait that would have ended past the policy's
	// MaxElapsed, or 0 when MaxAttempts ran out.
	Wait time.Duration
	Err  error // the last failure
}

func (e *RetryError) Error() string {
	attempts := "attempts"
	if e.Attempts == 1 {
		attempts = "attempt"
	}
	why := ""
	if e.Wait > 0 {
		why = fmt.Sprintf(" (the next wait, %v, would pass RetryPolicy.MaxElapsed)", e.Wait.Round(time.Millisecond))
	}
	return fmt.Sprintf("sse: gave up reconnecting after %d failed %s in %v%s: %s",
		e.Attempts, attempts, e.Elapsed.Round(time.Millisecond), why, strings.TrimPrefix(e.Err.Error(), "sse: "))
}

func (e *RetryError) Unwrap() []error { return []error{ErrGaveUp, e.Err} }

// run is a run of failed attempts in a row.
type run struct {
	failures int       // 0 when the last connection was healthy
	first    time.Time // of the first failure
}

// ending is everything the reconnect decision depends on, when an attempt
// has failed or a connection has ended.
type ending struct {
	run     run   // the run of failures so far
	err     error // why: errEndOfStream for a clean end, a *ResponseError for a rejected response
	healthy bool  // the connection proved healthy before it ended

	retry    time.Duration // the server's latest "retry", if hasRetry
	hasRetry bool

	method     string // of the request, for hints
	idempotent bool   // the request may be sent again after a failure
	reopen     bool   // the request is opened again after a clean end
	replayable bool   // the request's body can be sent again

	now  time.Time
	rand float64 // in [0, 1)
}

// decision is what follows an ending: another attempt after wait, or the
// end of the stream with err.
type decision struct {
	run     run // the run of failures, this one counted
	attempt int // the number of the next attempt in the run (1 or more)
	stop    bool
	wait    time.Duration // before the next attempt, unless stop
	// err is the failure, with a hint when the hint helps: what OnRetry
	// and the log get, or why the stream ends (nil for a clean end).
	err error
}

// decide says what follows an ending: whether the stream tries again,
// after which wait, or why it stops. It is a pure function of e and the
// policy (and of ShouldRetry, which the caller supplies).
func (p RetryPolicy) decide(e ending) decision {
	r, counted := e.count()
	d := decision{run: r, attempt: max(r.failures, 1)}
	var retry bool
	retry, d.err = e.mayRetry()
	if p.ShouldRetry != nil {
		retry = p.ShouldRetry(d.attempt, d.err, retry)
	}
	if !retry {
		if d.err == errEndOfStream {
			d.err = nil
		}
		d.stop = true
		return d
	}
	d.wait = p.wait(d.attempt, e.retry, e.hasRetry, e.retryAfter(), e.rand)
	if counted {
		if err := p.exhausted(r, e.now, d.wait, d.err); err != nil {
			d.stop, d.wait, d.err = true, 0, err
		}
	}
	return d
}

// count returns the run of failures with e counted in it, and whether e
// counts: a healthy connection ends the run before it, and the server's
// clean end of a healthy connection is no failure.
func (e ending) count() (run, bool) {
	r := e.run
	if e.healthy {
		r = run{}
	}
	if e.err == errEndOfStream && e.healthy {
		return r, false
	}
	r.failures++
	if r.failures == 1 {
		r.first = e.now
	}
	return r, true
}

// mayRetry reports whether the request may be sent again after e, before
// the policy's limits and ShouldRetry have their say, and returns the
// failure with a hint when a hint helps: why a request that is not
// idempotent, or whose body cannot be sent again, is not retried.
func (e ending) mayRetry() (bool, error) {
	clean := e.err == errEndOfStream
	retry := retryable(e.err)
	if clean && !e.reopen {
		retry = false
	}
	err := e.err
	if retry && !e.idempotent {
		retry = false
		if !clean && !errors.Is(e.err, ErrHTTPClientTimeout) {
			err = fmt.Errorf("%w (a %s request is not sent again unless the Client has WithRetryNonIdempotent(true) or WithReopen(true))", e.err, e.method)
		}
	}
	if retry && !e.replayable {
		retry = false
		err = fmt.Errorf("%w; set Request.GetBody to allow reconnecting, after: %w", ErrNotReplayable, e.err)
	}
	return retry, err
}

// retryAfter returns the wait that the response of e asks for with a
// Retry-After header, or 0.
func (e ending) retryAfter() time.Duration {
	var re *ResponseError
	if errors.As(e.err, &re) {
		return retryAfter(re.StatusCode, re.Header, e.now)
	}
	return 0
}

// exhausted returns the *RetryError that ends the run r when it has run
// out of attempts, or when a wait would end past MaxElapsed; otherwise
// nil. err is the run's latest failure.
func (p RetryPolicy) exhausted(r run, now time.Time, wait time.Duration, err error) error {
	elapsed := max(now.Sub(r.first), 0)
	switch {
	case p.MaxAttempts > 0 && r.failures >= p.MaxAttempts:
		return &RetryError{Attempts: r.failures, Elapsed: elapsed, Err: err}
	case p.MaxElapsed > 0 && (elapsed >= p.MaxElapsed || wait > p.MaxElapsed-elapsed):
		return &RetryError{Attempts: r.failures, Elapsed: elapsed, Wait: wait, Err: err}
	}
	return nil
}

// wait returns the wait before attempt (1 or more) of a run of failures,
// given the server's "retry" (if hasRetry), its Retry-After (or 0), and rnd
// in [0, 1).
func (p RetryPolicy) wait(attempt int, retry time.Duration, hasRetry bool, after time.Duration, rnd float64) time.Duration {
	base := p.baseDelay()
	if hasRetry {
		base = min(retry, p.maxServerDelay())
	}
	base = max(base, p.minDelay())
	return p.delay(attempt, base, min(after, p.maxServerDelay()), rnd)
}

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

func (p RetryPolicy) minDelay() time.Duration {
	switch {
	case p.MinDelay < 0:
		return 0
	case p.MinDelay == 0:
		return DefaultMinDelay
	}
	return p.MinDelay
}

func (p RetryPolicy) maxServerDelay() time.Duration {
	if p.MaxServerDelay > 0 {
		return p.MaxServerDelay
	}
	return DefaultMaxServerDelay
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
// Retry-After header, in seconds or as an HTTP date, or 0. The policy's
// MaxServerDelay bounds it.
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
		if secs > int64(math.MaxInt64/time.Second) {
			return math.MaxInt64
		}
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
	}
	return 0
}

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
