package sse

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestClientResumesAfterDropWithNothingLostOrRepeated(t *testing.T) {
	clk := NewFakeClock()
	srv := newScript(t,
		// The connection drops in the middle of event 3: its id must not
		// count, and its data must not be delivered.
		serveStream("id: 1\ndata: one\n\nid: 2\ndata: two\n\nid: 3\ndata: thr"),
		serveStream("id: 3\ndata: three\n\nid: 4\ndata: four\n\n"),
		serveStatus(http.StatusNoContent, ""),
	)
	c := NewClient(WithHTTPClient(srv.srv.Client()), clk.Option())
	evs, err := collect(c.Connect(newGet(t, srv.srv.URL)))
	if err != nil {
		t.Fatalf("Err() = %v, want nil after a 204", err)
	}
	want := []Event{
		{Type: "message", Data: "one", ID: "1"},
		{Type: "message", Data: "two", ID: "2"},
		{Type: "message", Data: "three", ID: "3"},
		{Type: "message", Data: "four", ID: "4"},
	}
	if diff := cmp.Diff(want, evs); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	wantReqs := []recorded{{Method: "GET"}, {Method: "GET", LastEventID: "2"}, {Method: "GET", LastEventID: "4"}}
	if diff := cmp.Diff(wantReqs, srv.requests()); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
}

func TestClientHeaders(t *testing.T) {
	srv := newScript(t, serveStream("data: x\n\n"), serveStatus(http.StatusNoContent, ""))
	req := newGet(t, srv.srv.URL)
	req.Header.Set("Authorization", "Bearer secret-token")
	req.Header.Set("X-Custom", "kept")
	before := req.Header.Clone()
	c := NewClient(WithHTTPClient(srv.srv.Client()), NewFakeClock().Option(), WithLastEventID("start"))
	if _, err := collect(c.Connect(req)); err != nil {
		t.Fatal(err)
	}
	srv.mu.Lock()
	h := srv.headers[0]
	srv.mu.Unlock()
	got := map[string]string{}
	for _, k := range []string{"Accept", "Cache-Control", "Last-Event-Id", "Authorization", "X-Custom", "Cache"} {
		got[k] = h.Get(k)
	}
	want := map[string]string{
		"Accept":        "text/event-stream",
		"Cache-Control": "no-cache",
		"Last-Event-Id": "start",
		"Authorization": "Bearer secret-token",
		"X-Custom":      "kept",
		"Cache":         "",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("request headers (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(before, req.Header); diff != "" {
		t.Errorf("the caller's request was changed (-before +after):\n%s", diff)
	}
}

func TestClientPrepareChangesOnlyItsCopy(t *testing.T) {
	srv := newScript(t, serveStream("data: x\n\n"), serveStream("data: y\n\n"), serveStatus(http.StatusNoContent, ""))
	req := newGet(t, srv.srv.URL+"/events?from=0")
	var seen []string
	attempt := 0
	c := NewClient(WithHTTPClient(srv.srv.Client()), NewFakeClock().Option(), WithPrepare(func(r *http.Request) error {
		seen = append(seen, r.URL.RawQuery)
		attempt++
		r.URL.RawQuery = fmt.Sprintf("from=%d", attempt)
		r.URL.User = url.UserPassword("user", "secret")
		r.Header.Set("X-Attempt", fmt.Sprint(attempt))
		return nil
	}))
	if _, err := collect(c.Connect(req)); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"from=0", "from=0", "from=0"}, seen); diff != "" {
		t.Errorf("queries that the hook saw (-want +got):\n%s", diff)
	}
	if got := req.URL.String(); got != srv.srv.URL+"/events?from=0" {
		t.Errorf("the caller's URL became %q", got)
	}
	if got := req.Header.Get("X-Attempt"); got != "" {
		t.Errorf("the caller's request has the hook's header %q", got)
	}
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if got := srv.headers[1].Get("X-Attempt"); got != "2" {
		t.Errorf("the second request's X-Attempt = %q, want 2", got)
	}
}

