package sse

import (
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
		{429, "99999999999999999", maxRetryAfter},
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
