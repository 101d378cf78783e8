package sse

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// The scripted server of the Client tests in package sse. Tests in package
// sse_test use package ssetest instead, which the tests of package sse
// cannot import: ssetest imports sse.

// recorded is what a test server saw of one request.
type recorded struct {
	Method      string
	LastEventID string
	Body        string
}

// maxScriptRequests is more requests than any test expects.
const maxScriptRequests = 50

// script is a test server that answers the n-th request (from 0) with
// handlers[n], or the last handler once they run out, and records every
// request. Past maxScriptRequests it answers 204, which ends any stream.
type script struct {
	t        *testing.T
	mu       sync.Mutex
	handlers []http.HandlerFunc
	reqs     []recorded
	headers  []http.Header
	srv      *httptest.Server
}

func newScript(t *testing.T, handlers ...http.HandlerFunc) *script {
	t.Helper()
	s := &script{t: t, handlers: handlers}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *script) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	n := len(s.reqs)
	s.reqs = append(s.reqs, recorded{Method: r.Method, LastEventID: r.Header.Get("Last-Event-ID"), Body: string(body)})
	s.headers = append(s.headers, r.Header.Clone())
	h := s.handlers[min(n, len(s.handlers)-1)]
	s.mu.Unlock()
	if n >= maxScriptRequests {
		// A runaway client: end its stream so that the test fails on its
		// checks instead of hanging.
		w.WriteHeader(http.StatusNoContent)
		return
	}
	h(w, r)
}

func (s *script) requests() []recorded {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]recorded(nil), s.reqs...)
}

// serveStream answers with an event stream whose body is body.
func serveStream(body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		io.WriteString(w, body)
	}
}

// serveStall answers with an event stream whose body is body, and then
// keeps the connection open, sending nothing more, until the client goes
// away: a dead server, or a stream that a test ends.
func serveStall(body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		io.WriteString(w, body)
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	}
}

// serveStatus answers with code, the given headers and body.
func serveStatus(code int, body string, header ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		w.WriteHeader(code)
		io.WriteString(w, body)
	}
}

// collect reads a stream to its end.
func collect(s *Stream) ([]Event, error) {
	var evs []Event
	for s.Next() {
		evs = append(evs, s.Event())
	}
	return evs, s.Err()
}

func newGet(t *testing.T, url string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// maxAttempts stops a test stream that would otherwise reconnect for
// ever.
func maxAttempts(n int) Option {
	return WithRetryPolicy(RetryPolicy{MaxAttempts: n})
}
