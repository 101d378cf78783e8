package sse_test

// What the tests of package sse_test share beside package ssetest and
// sse.FakeClock: requests with a deadline, events, and ways to wait for
// and compare them.

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/ssekit/sse"
	"github.com/ssekit/sse/ssetest"
)

// deadline returns a context that ends after d, or when the test ends.
func deadline(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// get returns a GET request for url with ctx.
func get(t *testing.T, ctx context.Context, url string) *http.Request {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

func message(id, data string) sse.Event { return sse.Event{Type: "message", ID: id, Data: data} }

// waitRequests waits until srv has received n requests.
func waitRequests(t *testing.T, srv *ssetest.Server, n int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := srv.WaitForRequests(ctx, n); err != nil {
		t.Fatal(err)
	}
}

// firstDifference describes where two event sequences part, for failures
// where a full diff would run to thousands of lines.
func firstDifference(want, got []sse.Event) string {
	for i := range min(len(want), len(got)) {
		if want[i] != got[i] {
			return fmt.Sprintf("event %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
	return fmt.Sprintf("got %d events, want %d", len(got), len(want))
}

// serve starts a server that plays script, and closes it when the test
// ends.
func serve(t *testing.T, script ...ssetest.Response) *ssetest.Server {
	srv := ssetest.NewServer(script...)
	t.Cleanup(srv.Close)
	return srv
}

// request returns a request for url with method and body, which ends after
// 10 s or with the test: a client that never stops fails the test instead
// of hanging it.
func request(t *testing.T, method, url string, body io.Reader) *http.Request {
	t.Helper()
	req, err := http.NewRequestWithContext(deadline(t, 10*time.Second), method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// collect reads a stream to its end.
func collect(s *sse.Stream) ([]sse.Event, error) {
	var evs []sse.Event
	for s.Next() {
		evs = append(evs, s.Event())
	}
	return evs, s.Err()
}

// sent returns the method and the body of each request, as "POST prompt".
func sent(reqs []ssetest.Request) []string {
	var s []string
	for _, r := range reqs {
		s = append(s, r.Method+" "+string(r.Body))
	}
	return s
}