func TestClientRequestWithoutHeader(t *testing.T) {
	srv := newScript(t, serveStream("data: x\n\n"), serveStatus(http.StatusNoContent, ""))
	u, err := url.Parse(srv.srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	req := &http.Request{Method: http.MethodGet, URL: u} // net/http sends it as if its Header were empty
	evs, err := collect(NewClient(WithHTTPClient(srv.srv.Client()), NewFakeClock().Option()).Connect(req))
	if err != nil || len(evs) != 1 {
		t.Fatalf("got %v, %v; want one event", evs, err)
	}
	if got := srv.headers[0].Get("Accept"); got != "text/event-stream" {
		t.Errorf("Accept = %q, want text/event-stream", got)
	}
	if req.Header != nil {
		t.Errorf("the caller's request got a Header: %v", req.Header)
	}
}

func TestClientKeepsUserAccept(t *testing.T) {
	srv := newScript(t, serveStatus(http.StatusNoContent, ""))
	req := newGet(t, srv.srv.URL)
	req.Header.Set("Accept", "text/event-stream, application/json")
	if _, err := collect(NewClient(WithHTTPClient(srv.srv.Client())).Connect(req)); err != nil {
		t.Fatal(err)
	}
	if got, want := srv.headers[0].Get("Accept"), "text/event-stream, application/json"; got != want {
		t.Errorf("Accept = %q, want %q", got, want)
	}
}

func TestClientInitialLastEventIDSurvivesRetriesAndEmptyIDClearsIt(t *testing.T) {
	srv := newScript(t,
		serveStatus(http.StatusServiceUnavailable, ""),
		serveStatus(http.StatusBadGateway, ""),
		serveStream("data: a\n\nid\ndata: b\n\n"),
		serveStatus(http.StatusNoContent, ""),
	)
	req := newGet(t, srv.srv.URL)
	req.Header.Set("Last-Event-ID", "41")
	c := NewClient(WithHTTPClient(srv.srv.Client()), NewFakeClock().Option())
	evs, err := collect(c.Connect(req))
	if err != nil {
		t.Fatal(err)
	}
	wantEvs := []Event{{Type: "message", Data: "a", ID: "41"}, {Type: "message", Data: "b", ID: ""}}
	if diff := cmp.Diff(wantEvs, evs); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	var ids []string
	for _, r := range srv.requests() {
		ids = append(ids, r.LastEventID)
	}
	if diff := cmp.Diff([]string{"41", "41", "41", ""}, ids); diff != "" {
		t.Errorf("Last-Event-ID per request (-want +got):\n%s", diff)
	}
	if _, ok := srv.headers[3]["Last-Event-Id"]; ok {
		t.Errorf("Last-Event-ID sent after an empty id cleared it")
	}
}

func TestClient204Stops(t *testing.T) {
	srv := newScript(t, serveStatus(http.StatusNoContent, ""))
	evs, err := collect(NewClient(WithHTTPClient(srv.srv.Client())).Connect(newGet(t, srv.srv.URL)))
	if err != nil || len(evs) != 0 {
		t.Fatalf("got %v, %v; want no events and nil", evs, err)
	}
	if n := len(srv.requests()); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}

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
	want := []string{"1 1s true", "1 1s false"}
	if diff := cmp.Diff(want, retries); diff != "" {
		t.Errorf("retries (-want +got):\n%s", diff)
	}
}

