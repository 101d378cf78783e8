package sse

// The idle timeout. Its timer runs on real time, not on the fake clock,
// so these tests leave it wide margins.

import (
	"errors"
	"io"
	"net/http"
	"testing"
	"time"
)

func TestClientIdleTimeoutReconnects(t *testing.T) {
	stall := make(chan struct{})
	defer close(stall)
	srv := newScript(t,
		func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/event-stream")
			io.WriteString(w, "id: 1\ndata: first\n\n")
			w.(http.Flusher).Flush()
			select {
			case <-stall:
			case <-r.Context().Done():
			}
		},
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
