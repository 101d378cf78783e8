package sse

// The waits between a Client's attempts, through the fake clock: backoff,
// the server's retry field and Retry-After, the floor, the bounds, and
// when a run of failures starts again.

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestClientRetriesServerErrorThenStreams(t *testing.T) {
	clk := NewFakeClock()
	srv := newScript(t, serveStatus(http.StatusInternalServerError, "oops"), serveStream("data: ok\n\n"), serveStatus(http.StatusNoContent, ""))
	var retries []string
	c := NewClient(WithHTTPClient(srv.srv.Client()), clk.Option(), WithHooks(Hooks{
		OnRetry: func(attempt int, d time.Duration, err error) {
			retries = append(retries, fmt.Sprintf("%d %v %v", attempt, d, errors.Is(err, ErrUnexpectedStatus)))
		},
	}))
	evs, err := collect(c.Connect(newGet(t, srv.srv.URL)))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]Event{{Type: "message", Data: "ok"}}, evs); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	// rnd is 0: no jitter. The first wait is the base delay; after the
	// healthy connection the run of failures starts again.
	if diff := cmp.Diff([]string{"1 1s true", "1 1s false"}, retries); diff != "" {
		t.Errorf("retries (-want +got):\n%s", diff)
	}
}

func TestClientRetryAfter(t *testing.T) {
	for _, tt := range []struct {
		name   string
		code   int
		header string
		want   time.Duration
	}{
		{"429 seconds", http.StatusTooManyRequests, "7", 7 * time.Second},
		{"503 seconds", http.StatusServiceUnavailable, "3", 3 * time.Second},
		{"429 date", http.StatusTooManyRequests, "Fri, 02 Jan 2026 03:04:25 GMT", 20 * time.Second},
		{"429 shorter than backoff", http.StatusTooManyRequests, "0", time.Second},
		{"429 garbage", http.StatusTooManyRequests, "soon", time.Second},
		{"500 ignores it", http.StatusInternalServerError, "9", time.Second},
	} {
		t.Run(tt.name, func(t *testing.T) {
			clk := NewFakeClock()
			srv := newScript(t, serveStatus(tt.code, "", "Retry-After", tt.header), serveStatus(http.StatusNoContent, ""))
			c := NewClient(WithHTTPClient(srv.srv.Client()), clk.Option())
			if _, err := collect(c.Connect(newGet(t, srv.srv.URL))); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]time.Duration{tt.want}, clk.Waits()); diff != "" {
				t.Errorf("waits (-want +got):\n%s", diff)
			}
		})
	}
}

func TestClientRetryFieldSetsWait(t *testing.T) {
	clk := NewFakeClock()
	srv := newScript(t, serveStream("retry: 2500\n"), serveStream("retry: 40\n"), serveStatus(http.StatusNoContent, ""))
	// No floor, so that the 40 ms counts as sent.
	c := NewClient(WithHTTPClient(srv.srv.Client()), clk.Option(), WithRetryPolicy(RetryPolicy{MinDelay: -1}))
	if _, err := collect(c.Connect(newGet(t, srv.srv.URL))); err != nil {
		t.Fatal(err)
	}
	// Both connections ended without an event and at once: the second
	// wait is the second attempt of a run, so the 40 ms base is doubled.
	want := []time.Duration{2500 * time.Millisecond, 80 * time.Millisecond}
	if diff := cmp.Diff(want, clk.Waits()); diff != "" {
		t.Errorf("waits (-want +got):\n%s", diff)
	}
}

func TestClientBackoffGrowsCapsAndResets(t *testing.T) {
	clk := NewFakeClock()
	fail := serveStatus(http.StatusInternalServerError, "")
	handlers := []http.HandlerFunc{fail, fail, fail, fail, fail, fail}
	handlers = append(handlers, serveStream("data: healthy\n\n"), fail, fail, serveStatus(http.StatusNoContent, ""))
	srv := newScript(t, handlers...)
	c := NewClient(WithHTTPClient(srv.srv.Client()), clk.Option(),
		WithRetryPolicy(RetryPolicy{BaseDelay: 100 * time.Millisecond, MinDelay: 100 * time.Millisecond, MaxDelay: time.Second, Jitter: -1}))
	if _, err := collect(c.Connect(newGet(t, srv.srv.URL))); err != nil {
		t.Fatal(err)
	}
	ms := time.Millisecond
	// The healthy connection's clean end waits the base delay, and the
	// failures after it start a new run.
	want := []time.Duration{100 * ms, 200 * ms, 400 * ms, 800 * ms, time.Second, time.Second, 100 * ms, 100 * ms, 200 * ms}
	if diff := cmp.Diff(want, clk.Waits()); diff != "" {
		t.Errorf("waits (-want +got):\n%s", diff)
	}
}

