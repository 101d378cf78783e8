package sse_test

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

	"github.com/ssekit/sse"
	"github.com/ssekit/sse/ssetest"
)

func TestClientResumesAfterDropWithNothingLostOrRepeated(t *testing.T) {
	clk := sse.NewFakeClock()
	srv := serve(t,
		// The connection drops in the middle of event 3: its id must not
		// count, and its data must not be delivered.
		ssetest.Stream(ssetest.Raw("id: 1\ndata: one\n\nid: 2\ndata: two\n\nid: 3\ndata: thr")),
		ssetest.Stream(ssetest.Raw("id: 3\ndata: three\n\nid: 4\ndata: four\n\n")),
		ssetest.NoContent(),
	)
	c := sse.NewClient(sse.WithHTTPClient(srv.Client()), clk.Option())
	evs, err := collect(c.Connect(request(t, http.MethodGet, srv.URL, nil)))
	if err != nil {
		t.Fatalf("Err() = %v, want nil after a 204", err)
	}
	want := []sse.Event{
		{Type: "message", Data: "one", ID: "1"},
		{Type: "message", Data: "two", ID: "2"},
		{Type: "message", Data: "three", ID: "3"},
		{Type: "message", Data: "four", ID: "4"},
	}
	if diff := cmp.Diff(want, evs); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	var sentIDs []string
	for _, r := range srv.Requests() {
		sentIDs = append(sentIDs, r.Method+" "+r.LastEventID)
	}
	if diff := cmp.Diff([]string{"GET ", "GET 2", "GET 4"}, sentIDs); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
}

func TestClientHeaders(t *testing.T) {
	srv := serve(t, ssetest.Stream(ssetest.Raw("data: x\n\n")), ssetest.NoContent())
	req := request(t, http.MethodGet, srv.URL, nil)
	req.Header.Set("Authorization", "Bearer secret-token")
	req.Header.Set("X-Custom", "kept")
	before := req.Header.Clone()
	c := sse.NewClient(sse.WithHTTPClient(srv.Client()), sse.NewFakeClock().Option(), sse.WithLastEventID("start"))
	if _, err := collect(c.Connect(req)); err != nil {
		t.Fatal(err)
	}
	h := srv.Requests()[0].Header
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
	srv := serve(t, ssetest.Stream(ssetest.Raw("data: x\n\n")), ssetest.Stream(ssetest.Raw("data: y\n\n")), ssetest.NoContent())
	req := request(t, http.MethodGet, srv.URL+"/events?from=0", nil)
	var seen []string
	attempt := 0
	c := sse.NewClient(sse.WithHTTPClient(srv.Client()), sse.NewFakeClock().Option(), sse.WithPrepare(func(r *http.Request) error {
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
	if got := req.URL.String(); got != srv.URL+"/events?from=0" {
		t.Errorf("the caller's URL became %q", got)
	}
	if got := req.Header.Get("X-Attempt"); got != "" {
		t.Errorf("the caller's request has the hook's header %q", got)
	}
	if got := srv.Requests()[1].Header.Get("X-Attempt"); got != "2" {
		t.Errorf("the second request's X-Attempt = %q, want 2", got)
	}
}

func TestClientRequestWithoutHeader(t *testing.T) {
	srv := serve(t, ssetest.Stream(ssetest.Raw("data: x\n\n")), ssetest.NoContent())
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	req := &http.Request{Method: http.MethodGet, URL: u} // net/http sends it as if its Header were empty
	evs, err := collect(sse.NewClient(sse.WithHTTPClient(srv.Client()), sse.NewFakeClock().Option()).Connect(req))
	if err != nil || len(evs) != 1 {
		t.Fatalf("got %v, %v; want one event", evs, err)
	}
	if got := srv.Requests()[0].Header.Get("Accept"); got != "text/event-stream" {
		t.Errorf("Accept = %q, want text/event-stream", got)
	}
	if req.Header != nil {
		t.Errorf("the caller's request got a Header: %v", req.Header)
	}
}

func TestClientKeepsUserAccept(t *testing.T) {
	srv := serve(t, ssetest.NoContent())
	req := request(t, http.MethodGet, srv.URL, nil)
	req.Header.Set("Accept", "text/event-stream, application/json")
	if _, err := collect(sse.NewClient(sse.WithHTTPClient(srv.Client())).Connect(req)); err != nil {
		t.Fatal(err)
	}
	if got, want := srv.Requests()[0].Header.Get("Accept"), "text/event-stream, application/json"; got != want {
		t.Errorf("Accept = %q, want %q", got, want)
	}
}

func TestClientInitialLastEventIDSurvivesRetriesAndEmptyIDClearsIt(t *testing.T) {
	srv := serve(t,
		ssetest.Status(http.StatusServiceUnavailable, ""),
		ssetest.Status(http.StatusBadGateway, ""),
		ssetest.Stream(ssetest.Raw("data: a\n\nid\ndata: b\n\n")),
		ssetest.NoContent(),
	)
	req := request(t, http.MethodGet, srv.URL, nil)
	req.Header.Set("Last-Event-ID", "41")
	c := sse.NewClient(sse.WithHTTPClient(srv.Client()), sse.NewFakeClock().Option())
	evs, err := collect(c.Connect(req))
	if err != nil {
		t.Fatal(err)
	}
	wantEvs := []sse.Event{{Type: "message", Data: "a", ID: "41"}, {Type: "message", Data: "b", ID: ""}}
	if diff := cmp.Diff(wantEvs, evs); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	var ids []string
	for _, r := range srv.Requests() {
		ids = append(ids, r.LastEventID)
	}
	if diff := cmp.Diff([]string{"41", "41", "41", ""}, ids); diff != "" {
		t.Errorf("Last-Event-ID per request (-want +got):\n%s", diff)
	}
	if _, ok := srv.Requests()[3].Header["Last-Event-Id"]; ok {
		t.Errorf("Last-Event-ID sent after an empty id cleared it")
	}
}

func TestClientRedirectedPostResendsBody(t *testing.T) {
	srv := serve(t,
		ssetest.Status(http.StatusTemporaryRedirect, "").With("Location", "/moved"),
		ssetest.Stream(ssetest.Raw("data: done\n\n")),
	)
	req, _ := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader(`{"prompt":"hi"}`))
	evs, err := collect(sse.NewClient(sse.WithHTTPClient(srv.Client()), sse.NewFakeClock().Option()).Connect(req))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]sse.Event{{Type: "message", Data: "done"}}, evs); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{`POST {"prompt":"hi"}`, `POST {"prompt":"hi"}`}, sent(srv.Requests())); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
}

