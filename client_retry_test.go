package sse_test

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

	"github.com/ssekit/sse"
	"github.com/ssekit/sse/ssetest"
)

func TestClientRetriesServerErrorThenStreams(t *testing.T) {
	clk := sse.NewFakeClock()
	srv := serve(t, ssetest.Status(http.StatusInternalServerError, "oops"), ssetest.Stream(ssetest.Raw("data: ok\n\n")), ssetest.NoContent())
	var retries []string
	c := sse.NewClient(sse.WithHTTPClient(srv.Client()), clk.Option(), sse.WithHooks(sse.Hooks{
		OnRetry: func(attempt int, d time.Duration, err error) {
			retries = append(retries, fmt.Sprintf("%d %v %v", attempt, d, errors.Is(err, sse.ErrUnexpectedStatus)))
		},
	}))
	evs, err := collect(c.Connect(request(t, http.MethodGet, srv.URL, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]sse.Event{{Type: "message", Data: "ok"}}, evs); diff != "" {
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
			clk := sse.NewFakeClock()
			srv := serve(t, ssetest.Status(tt.code, "").With("Retry-After", tt.header), ssetest.NoContent())
			c := sse.NewClient(sse.WithHTTPClient(srv.Client()), clk.Option())
			if _, err := collect(c.Connect(request(t, http.MethodGet, srv.URL, nil))); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]time.Duration{tt.want}, clk.Waits()); diff != "" {
				t.Errorf("waits (-want +got):\n%s", diff)
			}
		})
	}
}

func TestClientRetryFieldSetsWait(t *testing.T) {
	clk := sse.NewFakeClock()
	srv := serve(t, ssetest.Stream(ssetest.Raw("retry: 2500\n")), ssetest.Stream(ssetest.Raw("retry: 40\n")), ssetest.NoContent())
	// No floor, so that the 40 ms counts as sent.
	c := sse.NewClient(sse.WithHTTPClient(srv.Client()), clk.Option(), sse.WithRetryPolicy(sse.RetryPolicy{MinDelay: -1}))
	if _, err := collect(c.Connect(request(t, http.MethodGet, srv.URL, nil))); err != nil {
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
	clk := sse.NewFakeClock()
	fail := ssetest.Status(http.StatusInternalServerError, "")
	script := []ssetest.Response{fail, fail, fail, fail, fail, fail}
	script = append(script, ssetest.Stream(ssetest.Raw("data: healthy\n\n")), fail, fail, ssetest.NoContent())
	srv := serve(t, script...)
	c := sse.NewClient(sse.WithHTTPClient(srv.Client()), clk.Option(),
		sse.WithRetryPolicy(sse.RetryPolicy{BaseDelay: 100 * time.Millisecond, MinDelay: 100 * time.Millisecond, MaxDelay: time.Second, Jitter: -1}))
	if _, err := collect(c.Connect(request(t, http.MethodGet, srv.URL, nil))); err != nil {
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
		policy sse.RetryPolicy
		want   int
	}{
		{"MaxAttempts", sse.RetryPolicy{MaxAttempts: 3}, 3},
		{"MaxElapsed", sse.RetryPolicy{MaxElapsed: 5 * time.Second, Jitter: -1}, 3}, // waits 1+2 s; the next 4 s would end past 5 s
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := serve(t, ssetest.Status(http.StatusBadGateway, ""))
			c := sse.NewClient(sse.WithHTTPClient(srv.Client()), sse.NewFakeClock().Option(), sse.WithRetryPolicy(tt.policy))
			_, err := collect(c.Connect(request(t, http.MethodGet, srv.URL, nil)))
			var re *sse.RetryError
			if !errors.As(err, &re) || !errors.Is(err, sse.ErrGaveUp) || !errors.Is(err, sse.ErrUnexpectedStatus) {
				t.Fatalf("Err() = %v; want a *sse.RetryError wrapping sse.ErrGaveUp and the 502", err)
			}
			if re.Attempts != tt.want || len(srv.Requests()) != tt.want {
				t.Errorf("gave up after %d attempts and %d requests, want %d", re.Attempts, len(srv.Requests()), tt.want)
			}
		})
	}
}