func TestClientGivesUp(t *testing.T) {
	for _, tt := range []struct {
		name   string
		policy RetryPolicy
		want   int
	}{
		{"MaxAttempts", RetryPolicy{MaxAttempts: 3}, 3},
		{"MaxElapsed", RetryPolicy{MaxElapsed: 5 * time.Second, Jitter: -1}, 3}, // waits 1+2 s; the next 4 s would end past 5 s
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := newScript(t, serveStatus(http.StatusBadGateway, ""))
			c := NewClient(WithHTTPClient(srv.srv.Client()), NewFakeClock().Option(), WithRetryPolicy(tt.policy))
			_, err := collect(c.Connect(newGet(t, srv.srv.URL)))
			var re *RetryError
			if !errors.As(err, &re) || !errors.Is(err, ErrGaveUp) || !errors.Is(err, ErrUnexpectedStatus) {
				t.Fatalf("Err() = %v; want a *RetryError wrapping ErrGaveUp and the 502", err)
			}
			if re.Attempts != tt.want || len(srv.requests()) != tt.want {
				t.Errorf("gave up after %d attempts and %d requests, want %d", re.Attempts, len(srv.requests()), tt.want)
			}
		})
	}
}

func TestClientShouldRetryDecides(t *testing.T) {
	srv := newScript(t, serveStatus(http.StatusUnauthorized, ""), serveStream("data: x\n\n"), serveStatus(http.StatusNoContent, ""))
	var asked []string
	c := NewClient(WithHTTPClient(srv.srv.Client()), NewFakeClock().Option(), WithRetryPolicy(RetryPolicy{
		ShouldRetry: func(attempt int, err error, retry bool) bool {
			asked = append(asked, fmt.Sprintf("%d %v %v", attempt, errors.Is(err, ErrUnexpectedStatus), retry))
			return errors.Is(err, ErrUnexpectedStatus) // retry the 401, not the clean end
		},
	}))
	evs, err := collect(c.Connect(newGet(t, srv.srv.URL)))
	if err != nil || len(evs) != 1 {
		t.Fatalf("got %v, %v", evs, err)
	}
	if diff := cmp.Diff([]string{"1 true false", "1 false true"}, asked); diff != "" {
		t.Errorf("ShouldRetry calls (-want +got):\n%s", diff)
	}
}

func TestClientHealthyByTime(t *testing.T) {
	clk := NewFakeClock()
	srv := newScript(t,
		serveStatus(http.StatusBadGateway, ""),
		serveStatus(http.StatusBadGateway, ""),
		serveStream(": quiet but open\n"),
		serveStatus(http.StatusBadGateway, ""),
		serveStatus(http.StatusNoContent, ""),
	)
	// The third connection stays open for ResetAfter without an event.
	c := NewClient(WithHTTPClient(srv.srv.Client()), clk.Option(),
		WithHooks(Hooks{OnConnect: func(*http.Response) { clk.Advance(DefaultResetAfter) }}))
	if _, err := collect(c.Connect(newGet(t, srv.srv.URL))); err != nil {
		t.Fatal(err)
	}
	want := []time.Duration{time.Second, 2 * time.Second, time.Second, time.Second}
	if diff := cmp.Diff(want, clk.Waits()); diff != "" {
		t.Errorf("waits (-want +got):\n%s", diff)
	}
}

func TestClientCleanEndOfHealthyConnectionIsNoFailure(t *testing.T) {
	clk := NewFakeClock()
	srv := newScript(t,
		serveStream("data: 1\n\n"), serveStream("data: 2\n\n"), serveStream("data: 3\n\n"),
		serveStatus(http.StatusBadGateway, ""), serveStream("data: 4\n\n"), serveStatus(http.StatusNoContent, ""))
	var disconnects []string
	c := NewClient(WithHTTPClient(srv.srv.Client()), clk.Option(), maxAttempts(2), WithHooks(Hooks{
		OnDisconnect: func(err error) {
			disconnects = append(disconnects, fmt.Sprint(errors.Is(err, io.EOF), errors.Is(err, ErrNoContent)))
		},
	}))
	evs, err := collect(c.Connect(newGet(t, srv.srv.URL)))
	if err != nil || len(evs) != 4 {
		t.Fatalf("got %d events, %v; want 4 events and nil: clean ends must not use up MaxAttempts", len(evs), err)
	}
	want := []string{"true false", "true false", "true false", "false false", "true false", "false true"}
	if diff := cmp.Diff(want, disconnects); diff != "" {
		t.Errorf("OnDisconnect (io.EOF, ErrNoContent) (-want +got):\n%s", diff)
	}
	ms := time.Millisecond
	if diff := cmp.Diff([]time.Duration{1000 * ms, 1000 * ms, 1000 * ms, 1000 * ms, 1000 * ms}, clk.Waits()); diff != "" {
		t.Errorf("waits (-want +got):\n%s", diff)
	}
}