func TestClientRetryAfter(t *testing.T) {
	tests := []struct {
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
	}
	for _, tt := range tests {
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

func TestClientFailsFastWithReadableBody(t *testing.T) {
	const body = `{"error":{"message":"Incorrect API key","type":"invalid_request_error"}}`
	srv := newScript(t, serveStatus(http.StatusUnauthorized, body, "Content-Type", "application/json", "X-Request-Id", "req-1"))
	c := NewClient(WithHTTPClient(srv.srv.Client()), NewFakeClock().Option())
	_, err := collect(c.Connect(newGet(t, srv.srv.URL)))
	var re *ResponseError
	if !errors.As(err, &re) {
		t.Fatalf("Err() = %v, want a *ResponseError", err)
	}
	got := fmt.Sprintf("%d|%s|%s|%s", re.StatusCode, re.Header.Get("X-Request-Id"), re.Body, err)
	want := fmt.Sprintf("401|req-1|%s|sse: GET %s: unexpected status 401 Unauthorized; the server said: Incorrect API key", body, srv.srv.URL)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("error (-want +got):\n%s", diff)
	}
	if !errors.Is(err, ErrUnexpectedStatus) {
		t.Errorf("errors.Is(%v, ErrUnexpectedStatus) = false", err)
	}
	if n := len(srv.requests()); n != 1 {
		t.Errorf("%d requests, want 1: a 401 is not retried", n)
	}
}

func TestClientBoundsErrorBody(t *testing.T) {
	srv := newScript(t, serveStatus(http.StatusForbidden, strings.Repeat("x", 1<<20)))
	_, err := collect(NewClient(WithHTTPClient(srv.srv.Client())).Connect(newGet(t, srv.srv.URL)))
	var re *ResponseError
	if !errors.As(err, &re) || len(re.Body) != MaxErrorBodySize || !re.BodyTruncated {
		t.Fatalf("Err() = %v; want a *ResponseError with %d bytes of a truncated body", err, MaxErrorBodySize)
	}
}

func TestClientMaxErrorBodySize(t *testing.T) {
	tests := []struct {
		name      string
		limit     int
		size      int
		wantLen   int
		wantTrunc bool
	}{
		{"default limit", 0, 10 << 10, MaxErrorBodySize, true},
		{"raised: the whole answer", 64 << 10, 10 << 10, 10 << 10, false},
		{"exactly the limit is whole", 100, 100, 100, false},
		{"one byte over", 100, 101, 100, true},
		{"negative keeps the default", -1, 5 << 10, MaxErrorBodySize, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newScript(t, serveStatus(http.StatusOK, strings.Repeat("x", tt.size), "Content-Type", "application/json"))
			c := NewClient(WithHTTPClient(srv.srv.Client()), WithMaxErrorBodySize(tt.limit))
			_, err := collect(c.Connect(newGet(t, srv.srv.URL)))
			var re *ResponseError
			if !errors.As(err, &re) || !errors.Is(err, ErrNotEventStream) {
				t.Fatalf("Err() = %v, want a *ResponseError for ErrNotEventStream", err)
			}
			got := fmt.Sprintf("%d %v", len(re.Body), re.BodyTruncated)
			if diff := cmp.Diff(fmt.Sprintf("%d %v", tt.wantLen, tt.wantTrunc), got); diff != "" {
				t.Errorf("len(Body) BodyTruncated (-want +got):\n%s", diff)
			}
		})
	}
}

func TestClientContentType(t *testing.T) {
	tests := []struct {
		ct     string
		accept bool
	}{
		{"text/event-stream", true},
		{"text/event-stream; charset=utf-8", true},
		{"Text/Event-Stream;charset=UTF-8", true},
		{"text/event-stream; ;;junk", true},
		{"text/event-stream;=", true},
		{"text/html", false},
		{"application/json", false},
		{"", false},
		{"text/event-streamx", false},
	}
	for _, tt := range tests {
		t.Run(tt.ct, func(t *testing.T) {
			srv := newScript(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header()["Content-Type"] = []string{tt.ct}
				io.WriteString(w, "data: x\n\n")
			}, serveStatus(http.StatusNoContent, ""))
			c := NewClient(WithHTTPClient(srv.srv.Client()), NewFakeClock().Option(), maxAttempts(1))
			evs, err := collect(c.Connect(newGet(t, srv.srv.URL)))
			if tt.accept {
				if len(evs) != 1 || err != nil {
					t.Errorf("got %v, %v; want one event, then the 204", evs, err)
				}
				return
			}
			if !errors.Is(err, ErrNotEventStream) || len(evs) != 0 {
				t.Errorf("got %v, %v; want ErrNotEventStream", evs, err)
			}
			if n := len(srv.requests()); n != 1 {
				t.Errorf("%d requests, want 1: a wrong Content-Type is not retried", n)
			}
		})
	}
}

func TestClientRedirectedPostResendsBody(t *testing.T) {
	srv := newScript(t,
		func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/moved", http.StatusTemporaryRedirect)
		},
		serveStream("data: done\n\n"),
	)
	req, _ := http.NewRequest(http.MethodPost, srv.srv.URL, strings.NewReader(`{"prompt":"hi"}`))
	evs, err := collect(NewClient(WithHTTPClient(srv.srv.Client()), NewFakeClock().Option()).Connect(req))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]Event{{Type: "message", Data: "done"}}, evs); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	want := []recorded{{Method: "POST", Body: `{"prompt":"hi"}`}, {Method: "POST", Body: `{"prompt":"hi"}`}}
	if diff := cmp.Diff(want, srv.requests()); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
}

