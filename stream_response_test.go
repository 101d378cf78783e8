package sse

import (
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestStreamResponse(t *testing.T) {
	srv := newScript(t,
		serveStatus(http.StatusServiceUnavailable, "busy", "X-Request-Id", "r1"),
		func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Request-Id", "r2")
			serveStream("id: 1\ndata: a\n\n")(w, r)
		},
		serveStatus(http.StatusNoContent, "", "X-Request-Id", "r3"),
	)
	var seen []string // the request ID that Response shows at each point
	show := func(where string, s *Stream) {
		resp := s.Response()
		if resp == nil {
			seen = append(seen, where+": nil")
			return
		}
		seen = append(seen, where+": "+resp.Status+" "+resp.Header.Get("X-Request-Id")+" "+resp.Proto)
	}
	var s *Stream
	c := NewClient(WithHTTPClient(srv.srv.Client()), NewFakeClock().Option(), WithHooks(Hooks{
		OnRetry: func(int, time.Duration, error) { show("retry", s) },
	}))
	s = c.Connect(newGet(t, srv.srv.URL))
	show("before Next", s)
	for s.Next() {
		show("event "+s.Event().Data, s)
	}
	show("after the end", s)
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"before Next: nil",
		"retry: 503 Service Unavailable r1 HTTP/1.1",
		"event a: 200 OK r2 HTTP/1.1",
		"retry: 200 OK r2 HTTP/1.1", // between connections: the previous one
		"after the end: 204 No Content r3 HTTP/1.1",
	}
	if diff := cmp.Diff(want, seen); diff != "" {
		t.Errorf("Response (-want +got):\n%s", diff)
	}
	if resp := s.Response(); resp.Body != http.NoBody || resp.Request == nil || resp.Request.URL.String() != srv.srv.URL {
		t.Errorf("Response() = body %v, request %v; want http.NoBody and the request sent", resp.Body, resp.Request)
	}
}

// TestStreamResponseConcurrent calls Response from another goroutine while
// the stream reads and reconnects, as its doc allows; run with -race.
func TestStreamResponseConcurrent(t *testing.T) {
	handlers := make([]http.HandlerFunc, 0, 6)
	for range 5 {
		handlers = append(handlers, serveStream("data: x\n\ndata: y\n\n"))
	}
	handlers = append(handlers, serveStatus(http.StatusNoContent, ""))
	srv := newScript(t, handlers...)
	s := NewClient(WithHTTPClient(srv.srv.Client()), NewFakeClock().Option()).Connect(newGet(t, srv.srv.URL))
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			if resp := s.Response(); resp != nil {
				_ = resp.StatusCode
				_ = resp.Header.Get("Content-Type")
				_ = resp.Trailer
			}
		}
	}()
	evs, err := collect(s)
	close(stop)
	wg.Wait()
	if err != nil || len(evs) != 10 {
		t.Fatalf("got %d events, %v; want 10, nil", len(evs), err)
	}
}

func TestStreamEventAfterTheEnd(t *testing.T) {
	srv := newScript(t, serveStream("data: a\n\n"))
	req, _ := http.NewRequest(http.MethodPost, srv.srv.URL, nil)
	s := NewClient(WithHTTPClient(srv.srv.Client())).Connect(req)
	var got []Event
	for s.Next() {
		got = append(got, s.Event())
	}
	got = append(got, s.Event())
	if diff := cmp.Diff([]Event{{Type: "message", Data: "a"}, {}}, got); diff != "" {
		t.Errorf("events, then Event after the loop (-want +got):\n%s", diff)
	}
}