func TestClientPrepareAndReconnect(t *testing.T) {
	srv := serve(t, ssetest.Stream(ssetest.Raw("data: x\n\n"), ssetest.Stall()))
	var mu sync.Mutex
	token := "t1"
	clk := sse.NewFakeClock()
	c := sse.NewClient(sse.WithHTTPClient(srv.Client()), clk.Option(), sse.WithPrepare(func(req *http.Request) error {
		mu.Lock()
		defer mu.Unlock()
		req.Header.Set("Authorization", "Bearer "+token)
		return nil
	}))
	s := c.Connect(request(t, http.MethodGet, srv.URL, nil))
	defer s.Close()
	for n := 1; s.Next() && n < 2; n++ {
		// The first connection's event has come: the next one is
		// prepared with the new token.
		mu.Lock()
		token = "t2"
		mu.Unlock()
		s.Reconnect()
	}
	var got []string
	for _, r := range srv.Requests() {
		got = append(got, r.Header.Get("Authorization"))
	}
	if diff := cmp.Diff([]string{"Bearer t1", "Bearer t2"}, got); diff != "" {
		t.Errorf("Authorization of each request (-want +got):\n%s", diff)
	}
	// Reconnect does not wait, not even the floor.
	if w := clk.Waits(); len(w) != 0 {
		t.Errorf("waits %v, want none", w)
	}
}

func TestClientUnsendableLastEventID(t *testing.T) {
	srv := serve(t, ssetest.Stream(ssetest.Raw("id: a\x01b\ndata: x\n\n")))
	evs, err := collect(sse.NewClient(sse.WithHTTPClient(srv.Client()), sse.NewFakeClock().Option()).Connect(request(t, http.MethodGet, srv.URL, nil)))
	if len(evs) != 1 || !errors.Is(err, sse.ErrInvalidLastEventID) {
		t.Fatalf("got %v, %v; want one event, then sse.ErrInvalidLastEventID", evs, err)
	}
	if n := len(srv.Requests()); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}