func TestClientPostEndsWithoutReconnect(t *testing.T) {
	srv := newScript(t, serveStream("data: tok1\n\ndata: tok2\n\n"))
	req, _ := http.NewRequest(http.MethodPost, srv.srv.URL, strings.NewReader("prompt"))
	// The fake clock and attempt limit only bound a regression.
	evs, err := collect(NewClient(WithHTTPClient(srv.srv.Client()), NewFakeClock().Option(), maxAttempts(3)).Connect(req))
	if err != nil {
		t.Fatalf("Err() = %v, want nil after the end of a POST stream", err)
	}
	if len(evs) != 2 {
		t.Errorf("%d events, want 2", len(evs))
	}
	if n := len(srv.requests()); n != 1 {
		t.Errorf("%d requests, want 1: a POST is not sent again", n)
	}
}

func TestClientPostNotResentAfterFailure(t *testing.T) {
	srv := newScript(t, serveStatus(http.StatusServiceUnavailable, "busy"))
	req, _ := http.NewRequest(http.MethodPost, srv.srv.URL, strings.NewReader("prompt"))
	_, err := collect(NewClient(WithHTTPClient(srv.srv.Client()), NewFakeClock().Option(), maxAttempts(3)).Connect(req))
	if !errors.Is(err, ErrUnexpectedStatus) || !strings.Contains(err.Error(), "WithRetryNonIdempotent") {
		t.Errorf("Err() = %v; want the 503, saying how to allow retries", err)
	}
	if n := len(srv.requests()); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}

func TestClientPostRetry(t *testing.T) {
	tests := []struct {
		name   string
		opts   []Option
		header string
	}{
		{"opt-in", []Option{WithRetryNonIdempotent(true)}, ""},
		{"Idempotency-Key", nil, "Idempotency-Key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newScript(t, serveStatus(http.StatusBadGateway, ""), serveStream("data: x\n\n"), serveStatus(http.StatusNoContent, ""))
			req, _ := http.NewRequest(http.MethodPost, srv.srv.URL, strings.NewReader("prompt"))
			if tt.header != "" {
				req.Header.Set(tt.header, "k1")
			}
			opts := append([]Option{WithHTTPClient(srv.srv.Client()), NewFakeClock().Option()}, tt.opts...)
			if _, err := collect(NewClient(opts...).Connect(req)); err != nil {
				t.Fatal(err)
			}
			// Sent again after the 502; not reopened after its clean end.
			want := []recorded{{"POST", "", "prompt"}, {"POST", "", "prompt"}}
			if diff := cmp.Diff(want, srv.requests()); diff != "" {
				t.Errorf("requests (-want +got):\n%s", diff)
			}
		})
	}
}

func TestClientNonReplayableBody(t *testing.T) {
	srv := newScript(t, serveStatus(http.StatusServiceUnavailable, ""), serveStream("data: never\n\n"))
	req, _ := http.NewRequest(http.MethodPost, srv.srv.URL, io.MultiReader(strings.NewReader("once")))
	c := NewClient(WithHTTPClient(srv.srv.Client()), NewFakeClock().Option(), WithRetryNonIdempotent(true))
	_, err := collect(c.Connect(req))
	if !errors.Is(err, ErrNotReplayable) || !errors.Is(err, ErrUnexpectedStatus) {
		t.Errorf("Err() = %v; want ErrNotReplayable wrapping the 503", err)
	}
	if !strings.Contains(fmt.Sprint(err), "GetBody") {
		t.Errorf("Err() = %v; want it to say how to fix it (GetBody)", err)
	}
	if diff := cmp.Diff([]recorded{{"POST", "", "once"}}, srv.requests()); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
}

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
	tests := []struct {
		name   string
		policy RetryPolicy
		want   int
	}{
		{"MaxAttempts", RetryPolicy{MaxAttempts: 3}, 3},
		{"MaxElapsed", RetryPolicy{MaxElapsed: 5 * time.Second, Jitter: -1}, 3}, // waits 1+2 s; the next 4 s would end past 5 s
	}
	for _, tt := range tests {
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

func TestClientPrepareAndReconnect(t *testing.T) {
	started := make(chan struct{}, 4)
	srv := newScript(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprintf(w, "data: %s\n\n", r.Header.Get("Authorization"))
		w.(http.Flusher).Flush()
		started <- struct{}{}
		<-r.Context().Done()
	})
	var mu sync.Mutex
	token := "t1"
	clk := NewFakeClock()
	c := NewClient(WithHTTPClient(srv.srv.Client()), clk.Option(), WithPrepare(func(req *http.Request) error {
		mu.Lock()
		defer mu.Unlock()
		req.Header.Set("Authorization", "Bearer "+token)
		return nil
	}))
	s := c.Connect(newGet(t, srv.srv.URL))
	defer s.Close()
	var got []string
	for s.Next() {
		got = append(got, s.Event().Data)
		if len(got) == 2 {
			break
		}
		<-started
		mu.Lock()
		token = "t2"
		mu.Unlock()
		s.Reconnect()
	}
	if diff := cmp.Diff([]string{"Bearer t1", "Bearer t2"}, got); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	// Reconnect does not wait, not even the floor.
	if w := clk.Waits(); len(w) != 0 {
		t.Errorf("waits %v, want none", w)
	}
}

