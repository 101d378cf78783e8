package sse

// The two timeouts that cut a connection. The idle timer runs on real
// time, not on the fake clock, so these tests leave it wide margins.

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestClientIdleTimeoutReconnects(t *testing.T) {
	srv := newScript(t,
		serveStall("id: 1\ndata: first\n\n"),
		serveStream("id: 2\ndata: second\n\n"),
		serveStatus(http.StatusNoContent, ""),
	)
	var disconnects []error
	c := NewClient(WithHTTPClient(srv.srv.Client()), NewFakeClock().Option(), WithIdleTimeout(500*time.Millisecond),
		WithHooks(Hooks{OnDisconnect: func(err error) { disconnects = append(disconnects, err) }}))
	evs, err := collect(c.Connect(newGet(t, srv.srv.URL)))
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 2 || len(disconnects) != 3 || !errors.Is(disconnects[0], ErrIdleTimeout) || !errors.Is(disconnects[1], io.EOF) || disconnects[1].Error() != "sse: the server ended the response cleanly" || disconnects[2] != ErrNoContent {
		t.Fatalf("events %v, disconnects %v; want 2 events, an idle timeout, a clean end, then a 204", evs, disconnects)
	}
	if got := srv.requests()[1].LastEventID; got != "1" {
		t.Errorf("Last-Event-ID after the idle timeout = %q, want 1", got)
	}
}

func TestClientIdleTimeoutCountsComments(t *testing.T) {
	srv := newScript(t,
		func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/event-stream")
			// A heartbeat every 25 ms keeps a 500 ms idle timeout away for
			// a second, twice the timeout itself. The margin between a
			// heartbeat's gap and the timeout is wide, so that a loaded
			// machine does not fire the timer between two heartbeats.
			for range 40 {
				io.WriteString(w, ": ping\n")
				w.(http.Flusher).Flush()
				time.Sleep(25 * time.Millisecond)
			}
			io.WriteString(w, "data: after\n\n")
		},
		serveStatus(http.StatusNoContent, ""),
	)
	var comments int
	c := NewClient(WithHTTPClient(srv.srv.Client()), NewFakeClock().Option(), WithIdleTimeout(500*time.Millisecond),
		WithOnComment(func([]byte) { comments++ }))
	evs, err := collect(c.Connect(newGet(t, srv.srv.URL)))
	if err != nil || len(evs) != 1 || comments != 40 {
		t.Fatalf("got %v, %v, %d comments; want one event, nil, 40 comments", evs, err, comments)
	}
}

// TestClientHTTPClientTimeout checks that a stream cut by the Timeout of
// its http.Client says so: a GET reconnects, a POST ends with the error,
// and neither suggests WithRetryNonIdempotent.
func TestClientHTTPClientTimeout(t *testing.T) {
	stall := serveStall("id: 1\ndata: first\n\n")
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

// TestClientIdleTimeoutEndsPOST proves what doc.go says of a silent
// connection: a GET reconnects (above), but a POST, which is not sent
// again by default, ends with an error that wraps ErrIdleTimeout.
func TestClientIdleTimeoutEndsPOST(t *testing.T) {
	srv := newScript(t, serveStall("data: first\n\n"), serveStream("data: second\n\n"))
	req, err := http.NewRequest(http.MethodPost, srv.srv.URL, strings.NewReader(`{"q":1}`))
	if err != nil {
		t.Fatal(err)
	}
	c := NewClient(WithHTTPClient(srv.srv.Client()), NewFakeClock().Option(), WithIdleTimeout(500*time.Millisecond))
	evs, err := collect(c.Connect(req))
	if len(evs) != 1 || !errors.Is(err, ErrIdleTimeout) {
		t.Errorf("events %v, error %v; want 1 event, then an error that wraps ErrIdleTimeout", evs, err)
	}
	if n := len(srv.requests()); n != 1 {
		t.Errorf("%d requests, want 1: a POST is not sent again after an idle timeout", n)
	}
}