func TestClientShouldRetryDecides(t *testing.T) {
	srv := serve(t, ssetest.Status(http.StatusUnauthorized, ""), ssetest.Stream(ssetest.Raw("data: x\n\n")), ssetest.NoContent())
	var asked []string
	c := sse.NewClient(sse.WithHTTPClient(srv.Client()), sse.NewFakeClock().Option(), sse.WithRetryPolicy(sse.RetryPolicy{
		ShouldRetry: func(attempt int, err error, retry bool) bool {
			asked = append(asked, fmt.Sprintf("%d %v %v", attempt, errors.Is(err, sse.ErrUnexpectedStatus), retry))
			return errors.Is(err, sse.ErrUnexpectedStatus) // retry the 401, not the clean end
		},
	}))
	evs, err := collect(c.Connect(request(t, http.MethodGet, srv.URL, nil)))
	if err != nil || len(evs) != 1 {
		t.Fatalf("got %v, %v", evs, err)
	}
	if diff := cmp.Diff([]string{"1 true false", "1 false true"}, asked); diff != "" {
		t.Errorf("ShouldRetry calls (-want +got):\n%s", diff)
	}
}

func TestClientHealthyByTime(t *testing.T) {
	clk := sse.NewFakeClock()
	srv := serve(t,
		ssetest.Status(http.StatusBadGateway, ""),
		ssetest.Status(http.StatusBadGateway, ""),
		ssetest.Stream(ssetest.Raw(": quiet but open\n")),
		ssetest.Status(http.StatusBadGateway, ""),
		ssetest.NoContent(),
	)
	// The third connection stays open for ResetAfter without an event.
	c := sse.NewClient(sse.WithHTTPClient(srv.Client()), clk.Option(),
		sse.WithHooks(sse.Hooks{OnConnect: func(*http.Response) { clk.Advance(sse.DefaultResetAfter) }}))
	if _, err := collect(c.Connect(request(t, http.MethodGet, srv.URL, nil))); err != nil {
		t.Fatal(err)
	}
	want := []time.Duration{time.Second, 2 * time.Second, time.Second, time.Second}
	if diff := cmp.Diff(want, clk.Waits()); diff != "" {
		t.Errorf("waits (-want +got):\n%s", diff)
	}
}