func TestClientCancelAndCloseArePrompt(t *testing.T) {
	block := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	}
	tests := []struct {
		name    string
		handler http.HandlerFunc
		policy  RetryPolicy
		close   bool
		wantErr error
	}{
		{"cancel during read", block, RetryPolicy{}, false, context.Canceled},
		{"close during read", block, RetryPolicy{}, true, nil},
		{"cancel during backoff", serveStatus(http.StatusBadGateway, ""), RetryPolicy{BaseDelay: time.Hour}, false, context.Canceled},
		{"close during backoff", serveStatus(http.StatusBadGateway, ""), RetryPolicy{BaseDelay: time.Hour}, true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newScript(t, tt.handler)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.srv.URL, nil)
			connected := make(chan struct{}, 1)
			c := NewClient(WithHTTPClient(srv.srv.Client()), WithRetryPolicy(tt.policy), WithHooks(Hooks{
				OnConnect: func(*http.Response) { connected <- struct{}{} },
				OnRetry:   func(int, time.Duration, error) { connected <- struct{}{} },
			}))
			s := c.Connect(req)
			defer s.Close()
			done := make(chan time.Duration)
			var stopped atomic.Int64
			go func() {
				<-connected
				time.Sleep(20 * time.Millisecond) // let Next block
				stopped.Store(time.Now().UnixNano())
				if tt.close {
					s.Close()
				} else {
					cancel()
				}
			}()
			go func() {
				for s.Next() {
				}
				done <- time.Since(time.Unix(0, stopped.Load()))
			}()
			select {
			case d := <-done:
				if d > 100*time.Millisecond {
					t.Errorf("Next returned %v after the stop, want under 100ms", d)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("Next did not return after the stop")
			}
			if !errors.Is(s.Err(), tt.wantErr) || (tt.wantErr == nil && s.Err() != nil) {
				t.Errorf("Err() = %v, want %v", s.Err(), tt.wantErr)
			}
		})
	}
}

func TestClientLimitErrorStops(t *testing.T) {
	srv := newScript(t, serveStream("data: ok\n\ndata: "+strings.Repeat("x", 2000)+"\n\n"))
	c := NewClient(WithHTTPClient(srv.srv.Client()), WithLimits(1000, 1000))
	evs, err := collect(c.Connect(newGet(t, srv.srv.URL)))
	if !errors.Is(err, ErrLineTooLong) || len(evs) != 1 {
		t.Fatalf("got %v, %v; want one event then ErrLineTooLong", evs, err)
	}
	if n := len(srv.requests()); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}

func TestClientSkipOversized(t *testing.T) {
	srv := newScript(t, serveStream("data: ok\n\ndata: "+strings.Repeat("x", 2000)+"\n\ndata: after\n\n"), serveStatus(http.StatusNoContent, ""))
	var skipped []error
	c := NewClient(WithHTTPClient(srv.srv.Client()), NewFakeClock().Option(), WithLimits(1000, 1000),
		WithSkipOversized(func(err error) { skipped = append(skipped, err) }))
	evs, err := collect(c.Connect(newGet(t, srv.srv.URL)))
	if err != nil || len(evs) != 2 || len(skipped) != 1 || !errors.Is(skipped[0], ErrLineTooLong) {
		t.Fatalf("got %v, %v, skipped %v", evs, err, skipped)
	}
}

