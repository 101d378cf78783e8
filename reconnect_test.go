package sse

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestRetryPolicyDelay(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		name    string
		policy  RetryPolicy
		attempt int
		base    time.Duration
		floor   time.Duration
		rnd     float64
		want    time.Duration
	}{
		{"first attempt waits the base", RetryPolicy{}, 1, time.Second, 0, 0, time.Second},
		{"doubles", RetryPolicy{}, 3, time.Second, 0, 0, 4 * time.Second},
		{"caps at MaxDelay", RetryPolicy{}, 10, time.Second, 0, 0, DefaultMaxDelay},
		{"custom cap", RetryPolicy{MaxDelay: 5 * time.Second}, 4, time.Second, 0, 0, 5 * time.Second},
		{"jitter adds up to Jitter", RetryPolicy{}, 1, time.Second, 0, 0.999, 1499500 * time.Microsecond},
		{"jitter at half", RetryPolicy{Jitter: 0.2}, 2, 100 * ms, 0, 0.5, 220 * ms},
		{"negative jitter turns it off", RetryPolicy{Jitter: -1}, 2, 100 * ms, 0, 0.9, 200 * ms},
		{"jitter never passes the cap", RetryPolicy{MaxDelay: 3 * time.Second}, 2, 2 * time.Second, 0, 0.9, 3 * time.Second},
		{"server retry above the cap is kept", RetryPolicy{}, 1, time.Minute, 0, 0.5, time.Minute},
		{"server retry above the cap does not grow", RetryPolicy{}, 5, time.Minute, 0, 0, time.Minute},
		{"zero base", RetryPolicy{}, 3, 0, 0, 0.5, 0},
		{"Retry-After is a floor", RetryPolicy{}, 1, time.Second, 10 * time.Second, 0, 10 * time.Second},
		{"Retry-After above the cap", RetryPolicy{}, 1, time.Second, time.Hour, 0, time.Hour},
		{"backoff above Retry-After", RetryPolicy{}, 4, time.Second, 2 * time.Second, 0, 8 * time.Second},
		{"huge attempt count", RetryPolicy{}, math.MaxInt32, time.Second, 0, 0.5, DefaultMaxDelay},
		{"huge base does not overflow", RetryPolicy{}, 70, time.Duration(math.MaxInt64), 0, 0.99, time.Duration(math.MaxInt64)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.policy.delay(tt.attempt, tt.base, tt.floor, tt.rnd)
			if got != tt.want {
				t.Errorf("delay(%d, %v, %v, %v) = %v, want %v", tt.attempt, tt.base, tt.floor, tt.rnd, got, tt.want)
			}
		})
	}
}

func TestRetryPolicyJitterBounds(t *testing.T) {
	p := RetryPolicy{BaseDelay: 100 * time.Millisecond, MaxDelay: 10 * time.Second, Jitter: 0.3}
	for attempt := 1; attempt <= 12; attempt++ {
		raw := min(100*time.Millisecond<<(attempt-1), 10*time.Second)
		for _, rnd := range []float64{0, 0.25, 0.5, 0.999999} {
			got := p.delay(attempt, p.baseDelay(), 0, rnd)
			hi := min(raw+time.Duration(float64(raw)*0.3), 10*time.Second)
			if got < raw || got > hi {
				t.Errorf("attempt %d, rnd %v: %v outside [%v, %v]", attempt, rnd, got, raw, hi)
			}
		}
	}
}

