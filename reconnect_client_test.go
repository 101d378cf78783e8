package sse

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestClientReopenTable checks the table in the docs of WithReopen and
// WithRetryNonIdempotent, cell by cell, against a server that fails once,
// then ends two streams cleanly, then answers 204.
func TestClientReopenTable(t *testing.T) {
	tests := []struct {
		method        string
		reopen, retry bool
		wantRequests  int
		wantData      []string
		wantStatus    int // of the error that ends the stream; 0 for nil
	}{
		{"POST", false, false, 1, nil, http.StatusBadGateway},
		{"POST", false, true, 2, []string{"1"}, 0},
		{"POST", true, false, 4, []string{"1", "2"}, 0},
		{"POST", true, true, 4, []string{"1", "2"}, 0},
		{"REPORT", true, false, 4, []string{"1", "2"}, 0},
		// Idempotent, so retried after the failure; reopened only when asked.
		{"PUT", false, false, 2, []string{"1"}, 0},
		{"PUT", true, false, 4, []string{"1", "2"}, 0},
		// A GET is a feed either way.
		{"GET", false, false, 4, []string{"1", "2"}, 0},
		{"GET", true, true, 4, []string{"1", "2"}, 0},
	}
	for _, tt := range tests {
		t.Run(strings.Join([]string{tt.method, boolName("reopen", tt.reopen), boolName("retry", tt.retry)}, "/"), func(t *testing.T) {
			srv := newScript(t, serveStatus(http.StatusBadGateway, ""), serveStream("data: 1\n\n"), serveStream("data: 2\n\n"), serveStatus(http.StatusNoContent, ""))
			var body *strings.Reader
			if tt.method != http.MethodGet {
				body = strings.NewReader("prompt")
			}
			req := newGet(t, srv.srv.URL)
			if body != nil {
				req, _ = http.NewRequest(tt.method, srv.srv.URL, body)
			}
			c := NewClient(WithHTTPClient(srv.srv.Client()), NewFakeClock().Option(), maxAttempts(5),
				WithReopen(tt.reopen), WithRetryNonIdempotent(tt.retry))
			evs, err := collect(c.Connect(req))
			var data []string
			for _, ev := range evs {
				data = append(data, ev.Data)
			}
			if diff := cmp.Diff(tt.wantData, data); diff != "" {
				t.Errorf("events (-want +got):\n%s", diff)
			}
			var re *ResponseError
			switch {
			case tt.wantStatus == 0 && err != nil:
				t.Errorf("Err() = %v, want nil", err)
			case tt.wantStatus != 0 && (!errors.As(err, &re) || re.StatusCode != tt.wantStatus):
				t.Errorf("Err() = %v, want the %d", err, tt.wantStatus)
			}
			reqs := srv.requests()
			if len(reqs) != tt.wantRequests {
				t.Fatalf("%d requests, want %d", len(reqs), tt.wantRequests)
			}
			for i, r := range reqs {
				if want := body != nil; want && r.Body != "prompt" {
					t.Errorf("request %d sent body %q, want the body again from GetBody", i, r.Body)
				}
			}
		})
	}
}

func boolName(name string, b bool) string {
	if b {
		return name
	}
	return "no-" + name
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

// TestClientHTTPClientTimeout checks that a stream cut by the Timeout of
// its http.Client says so: a GET reconnects, a POST ends with the error,
// and neither suggests WithRetryNonIdempotent.
func TestClientHTTPClientTimeout(t *testing.T) {
	stall := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		io.WriteString(w, "id: 1\ndata: first\n\n")
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	}
	slowHeaders := func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }
	tests := []struct {
		name     string
		method   string
		retry    bool // WithRetryNonIdempotent
		handler  http.HandlerFunc
		wantEvs  int
		wantReqs int
	}{
		{"GET, cut while reading", http.MethodGet, false, stall, 2, 3},
		{"GET, cut while awaiting headers", http.MethodGet, false, slowHeaders, 0, 3},
		{"POST, cut while reading", http.MethodPost, false, stall, 1, 1},
		{"POST, cut while awaiting headers", http.MethodPost, false, slowHeaders, 0, 1},
		{"POST with WithRetryNonIdempotent, cut while reading", http.MethodPost, true, stall, 2, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newScript(t, tt.handler, tt.handler, serveStatus(http.StatusNoContent, ""))
			hc := srv.srv.Client()
			hc.Timeout = 100 * time.Millisecond
			var disconnects []error
			c := NewClient(WithHTTPClient(hc), NewFakeClock().Option(), WithRetryNonIdempotent(tt.retry),
				WithHooks(Hooks{OnDisconnect: func(err error) { disconnects = append(disconnects, err) }}))
			req, _ := http.NewRequest(tt.method, srv.srv.URL, strings.NewReader("prompt"))
			evs, err := collect(c.Connect(req))
			if len(evs) != tt.wantEvs || len(srv.requests()) != tt.wantReqs {
				t.Errorf("%d events, %d requests; want %d, %d", len(evs), len(srv.requests()), tt.wantEvs, tt.wantReqs)
			}
			if !errors.Is(disconnects[0], ErrHTTPClientTimeout) || !strings.Contains(disconnects[0].Error(), "WithIdleTimeout") {
				t.Errorf("OnDisconnect got %v; want ErrHTTPClientTimeout, naming WithIdleTimeout", disconnects[0])
			}
			if tt.method == http.MethodGet || tt.retry {
				if err != nil {
					t.Errorf("Err() = %v, want nil after the 204", err)
				}
				return
			}
			if !errors.Is(err, ErrHTTPClientTimeout) || strings.Contains(err.Error(), "WithRetryNonIdempotent") {
				t.Errorf("Err() = %v; want ErrHTTPClientTimeout, without a WithRetryNonIdempotent hint", err)
			}
		})
	}
}