func TestClientSecretsStayOutOfErrorsAndLogs(t *testing.T) {
	// APIs echo the credentials they reject in their error messages.
	echo := `{"error":{"message":"Incorrect API key provided: sk-SECRET-HEADER (also sk-SECRET, COOKIE-SECRET, XKEY-SECRET, user, pa55word)"}}`
	srv := newScript(t, serveStatus(http.StatusForbidden, echo))
	u := strings.Replace(srv.srv.URL, "http://", "http://user:pa55word@", 1) + "/v1/stream?api_key=sk-SECRET&cursor=9#frag"
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	req.Header.Set("Authorization", "Bearer sk-SECRET-HEADER")
	req.Header.Set("Cookie", "session=COOKIE-SECRET")
	req.Header.Set("X-Api-Key", "XKEY-SECRET")
	var logs bytes.Buffer
	c := NewClient(WithHTTPClient(srv.srv.Client()), WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	_, err := collect(c.Connect(req))
	if err == nil {
		t.Fatal("want an error")
	}
	// A connection error too, through a closed server.
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()
	req2, _ := http.NewRequest(http.MethodGet, dead.URL+"/x?token=sk-SECRET-2", nil)
	c2 := NewClient(WithLogger(slog.New(slog.NewTextHandler(&logs, nil))), NewFakeClock().Option(), maxAttempts(2))
	_, err2 := collect(c2.Connect(req2))
	if err2 == nil {
		t.Fatal("want a connection error")
	}
	all := err.Error() + "\n" + err2.Error() + "\n" + logs.String()
	if !strings.Contains(all, "Incorrect API key provided: *** (also ***, ***, ***, ***, ***)") {
		t.Errorf("the server's reason, without the credentials, is missing from:\n%s", all)
	}
	for _, secret := range []string{"pa55word", "sk-SECRET", "COOKIE-SECRET", "XKEY-SECRET", "user", "cursor=9"} {
		if strings.Contains(all, secret) {
			t.Errorf("%q appears in errors or logs:\n%s", secret, all)
		}
	}
	if !strings.Contains(all, "/v1/stream?api_key=***&cursor=***") {
		t.Errorf("the masked URL is missing from:\n%s", all)
	}
}

func TestClientHTTP2(t *testing.T) {
	var requests atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if requests.Add(1) > 3 {
			w.WriteHeader(http.StatusNoContent) // bounds a regression
			return
		}
		if r.ProtoMajor != 2 {
			http.Error(w, "want HTTP/2", http.StatusHTTPVersionNotSupported)
			return
		}
		switch r.Header.Get("Last-Event-ID") {
		case "":
			w.Header().Set("Content-Type", "text/event-stream")
			io.WriteString(w, "id: 1\ndata: first\n\nid: 2\ndata: sec")
		case "1":
			w.Header().Set("Content-Type", "text/event-stream")
			io.WriteString(w, "id: 2\ndata: second\n\n")
		default:
			w.WriteHeader(http.StatusNoContent)
		}
	}))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	defer srv.Close()
	var protos []string
	c := NewClient(WithHTTPClient(srv.Client()), NewFakeClock().Option(),
		WithHooks(Hooks{OnConnect: func(r *http.Response) { protos = append(protos, r.Proto) }}))
	evs, err := collect(c.Connect(newGet(t, srv.URL)))
	if err != nil {
		t.Fatal(err)
	}
	want := []Event{{"message", "first", "1"}, {"message", "second", "2"}}
	if diff := cmp.Diff(want, evs); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"HTTP/2.0", "HTTP/2.0"}, protos); diff != "" {
		t.Errorf("protocols (-want +got):\n%s", diff)
	}
}

func TestClientEventsIteratorClosesOnBreak(t *testing.T) {
	srv := newScript(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		io.WriteString(w, "data: 1\n\ndata: 2\n\n")
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	})
	var got []string
	for ev, err := range NewClient(WithHTTPClient(srv.srv.Client())).Events(newGet(t, srv.srv.URL)) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, ev.Data)
		if len(got) == 2 {
			break
		}
	}
	if diff := cmp.Diff([]string{"1", "2"}, got); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	// goleak in TestMain fails the run if the connection were left open.
}

