package sse

// What a Client sends: the headers, the hooks that change a request, and
// Last-Event-ID across reconnects.

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

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