func TestClientCleanEndOfHealthyConnectionIsNoFailure(t *testing.T) {
	clk := sse.NewFakeClock()
	srv := serve(t,
		ssetest.Stream(ssetest.Raw("data: 1\n\n")), ssetest.Stream(ssetest.Raw("data: 2\n\n")), ssetest.Stream(ssetest.Raw("data: 3\n\n")),
		ssetest.Status(http.StatusBadGateway, ""), ssetest.Stream(ssetest.Raw("data: 4\n\n")), ssetest.NoContent())
	var disconnects []string
	c := sse.NewClient(sse.WithHTTPClient(srv.Client()), clk.Option(), sse.WithRetryPolicy(sse.RetryPolicy{MaxAttempts: 2}), sse.WithHooks(sse.Hooks{
		OnDisconnect: func(err error) {
			disconnects = append(disconnects, fmt.Sprint(errors.Is(err, io.EOF), errors.Is(err, sse.ErrNoContent)))
		},
	}))
	evs, err := collect(c.Connect(request(t, http.MethodGet, srv.URL, nil)))
	if err != nil || len(evs) != 4 {
		t.Fatalf("got %d events, %v; want 4 events and nil: clean ends must not use up MaxAttempts", len(evs), err)
	}
	want := []string{"true false", "true false", "true false", "false false", "true false", "false true"}
	if diff := cmp.Diff(want, disconnects); diff != "" {
		t.Errorf("OnDisconnect (io.EOF, sse.ErrNoContent) (-want +got):\n%s", diff)
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
		name   string
		script []ssetest.Response
		want   []time.Duration
	}{
		{
			// A healthy connection each time: no run of failures, so the
			// wait stays at the floor, as a browser's would.
			name:   "an event, then the end",
			script: []ssetest.Response{ssetest.Stream(ssetest.Raw("retry: 0\ndata: x\n\n"))},
			want:   []time.Duration{500 * ms, 500 * ms, 500 * ms, 500 * ms, 500 * ms},
		},
		{
			name:   "no event, then the end",
			script: []ssetest.Response{ssetest.Stream(ssetest.Raw("retry: 0\n\n"))},
			want:   []time.Duration{500 * ms, 1000 * ms, 2000 * ms, 4000 * ms, 8000 * ms},
		},
		{
			name:   "retry: 0, then 500s",
			script: []ssetest.Response{ssetest.Stream(ssetest.Raw("retry: 0\n\n")), ssetest.Status(http.StatusInternalServerError, "")},
			want:   []time.Duration{500 * ms, 1000 * ms, 2000 * ms, 4000 * ms, 8000 * ms},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := sse.NewFakeClock()
			// The last response again until there are more than the
			// waits to check, then a 204 that ends the stream.
			script := tt.script
			for len(script) <= len(tt.want) {
				script = append(script, script[len(script)-1])
			}
			srv := serve(t, append(script, ssetest.NoContent())...)
			c := sse.NewClient(sse.WithHTTPClient(srv.Client()), clk.Option(), sse.WithRetryPolicy(sse.RetryPolicy{Jitter: -1}))
			if _, err := collect(c.Connect(request(t, http.MethodGet, srv.URL, nil))); err != nil {
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
	policy := sse.RetryPolicy{MaxElapsed: 500 * time.Millisecond, MaxDelay: time.Second}
	tests := []struct {
		name      string
		response  ssetest.Response
		wantWaits []time.Duration
	}{
		{"retry: 3600000 and no event", ssetest.Stream(ssetest.Raw("retry: 3600000\n\n")), nil},
		{"retry: 292 years and no event", ssetest.Stream(ssetest.Raw("retry: 99999999999999999999\n\n")), nil},
		{"Retry-After: 99999999999", ssetest.Status(http.StatusServiceUnavailable, "").With("Retry-After", "99999999999"), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := sse.NewFakeClock()
			srv := serve(t, tt.response)
			c := sse.NewClient(sse.WithHTTPClient(srv.Client()), clk.Option(), sse.WithRetryPolicy(policy))
			_, err := collect(c.Connect(request(t, http.MethodGet, srv.URL, nil)))
			var re *sse.RetryError
			if !errors.As(err, &re) || re.Attempts != 1 || re.Wait != sse.DefaultMaxServerDelay {
				t.Fatalf("Err() = %v; want a *sse.RetryError after 1 attempt, for a wait of %v", err, sse.DefaultMaxServerDelay)
			}
			if diff := cmp.Diff(tt.wantWaits, clk.Waits()); diff != "" {
				t.Errorf("waits (-want +got):\n%s", diff)
			}
			if n := len(srv.Requests()); n != 1 {
				t.Errorf("%d requests, want 1", n)
			}
		})
	}

	t.Run("a healthy end waits MaxServerDelay", func(t *testing.T) {
		for _, tt := range []struct {
			policy sse.RetryPolicy
			want   time.Duration
		}{
			{policy, sse.DefaultMaxServerDelay},
			{sse.RetryPolicy{MaxServerDelay: 2 * time.Second, Jitter: -1}, 2 * time.Second},
		} {
			clk := sse.NewFakeClock()
			srv := serve(t, ssetest.Stream(ssetest.Raw("retry: 3600000\ndata: x\n\n")), ssetest.NoContent())
			c := sse.NewClient(sse.WithHTTPClient(srv.Client()), clk.Option(), sse.WithRetryPolicy(tt.policy))
			if _, err := collect(c.Connect(request(t, http.MethodGet, srv.URL, nil))); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]time.Duration{tt.want}, clk.Waits()); diff != "" {
				t.Errorf("waits (-want +got):\n%s", diff)
			}
		}
	})
}