func TestClientNilRequest(t *testing.T) {
	s := NewClient().Connect(nil)
	if s.Next() || s.Err() == nil {
		t.Fatalf("Next on a nil request: want false and an error, got %v", s.Err())
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

func TestClientStaleReconnectDoesNotCutAWait(t *testing.T) {
	srv := newScript(t, serveStream("data: a\n\n"), serveStatus(http.StatusBadGateway, ""), serveStream("data: b\n\n"), serveStatus(http.StatusNoContent, ""))
	waited := make(chan time.Duration, 8)
	c := NewClient(WithHTTPClient(srv.srv.Client()), WithRetryPolicy(RetryPolicy{BaseDelay: 50 * time.Millisecond, Jitter: -1}),
		WithHooks(Hooks{OnRetry: func(_ int, d time.Duration, _ error) { waited <- d }}))
	s := c.Connect(newGet(t, srv.srv.URL))
	defer s.Close()
	if !s.Next() {
		t.Fatal(s.Err())
	}
	s.Reconnect() // ends the first connection at once
	start := time.Now()
	if !s.Next() {
		t.Fatal(s.Err())
	}
	// The 502's wait of 50 ms must be waited in full before event b.
	if d := time.Since(start); d < 50*time.Millisecond {
		t.Errorf("event b came after %v, before the 50ms wait ended", d)
	}
	if got := s.Event().Data; got != "b" {
		t.Errorf("event %q, want b", got)
	}
}

func TestClientCloseBeforeAWaitEndsIt(t *testing.T) {
	// Close and Reconnect, however they interleave with the stream, must
	// not leave it waiting out an hour's backoff.
	for _, reconnectFirst := range []bool{false, true} {
		srv := newScript(t, serveStatus(http.StatusBadGateway, ""))
		var s *Stream
		c := NewClient(WithHTTPClient(srv.srv.Client()), WithRetryPolicy(RetryPolicy{BaseDelay: time.Hour, Jitter: -1}),
			WithHooks(Hooks{OnRetry: func(int, time.Duration, error) {
				// The wait is decided and not yet begun.
				if reconnectFirst {
					s.Reconnect()
				}
				s.Close()
			}}))
		s = c.Connect(newGet(t, srv.srv.URL))
		done := make(chan bool)
		go func() { done <- s.Next() }()
		select {
		case got := <-done:
			if got || s.Err() != nil {
				t.Errorf("reconnect first %v: Next() = %v, Err() = %v; want false, nil", reconnectFirst, got, s.Err())
			}
		case <-time.After(5 * time.Second):
			s.Reconnect()
			t.Fatalf("reconnect first %v: Next still waits after Close", reconnectFirst)
		}
	}
}

func TestZeroClientUsable(t *testing.T) {
	srv := newScript(t, serveStatus(http.StatusNoContent, ""))
	var c Client
	if _, err := collect(c.Connect(newGet(t, srv.srv.URL))); err != nil {
		t.Fatal(err)
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

func TestClientOnlyGetReopensAfterCleanEnd(t *testing.T) {
	for _, method := range []string{http.MethodPut, http.MethodDelete, http.MethodOptions} {
		t.Run(method, func(t *testing.T) {
			srv := newScript(t, serveStatus(http.StatusServiceUnavailable, ""), serveStream("data: x\n\n"))
			req, _ := http.NewRequest(method, srv.srv.URL, nil)
			evs, err := collect(NewClient(WithHTTPClient(srv.srv.Client()), NewFakeClock().Option()).Connect(req))
			if err != nil || len(evs) != 1 {
				t.Fatalf("got %v, %v; want one event and a clean end", evs, err)
			}
			// Retried after the 503, as an idempotent request; not reopened
			// after its clean end.
			if n := len(srv.requests()); n != 2 {
				t.Errorf("%d requests, want 2", n)
			}
		})
	}
}

func TestClientUnsendableLastEventID(t *testing.T) {
	srv := newScript(t, serveStream("id: a\x01b\ndata: x\n\n"))
	evs, err := collect(NewClient(WithHTTPClient(srv.srv.Client()), NewFakeClock().Option()).Connect(newGet(t, srv.srv.URL)))
	if len(evs) != 1 || !errors.Is(err, ErrInvalidLastEventID) {
		t.Fatalf("got %v, %v; want one event, then ErrInvalidLastEventID", evs, err)
	}
	if n := len(srv.requests()); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}
