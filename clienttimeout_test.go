package sse

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

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