func TestRetryAfterHeader(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		code  int
		value string
		want  time.Duration
	}{
		{429, "120", 2 * time.Minute},
		{503, " 5 ", 5 * time.Second},
		{429, "Sun, 01 Mar 2026 12:00:30 GMT", 30 * time.Second},
		{429, "Sunday, 01-Mar-26 12:01:00 GMT", time.Minute},
		{429, "Sun, 01 Mar 2026 11:00:00 GMT", 0}, // in the past
		{429, "-3", 0},
		{429, "1.5", 0},
		{429, "", 0},
		{429, "99999999999999999", math.MaxInt64},
		{503, "99999999999", math.MaxInt64},
		{503, "9223372036", 9223372036 * time.Second},
		{503, "9223372037", math.MaxInt64},
		{500, "10", 0},
		{200, "10", 0},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d %q", tt.code, tt.value), func(t *testing.T) {
			h := http.Header{}
			if tt.value != "" {
				h.Set("Retry-After", tt.value)
			}
			if got := retryAfter(tt.code, h, now); got != tt.want {
				t.Errorf("retryAfter = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestRetryable(t *testing.T) {
	tests := []struct {
		err  error
		want bool
	}{
		{io.EOF, true},
		{io.ErrUnexpectedEOF, true},
		{fmt.Errorf("%w: no data", ErrIdleTimeout), true},
		{&ResponseError{StatusCode: 500, Err: ErrUnexpectedStatus}, true},
		{&ResponseError{StatusCode: 502, Err: ErrUnexpectedStatus}, true},
		{&ResponseError{StatusCode: 408, Err: ErrUnexpectedStatus}, true},
		{&ResponseError{StatusCode: 429, Err: ErrUnexpectedStatus}, true},
		{&ResponseError{StatusCode: 400, Err: ErrUnexpectedStatus}, false},
		{&ResponseError{StatusCode: 401, Err: ErrUnexpectedStatus}, false},
		{&ResponseError{StatusCode: 404, Err: ErrUnexpectedStatus}, false},
		{&ResponseError{StatusCode: 201, Err: ErrUnexpectedStatus}, false},
		{&ResponseError{StatusCode: 304, Err: ErrUnexpectedStatus}, false},
		{&ResponseError{StatusCode: 200, Err: ErrNotEventStream}, false},
		{&LimitError{Err: ErrLineTooLong, Limit: 1}, false},
		{&LimitError{Err: ErrEventTooLarge, Limit: 1}, false},
		{fmt.Errorf("wrapped: %w", ErrNotReplayable), false},
		{errors.New("connection reset by peer"), true},
	}
	for _, tt := range tests {
		if got := retryable(tt.err); got != tt.want {
			t.Errorf("retryable(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}

func TestIdempotent(t *testing.T) {
	tests := []struct {
		method string
		header string
		want   bool
	}{
		{"GET", "", true},
		{"", "", true},
		{"HEAD", "", true},
		{"PUT", "", true},
		{"DELETE", "", true},
		{"POST", "", false},
		{"PATCH", "", false},
		{"POST", "Idempotency-Key", true},
		{"POST", "X-Idempotency-Key", true},
	}
	for _, tt := range tests {
		req, _ := http.NewRequest(tt.method, "http://127.0.0.1/", nil)
		if tt.header != "" {
			req.Header.Set(tt.header, "k")
		}
		if got := idempotent(req); got != tt.want {
			t.Errorf("idempotent(%s, %q) = %v, want %v", tt.method, tt.header, got, tt.want)
		}
	}
}

func TestRetryErrorMessage(t *testing.T) {
	err := &RetryError{Attempts: 3, Elapsed: 7 * time.Second, Err: io.ErrUnexpectedEOF}
	want := "sse: gave up reconnecting after 3 failed attempts in 7s: unexpected EOF"
	if diff := cmp.Diff(want, err.Error()); diff != "" {
		t.Errorf("message (-want +got):\n%s", diff)
	}
	one := &RetryError{Attempts: 1, Elapsed: 1500 * time.Microsecond, Err: errors.New("sse: GET http://h/: unexpected status 502 Bad Gateway")}
	want = "sse: gave up reconnecting after 1 failed attempt in 2ms: GET http://h/: unexpected status 502 Bad Gateway"
	if diff := cmp.Diff(want, one.Error()); diff != "" {
		t.Errorf("message (-want +got):\n%s", diff)
	}
	if !errors.Is(err, ErrGaveUp) || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("a RetryError must wrap ErrGaveUp and its cause")
	}
}

// decided is what a test compares of a decision.
type decided struct {
	Failures int
	First    time.Time
	Attempt  int
	Stop     bool
	Wait     time.Duration
	Err      string
}

func TestRetryPolicyDecide(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	ms := time.Millisecond
	lost := errors.New("sse: connection to http://h/ lost: connection reset by peer")
	status := func(code int, header ...string) error {
		h := http.Header{}
		for i := 0; i+1 < len(header); i += 2 {
			h.Set(header[i], header[i+1])
		}
		return &ResponseError{StatusCode: code, Status: fmt.Sprint(code), Header: h, Err: ErrUnexpectedStatus, method: "GET", url: "http://h/"}
	}
	timeout := explainClientTimeout(fmt.Errorf("sse: POST http://h/: %w", &fakeTimeout{"context deadline exceeded (Client.Timeout or context cancellation while reading body)"}), time.Second)
	// get is the ending of a GET feed's first failure; each case changes it.
	get := func(change func(*ending)) ending {
		e := ending{err: lost, method: "GET", idempotent: true, reopen: true, replayable: true, now: t0}
		if change != nil {
			change(&e)
		}
		return e
	}
	post := func(change func(*ending)) ending {
		return get(func(e *ending) {
			e.method, e.idempotent, e.reopen = "POST", false, false
			if change != nil {
				change(e)
			}
		})
	}
	retry := func(d time.Duration) func(*ending) {
		return func(e *ending) { e.retry, e.hasRetry = d, true }
	}
	inRun := func(failures int, since time.Duration, change func(*ending)) func(*ending) {
		return func(e *ending) {
			e.run = run{failures: failures, first: t0.Add(-since)}
			if change != nil {
				change(e)
			}
		}
	}
	healthyEnd := func(change func(*ending)) func(*ending) {
		return func(e *ending) {
			e.err, e.healthy = errEndOfStream, true
			if change != nil {
				change(e)
			}
		}
	}
	then := func(fs ...func(*ending)) func(*ending) {
		return func(e *ending) {
			for _, f := range fs {
				f(e)
			}
		}
	}
	first := decided{Failures: 1, First: t0, Attempt: 1}
	with := func(d decided, change func(*decided)) decided { change(&d); return d }
	waits := func(w time.Duration) decided {
		return with(first, func(d *decided) { d.Wait, d.Err = w, lost.Error() })
	}

	tests := []struct {
		name   string
		policy RetryPolicy
		ending ending
		want   decided
	}{
		// The base and the floor.
		{"first failure waits the base delay", RetryPolicy{}, get(nil), waits(time.Second)},
		{"retry: 0 waits the floor", RetryPolicy{}, get(retry(0)), waits(DefaultMinDelay)},
		{"retry: 1 waits the floor", RetryPolicy{}, get(retry(ms)), waits(DefaultMinDelay)},
		{"a BaseDelay below the floor waits the floor", RetryPolicy{BaseDelay: 100 * ms}, get(nil), waits(DefaultMinDelay)},
		{"retry above the floor is kept", RetryPolicy{}, get(retry(700 * ms)), waits(700 * ms)},
		{"backoff grows from the floor", RetryPolicy{}, get(inRun(2, time.Second, retry(0))),
			decided{Failures: 3, First: t0.Add(-time.Second), Attempt: 3, Wait: 2 * time.Second, Err: lost.Error()}},
		{"backoff from the floor reaches the cap", RetryPolicy{}, get(inRun(9, time.Minute, retry(0))),
			decided{Failures: 10, First: t0.Add(-time.Minute), Attempt: 10, Wait: DefaultMaxDelay, Err: lost.Error()}},
		{"a lower floor", RetryPolicy{MinDelay: 10 * ms}, get(inRun(1, 0, retry(ms))),
			decided{Failures: 2, First: t0, Attempt: 2, Wait: 20 * ms, Err: lost.Error()}},
		{"no floor", RetryPolicy{MinDelay: -1}, get(retry(0)), waits(0)},
		{"no floor, retry: 1", RetryPolicy{MinDelay: -1}, get(retry(ms)), waits(ms)},
		{"a floor above MaxDelay wins", RetryPolicy{MinDelay: 2 * time.Second, MaxDelay: time.Second}, get(retry(0)), waits(2 * time.Second)},
		{"jitter lengthens the floored wait", RetryPolicy{}, get(then(retry(0), func(e *ending) { e.rand = 0.5 })), waits(625 * ms)},

		// Clean ends.
		{"a healthy clean end is no failure", RetryPolicy{}, get(healthyEnd(retry(0))),
			decided{Attempt: 1, Wait: DefaultMinDelay, Err: errEndOfStream.Error()}},
		{"a healthy clean end ends a run", RetryPolicy{MaxAttempts: 3}, get(inRun(2, time.Second, healthyEnd(nil))),
			decided{Attempt: 1, Wait: time.Second, Err: errEndOfStream.Error()}},
		{"a clean end without an event is a failure", RetryPolicy{}, get(func(e *ending) { e.err = errEndOfStream }),
			with(first, func(d *decided) { d.Wait, d.Err = time.Second, errEndOfStream.Error() })},
		{"retry: 0 and repeated unhealthy ends back off", RetryPolicy{}, get(inRun(3, 3*time.Second, then(retry(0), func(e *ending) { e.err = errEndOfStream }))),
			decided{Failures: 4, First: t0.Add(-3 * time.Second), Attempt: 4, Wait: 4 * time.Second, Err: errEndOfStream.Error()}},
		{"POST: a clean end ends the stream", RetryPolicy{}, post(healthyEnd(nil)), decided{Attempt: 1, Stop: true}},
		{"POST with WithRetryNonIdempotent: a clean end ends the stream", RetryPolicy{}, post(healthyEnd(func(e *ending) { e.idempotent = true })),
			decided{Attempt: 1, Stop: true}},
		{"PUT: a clean end ends the stream", RetryPolicy{}, get(healthyEnd(func(e *ending) { e.method, e.reopen = "PUT", false })),
			decided{Attempt: 1, Stop: true}},
		{"POST with WithReopen: a clean end reopens", RetryPolicy{}, post(healthyEnd(func(e *ending) { e.reopen, e.idempotent = true, true })),
			decided{Attempt: 1, Wait: time.Second, Err: errEndOfStream.Error()}},

		// Failures of requests that may not be sent again.
		{"POST: a failure ends the stream, with a hint", RetryPolicy{}, post(nil),
			with(first, func(d *decided) {
				d.Stop, d.Err = true, lost.Error()+" (a POST request is not sent again unless the Client has WithRetryNonIdempotent(true) or WithReopen(true))"
			})},
		{"POST: a Client.Timeout gets no retry hint", RetryPolicy{}, post(func(e *ending) { e.err = timeout }),
			with(first, func(d *decided) { d.Stop, d.Err = true, timeout.Error() })},
		{"GET: a Client.Timeout is retried", RetryPolicy{}, get(func(e *ending) { e.err = timeout }),
			with(first, func(d *decided) { d.Wait, d.Err = time.Second, timeout.Error() })},
		{"POST with WithRetryNonIdempotent: a failure retries", RetryPolicy{}, post(func(e *ending) { e.idempotent = true }), waits(time.Second)},
		{"a body without GetBody", RetryPolicy{}, get(func(e *ending) { e.replayable = false }),
			with(first, func(d *decided) {
				d.Stop, d.Err = true, ErrNotReplayable.Error()+"; set Request.GetBody to allow reconnecting, after: "+lost.Error()
			})},
		{"a 401 ends the stream", RetryPolicy{}, get(func(e *ending) { e.err = status(401) }),
			with(first, func(d *decided) { d.Stop, d.Err = true, status(401).Error() })},
		{"a limit error ends the stream", RetryPolicy{}, get(func(e *ending) { e.err = &LimitError{Err: ErrLineTooLong, Limit: 1} }),
			with(first, func(d *decided) { d.Stop, d.Err = true, (&LimitError{Err: ErrLineTooLong, Limit: 1}).Error() })},

		// Retry-After.
		{"Retry-After on a 503", RetryPolicy{}, get(func(e *ending) { e.err = status(503, "Retry-After", "10") }),
			with(first, func(d *decided) { d.Wait, d.Err = 10*time.Second, status(503).Error() })},
		{"Retry-After on a 500 is ignored", RetryPolicy{}, get(func(e *ending) { e.err = status(500, "Retry-After", "10") }),
			with(first, func(d *decided) { d.Wait, d.Err = time.Second, status(500).Error() })},
		{"a huge Retry-After waits MaxServerDelay", RetryPolicy{}, get(func(e *ending) { e.err = status(503, "Retry-After", "99999999999") }),
			with(first, func(d *decided) { d.Wait, d.Err = DefaultMaxServerDelay, status(503).Error() })},
		{"a huge Retry-After under a raised MaxServerDelay", RetryPolicy{MaxServerDelay: time.Hour}, get(func(e *ending) { e.err = status(429, "Retry-After", "99999999999") }),
			with(first, func(d *decided) { d.Wait, d.Err = time.Hour, status(429).Error() })},

		// A huge retry.
		{"a huge retry waits MaxServerDelay", RetryPolicy{}, get(retry(time.Hour)), waits(DefaultMaxServerDelay)},
		{"a huge retry after a healthy end waits MaxServerDelay", RetryPolicy{MaxElapsed: 500 * ms, MaxDelay: time.Second}, get(healthyEnd(retry(time.Hour))),
			decided{Attempt: 1, Wait: DefaultMaxServerDelay, Err: errEndOfStream.Error()}},
		{"a caller's MaxServerDelay caps retry", RetryPolicy{MaxServerDelay: 2 * time.Second}, get(healthyEnd(retry(time.Hour))),
			decided{Attempt: 1, Wait: 2 * time.Second, Err: errEndOfStream.Error()}},
		{"retry below MaxServerDelay is kept", RetryPolicy{MaxServerDelay: 2 * time.Second}, get(retry(1500 * ms)), waits(1500 * ms)},
		{"an uncapped 292-year retry does not overflow", RetryPolicy{MaxServerDelay: math.MaxInt64}, get(then(retry(math.MaxInt64), func(e *ending) { e.rand = 0.99 })),
			waits(math.MaxInt64)},

		// MaxElapsed bounds every wait.
		{"a huge retry gives up at once under MaxElapsed", RetryPolicy{MaxElapsed: 500 * ms, MaxDelay: time.Second}, get(retry(time.Hour)),
			with(first, func(d *decided) {
				d.Stop = true
				d.Err = (&RetryError{Attempts: 1, Wait: DefaultMaxServerDelay, Err: lost}).Error()
			})},
		{"a huge Retry-After gives up at once under MaxElapsed", RetryPolicy{MaxElapsed: 500 * ms, MaxDelay: time.Second},
			get(func(e *ending) { e.err = status(503, "Retry-After", "99999999999") }),
			with(first, func(d *decided) {
				d.Stop = true
				d.Err = (&RetryError{Attempts: 1, Wait: DefaultMaxServerDelay, Err: status(503)}).Error()
			})},
		{"a wait that ends past MaxElapsed gives up", RetryPolicy{MaxElapsed: 2 * time.Second}, get(inRun(1, 1500*ms, nil)),
			decided{Failures: 2, First: t0.Add(-1500 * ms), Attempt: 2, Stop: true,
				Err: (&RetryError{Attempts: 2, Elapsed: 1500 * ms, Wait: 2 * time.Second, Err: lost}).Error()}},
		{"a wait that ends at MaxElapsed is taken", RetryPolicy{MaxElapsed: 3 * time.Second}, get(inRun(1, time.Second, nil)),
			decided{Failures: 2, First: t0.Add(-time.Second), Attempt: 2, Wait: 2 * time.Second, Err: lost.Error()}},
		{"past MaxElapsed, even a zero wait gives up", RetryPolicy{MaxElapsed: time.Second, MinDelay: -1}, get(inRun(5, time.Second, retry(0))),
			decided{Failures: 6, First: t0.Add(-time.Second), Attempt: 6, Stop: true,
				Err: (&RetryError{Attempts: 6, Elapsed: time.Second, Err: lost}).Error()}},
		{"a clock that went back counts no time", RetryPolicy{MaxElapsed: 2 * time.Second}, get(inRun(1, -time.Hour, nil)),
			decided{Failures: 2, First: t0.Add(time.Hour), Attempt: 2, Wait: 2 * time.Second, Err: lost.Error()}},

		// MaxAttempts.
		{"MaxAttempts runs out", RetryPolicy{MaxAttempts: 3}, get(inRun(2, 3*time.Second, nil)),
			decided{Failures: 3, First: t0.Add(-3 * time.Second), Attempt: 3, Stop: true,
				Err: (&RetryError{Attempts: 3, Elapsed: 3 * time.Second, Err: lost}).Error()}},
		{"MaxAttempts of one", RetryPolicy{MaxAttempts: 1}, get(nil),
			with(first, func(d *decided) { d.Stop, d.Err = true, (&RetryError{Attempts: 1, Err: lost}).Error() })},

		// ShouldRetry.
		{"ShouldRetry retries a 401", RetryPolicy{ShouldRetry: func(int, error, bool) bool { return true }},
			get(func(e *ending) { e.err = status(401) }),
			with(first, func(d *decided) { d.Wait, d.Err = time.Second, status(401).Error() })},
		{"ShouldRetry stops a feed", RetryPolicy{ShouldRetry: func(int, error, bool) bool { return false }}, get(healthyEnd(nil)),
			decided{Attempt: 1, Stop: true}},
		{"ShouldRetry does not lift MaxAttempts", RetryPolicy{MaxAttempts: 1, ShouldRetry: func(int, error, bool) bool { return true }}, get(nil),
			with(first, func(d *decided) { d.Stop, d.Err = true, (&RetryError{Attempts: 1, Err: lost}).Error() })},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := tt.policy.decide(tt.ending)
			got := decided{Failures: d.run.failures, First: d.run.first, Attempt: d.attempt, Stop: d.stop, Wait: d.wait}
			if d.err != nil {
				got.Err = d.err.Error()
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("decide (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRetryPolicyDecideShouldRetryArguments(t *testing.T) {
	var got []string
	p := RetryPolicy{ShouldRetry: func(attempt int, err error, retry bool) bool {
		got = append(got, fmt.Sprint(attempt, " ", retry, " ", errors.Is(err, ErrUnexpectedStatus)))
		return retry
	}}
	r := run{}
	for _, err := range []error{&ResponseError{StatusCode: 502, Err: ErrUnexpectedStatus}, errEndOfStream, &ResponseError{StatusCode: 404, Err: ErrUnexpectedStatus}} {
		d := p.decide(ending{run: r, err: err, method: "GET", idempotent: true, reopen: true, replayable: true})
		r = d.run
	}
	if diff := cmp.Diff([]string{"1 true true", "2 true false", "3 false true"}, got); diff != "" {
		t.Errorf("ShouldRetry calls (-want +got):\n%s", diff)
	}
}

func TestRetryErrorGivesTheWait(t *testing.T) {
	err := &RetryError{Attempts: 1, Elapsed: 3 * time.Millisecond, Wait: 5 * time.Minute, Err: io.ErrUnexpectedEOF}
	want := "sse: gave up reconnecting after 1 failed attempt in 3ms (the next wait, 5m0s, would pass RetryPolicy.MaxElapsed): unexpected EOF"
	if diff := cmp.Diff(want, err.Error()); diff != "" {
		t.Errorf("message (-want +got):\n%s", diff)
	}
}

// fakeTimeout is an error like the one net/http returns when a Client's
// Timeout passes.
type fakeTimeout struct{ msg string }

func (e *fakeTimeout) Error() string        { return e.msg }
func (e *fakeTimeout) Timeout() bool        { return true }
func (e *fakeTimeout) Is(target error) bool { return target == context.DeadlineExceeded }

// TestRetryPolicyDecideEveryCombination runs decide over every
// combination of the request's kind, the connection's health and the
// kind of ending, and checks it against the rules as the docs state them.
func TestRetryPolicyDecideEveryCombination(t *testing.T) {
	lost := errors.New("connection reset")
	endings := map[string]error{
		"clean end":     errEndOfStream,
		"dropped":       lost,
		"503":           &ResponseError{StatusCode: 503, Err: ErrUnexpectedStatus},
		"401":           &ResponseError{StatusCode: 401, Err: ErrUnexpectedStatus},
		"line too long": &LimitError{Err: ErrLineTooLong, Limit: 1},
	}
	for name, err := range endings {
		for _, idempotent := range []bool{false, true} {
			for _, reopen := range []bool{false, true} {
				for _, replayable := range []bool{false, true} {
					for _, healthy := range []bool{false, true} {
						e := ending{err: err, healthy: healthy, method: "X", idempotent: idempotent || reopen, reopen: reopen, replayable: replayable}
						d := RetryPolicy{}.decide(e)
						clean := err == errEndOfStream
						mendable := clean || err == lost || name == "503"
						wantRetry := mendable && replayable && e.idempotent && (!clean || reopen)
						wantFailures := 1
						if clean && healthy {
							wantFailures = 0
						}
						got := fmt.Sprint(!d.stop, d.run.failures, d.wait >= DefaultMinDelay || d.stop)
						want := fmt.Sprint(wantRetry, wantFailures, true)
						if got != want {
							t.Errorf("%s, idempotent %v, reopen %v, replayable %v, healthy %v: retry, failures, floored = %s, want %s",
								name, idempotent, reopen, replayable, healthy, got, want)
						}
						if d.stop && clean && d.err != nil && replayable {
							t.Errorf("%s: a clean end that is not reopened ends with %v, want nil", name, d.err)
						}
					}
				}
			}
		}
	}
}