// TestClientFloorAgainstRetryZero plays servers that send "retry: 0": the
// waits never fall under the floor, and grow while the failures repeat.
func TestClientFloorAgainstRetryZero(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		name     string
		handlers []http.HandlerFunc
		want     []time.Duration
	}{
		{
			// A healthy connection each time: no run of failures, so the
			// wait stays at the floor, as a browser's would.
			name:     "an event, then the end",
			handlers: []http.HandlerFunc{serveStream("retry: 0\ndata: x\n\n")},
			want:     []time.Duration{500 * ms, 500 * ms, 500 * ms, 500 * ms, 500 * ms},
		},
		{
			name:     "no event, then the end",
			handlers: []http.HandlerFunc{serveStream("retry: 0\n\n")},
			want:     []time.Duration{500 * ms, 1000 * ms, 2000 * ms, 4000 * ms, 8000 * ms},
		},
		{
			name:     "retry: 0, then 500s",
			handlers: []http.HandlerFunc{serveStream("retry: 0\n\n"), serveStatus(http.StatusInternalServerError, "")},
			want:     []time.Duration{500 * ms, 1000 * ms, 2000 * ms, 4000 * ms, 8000 * ms},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := NewFakeClock()
			srv := newScript(t, tt.handlers...)
			c := NewClient(WithHTTPClient(srv.srv.Client()), clk.Option(), WithRetryPolicy(RetryPolicy{Jitter: -1}))
			// The script ends the stream with a 204 after maxScriptRequests.
			if _, err := collect(c.Connect(newGet(t, srv.srv.URL))); err != nil {
				t.Fatal(err)
			}
			got := clk.Waits()
			if len(got) > len(tt.want) {
				got = got[:len(tt.want)]
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("waits (-want +got):\n%s", diff)
			}
		})
	}
}

// TestClientMaxElapsedBoundsEveryWait checks that a wait the server asks
// for never outlasts the policy's MaxElapsed during a run of failures,
// and that MaxServerDelay caps it after a healthy end.
func TestClientMaxElapsedBoundsEveryWait(t *testing.T) {
	policy := RetryPolicy{MaxElapsed: 500 * time.Millisecond, MaxDelay: time.Second}
	tests := []struct {
		name      string
		handler   http.HandlerFunc
		wantWaits []time.Duration
	}{
		{"retry: 3600000 and no event", serveStream("retry: 3600000\n\n"), nil},
		{"retry: 292 years and no event", serveStream("retry: 99999999999999999999\n\n"), nil},
		{"Retry-After: 99999999999", serveStatus(http.StatusServiceUnavailable, "", "Retry-After", "99999999999"), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := NewFakeClock()
			srv := newScript(t, tt.handler)
			c := NewClient(WithHTTPClient(srv.srv.Client()), clk.Option(), WithRetryPolicy(policy))
			_, err := collect(c.Connect(newGet(t, srv.srv.URL)))
			var re *RetryError
			if !errors.As(err, &re) || re.Attempts != 1 || re.Wait != DefaultMaxServerDelay {
				t.Fatalf("Err() = %v; want a *RetryError after 1 attempt, for a wait of %v", err, DefaultMaxServerDelay)
			}
			if diff := cmp.Diff(tt.wantWaits, clk.Waits()); diff != "" {
				t.Errorf("waits (-want +got):\n%s", diff)
			}
			if n := len(srv.requests()); n != 1 {
				t.Errorf("%d requests, want 1", n)
			}
		})
	}

	t.Run("a healthy end waits MaxServerDelay", func(t *testing.T) {
		for _, tt := range []struct {
			policy RetryPolicy
			want   time.Duration
		}{
			{policy, DefaultMaxServerDelay},
			{RetryPolicy{MaxServerDelay: 2 * time.Second, Jitter: -1}, 2 * time.Second},
		} {
			clk := NewFakeClock()
			srv := newScript(t, serveStream("retry: 3600000\ndata: x\n\n"), serveStatus(http.StatusNoContent, ""))
			c := NewClient(WithHTTPClient(srv.srv.Client()), clk.Option(), WithRetryPolicy(tt.policy))
			if _, err := collect(c.Connect(newGet(t, srv.srv.URL))); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]time.Duration{tt.want}, clk.Waits()); diff != "" {
				t.Errorf("waits (-want +got):\n%s", diff)
			}
		}
	})
}
