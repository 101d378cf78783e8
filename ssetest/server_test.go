package ssetest_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/ssekit/sse"
	"github.com/ssekit/sse/ssetest"
)

// reply is what a test read of one response.
type reply struct {
	status int
	header http.Header
	body   []byte
	err    error // from reading the body
}

// get sends a GET to srv with the given headers and reads the whole
// response, for at most five seconds.
func get(t *testing.T, srv *ssetest.Server, header http.Header) reply {
	t.Helper()
	return do(t, srv, http.MethodGet, header, nil)
}

func do(t *testing.T, srv *ssetest.Server, method string, header http.Header, body io.Reader) reply {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, srv.URL+"/stream?x=1", body)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatalf("%s: %v", method, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return reply{status: resp.StatusCode, header: resp.Header, body: b, err: err}
}

func TestStreamWritesSteps(t *testing.T) {
	tests := []struct {
		name  string
		steps []ssetest.Step
		want  string
	}{
		{"empty", nil, ""},
		{
			"events",
			[]ssetest.Step{
				ssetest.Event(sse.Event{ID: "1", Data: "a"}),
				ssetest.Event(sse.Event{ID: "1", Type: "update", Data: "b\nc"}),
				ssetest.Event(sse.Event{Data: "d"}),
			},
			"id: 1\ndata: a\n\nevent: update\ndata: b\ndata: c\n\nid\ndata: d\n\n",
		},
		{
			"comment and retry",
			[]ssetest.Step{ssetest.Comment("ping"), ssetest.Retry(1500 * time.Millisecond)},
			": ping\nretry: 1500\n",
		},
		{"raw", []ssetest.Step{ssetest.Raw("data: x\r\n\r"), ssetest.Raw("\n")}, "data: x\r\n\r\n"},
		{"pause", []ssetest.Step{ssetest.Raw("a"), ssetest.Pause(time.Millisecond), ssetest.Raw("b")}, "ab"},
		{"drip", []ssetest.Step{ssetest.Drip(0), ssetest.Event(sse.Event{Data: "slow"})}, "data: slow\n\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := ssetest.NewServer(ssetest.Stream(tt.steps...))
			defer srv.Close()
			got := get(t, srv, nil)
			if got.err != nil {
				t.Fatalf("reading the body: %v", got.err)
			}
			if diff := cmp.Diff(tt.want, string(got.body)); diff != "" {
				t.Errorf("body (-want +got):\n%s", diff)
			}
			if got.status != 200 || got.header.Get("Content-Type") != "text/event-stream" {
				t.Errorf("status %d, Content-Type %q; want 200, text/event-stream", got.status, got.header.Get("Content-Type"))
			}
		})
	}
}

func TestGarbageIsRandomAndRepeatable(t *testing.T) {
	srv := ssetest.NewServer(
		ssetest.Stream(ssetest.Garbage(1000, 1)),
		ssetest.Stream(ssetest.Garbage(1000, 1)),
		ssetest.Stream(ssetest.Garbage(1000, 2)),
	)
	defer srv.Close()
	a, b, c := get(t, srv, nil).body, get(t, srv, nil).body, get(t, srv, nil).body
	if len(a) != 1000 || !bytes.Equal(a, b) {
		t.Errorf("two bodies of seed 1: %d and %d bytes, equal: %v; want 1000 equal bytes", len(a), len(b), bytes.Equal(a, b))
	}
	if bytes.Equal(a, c) {
		t.Error("seeds 1 and 2 wrote the same bytes")
	}
	seen := map[byte]bool{}
	for _, c := range a {
		seen[c] = true
	}
	if len(seen) < 200 {
		t.Errorf("1000 bytes of garbage hold %d distinct values, want at least 200 of 256", len(seen))
	}
}

func TestStatusAndHeaders(t *testing.T) {
	tests := []struct {
		name       string
		resp       ssetest.Response
		wantStatus int
		wantType   []string
		wantHeader map[string]string
		wantBody   string
	}{
		{
			name:       "429 with Retry-After",
			resp:       ssetest.Status(429, `{"error":"slow down"}`).With("Retry-After", "3"),
			wantStatus: 429,
			wantType:   []string{"text/plain; charset=utf-8"},
			wantHeader: map[string]string{"Retry-After": "3"},
			wantBody:   `{"error":"slow down"}`,
		},
		{
			name:       "503 without a body",
			resp:       ssetest.Status(503, ""),
			wantStatus: 503,
			wantType:   []string{"text/plain; charset=utf-8"},
		},
		{name: "204", resp: ssetest.NoContent(), wantStatus: 204},
		{
			name:       "wrong Content-Type",
			resp:       ssetest.Stream(ssetest.Raw("<html>")).With("Content-Type", "text/html"),
			wantStatus: 200,
			wantType:   []string{"text/html"},
			wantBody:   "<html>",
		},
		{
			name:       "no Content-Type",
			resp:       ssetest.Stream(ssetest.Raw("data: x\n\n")).With("Content-Type", ""),
			wantStatus: 200,
			wantBody:   "data: x\n\n",
		},
		{
			name:       "zero Response",
			resp:       ssetest.Response{},
			wantStatus: 200,
			wantType:   []string{"text/event-stream"},
			wantHeader: map[string]string{"Cache-Control": "no-cache"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := ssetest.NewServer(tt.resp)
			defer srv.Close()
			got := get(t, srv, nil)
			if got.err != nil {
				t.Fatal(got.err)
			}
			if got.status != tt.wantStatus {
				t.Errorf("status %d, want %d", got.status, tt.wantStatus)
			}
			if diff := cmp.Diff(tt.wantType, got.header["Content-Type"]); diff != "" {
				t.Errorf("Content-Type (-want +got):\n%s", diff)
			}
			for k, v := range tt.wantHeader {
				if got.header.Get(k) != v {
					t.Errorf("%s: %q, want %q", k, got.header.Get(k), v)
				}
			}
			if string(got.body) != tt.wantBody {
				t.Errorf("body %q, want %q", got.body, tt.wantBody)
			}
		})
	}
}

func TestWithDoesNotChangeTheOriginal(t *testing.T) {
	base := ssetest.Status(503, "")
	_ = base.With("Retry-After", "1")
	if v := base.Header.Get("Retry-After"); v != "" {
		t.Errorf("With changed the response it was called on: Retry-After %q", v)
	}
}

func TestDropCutsTheConnection(t *testing.T) {
	ev := sse.Event{ID: "1", Data: "hello"}
	tests := []struct {
		name  string
		steps []ssetest.Step
		want  string // what arrives before the cut
	}{
		{"drop", []ssetest.Step{ssetest.Event(ev), ssetest.Drop(), ssetest.Raw("never")}, "id: 1\ndata: hello\n\n"},
		{"drop at once", []ssetest.Step{ssetest.Drop()}, ""},
		{"after 0 bytes", []ssetest.Step{ssetest.DropAfter(0), ssetest.Event(ev)}, ""},
		{"mid event", []ssetest.Step{ssetest.DropAfter(9), ssetest.Event(ev)}, "id: 1\ndat"},
		{"mid event, dripped", []ssetest.Step{ssetest.Drip(0), ssetest.DropAfter(9), ssetest.Event(ev)}, "id: 1\ndat"},
		{"across steps", []ssetest.Step{ssetest.DropAfter(7), ssetest.Raw("data"), ssetest.Raw(": x\n\n")}, "data: x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := ssetest.NewServer(ssetest.Stream(tt.steps...))
			defer srv.Close()
			got := get(t, srv, nil)
			if !errors.Is(got.err, io.ErrUnexpectedEOF) {
				t.Errorf("reading the body: %v, want %v", got.err, io.ErrUnexpectedEOF)
			}
			if string(got.body) != tt.want {
				t.Errorf("body %q, want %q", got.body, tt.want)
			}
		})
	}
}

func TestDropAfterBeyondTheEndEndsNormally(t *testing.T) {
	srv := ssetest.NewServer(ssetest.Stream(ssetest.DropAfter(100), ssetest.Raw("short")))
	defer srv.Close()
	if got := get(t, srv, nil); got.err != nil || string(got.body) != "short" {
		t.Errorf("got %q, %v; want \"short\", no error", got.body, got.err)
	}
}

func TestDripPausesBetweenBytes(t *testing.T) {
	const interval = 5 * time.Millisecond
	body := "data: 123\n\n"
	srv := ssetest.NewServer(ssetest.Stream(ssetest.Drip(interval), ssetest.Raw(body)))
	defer srv.Close()
	start := time.Now()
	got := get(t, srv, nil)
	elapsed := time.Since(start)
	if got.err != nil || string(got.body) != body {
		t.Fatalf("got %q, %v; want %q", got.body, got.err, body)
	}
	if min := time.Duration(len(body)-1) * interval; elapsed < min {
		t.Errorf("the body took %v, want at least %v", elapsed, min)
	}
}

func TestFeedResumesAfterLastEventID(t *testing.T) {
	feed := &ssetest.Feed{Events: 5, Type: "tick", Data: func(id int) string { return strings.Repeat("*", id) }}
	srv := ssetest.NewServer(ssetest.Stream(feed))
	defer srv.Close()
	all := feed.Want()
	tests := []struct {
		lastID string
		want   []sse.Event
	}{
		{"", all},
		{"0", all},
		{"3", all[3:]},
		{"5", nil},
		{"6", all},
		{"-1", all},
		{"three", all},
	}
	for _, tt := range tests {
		t.Run("Last-Event-ID="+tt.lastID, func(t *testing.T) {
			h := http.Header{}
			if tt.lastID != "" {
				h.Set("Last-Event-ID", tt.lastID)
			}
			got := get(t, srv, h)
			if got.err != nil {
				t.Fatal(got.err)
			}
			if diff := cmp.Diff(tt.want, parse(t, got.body)); diff != "" {
				t.Errorf("events (-want +got):\n%s", diff)
			}
		})
	}
	if got, want := string(feed.Bytes()), "event: tick\nid: 1\ndata: *\n\n"; !strings.HasPrefix(got, want) {
		t.Errorf("Bytes starts %q, want %q", got[:len(want)], want)
	}
}

func TestFeedCutsEachOffsetOnce(t *testing.T) {
	feed := &ssetest.Feed{Events: 10}
	whole := feed.Bytes()
	// Cut inside event 3, at the start of event 5 (twice), and one byte
	// before the end.
	start5 := bytes.Index(whole, []byte("id: 5\n"))
	feed.Cuts = []int{bytes.Index(whole, []byte("event 3")), start5, start5, len(whole) - 1}
	srv := ssetest.NewServer(ssetest.Stream(feed))
	defer srv.Close()

	var got []sse.Event
	lastID := ""
	var bodies []string
	for range 6 {
		h := http.Header{}
		if lastID != "" {
			h.Set("Last-Event-ID", lastID)
		}
		r := get(t, srv, h)
		bodies = append(bodies, string(r.body))
		p := sse.NewParser(bytes.NewReader(r.body))
		p.SetLastEventID(lastID)
		for p.Next() {
			got = append(got, p.Event())
		}
		lastID = p.LastEventID()
		if r.err == nil {
			break
		}
	}
	if diff := cmp.Diff(feed.Want(), got); diff != "" {
		t.Errorf("events over all connections (-want +got):\n%s", diff)
	}
	wantBodies := []string{
		string(whole[:feed.Cuts[0]]),
		string(whole[bytes.Index(whole, []byte("id: 3\n")):start5]),
		"",
		string(whole[start5 : len(whole)-1]),
		"id: 10\ndata: event 10\n\n",
	}
	if diff := cmp.Diff(wantBodies, bodies); diff != "" {
		t.Errorf("bodies (-want +got):\n%s", diff)
	}
}

// parse returns the events of a complete body.
func parse(t *testing.T, body []byte) []sse.Event {
	t.Helper()
	var evs []sse.Event
	for ev, err := range sse.Read(bytes.NewReader(body)) {
		if err != nil {
			t.Fatalf("parsing %q: %v", body, err)
		}
		evs = append(evs, ev)
	}
	return evs
}

func TestScriptPlaysInOrderAndRepeatsTheLast(t *testing.T) {
	srv := ssetest.NewServer(
		ssetest.Status(500, ""),
		ssetest.Stream(ssetest.Raw("two")),
		ssetest.Stream(ssetest.Raw("three")),
	)
	defer srv.Close()
	var got []string
	for range 5 {
		r := get(t, srv, nil)
		got = append(got, http.StatusText(r.status)+":"+string(r.body))
	}
	want := []string{"Internal Server Error:", "OK:two", "OK:three", "OK:three", "OK:three"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestRequestsAreRecorded(t *testing.T) {
	srv := ssetest.NewServer()
	defer srv.Close()
	do(t, srv, http.MethodPost, http.Header{"Last-Event-Id": {"41"}, "Authorization": {"Bearer t"}}, strings.NewReader(`{"q":1}`))
	get(t, srv, nil)

	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	reqs, err := srv.WaitForRequests(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	type summary struct {
		Method, URL, LastEventID, Authorization, Body string
	}
	var got []summary
	for _, r := range reqs {
		if r.Time.IsZero() {
			t.Errorf("%s request has no time", r.Method)
		}
		got = append(got, summary{r.Method, r.URL, r.LastEventID, r.Header.Get("Authorization"), string(r.Body)})
	}
	want := []summary{
		{"POST", "/stream?x=1", "41", "Bearer t", `{"q":1}`},
		{"GET", "/stream?x=1", "", "", ""},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
	if reqs[1].Body != nil {
		t.Errorf("an empty body was recorded as %q, want nil", reqs[1].Body)
	}

	short, cancel2 := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel2()
	if _, err := srv.WaitForRequests(short, 3); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("waiting for a third request: %v, want %v", err, context.DeadlineExceeded)
	}
}

func TestNoAnswerHoldsTheRequest(t *testing.T) {
	srv := ssetest.NewServer(ssetest.NoAnswer())
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
	resp, err := srv.Client().Do(req)
	if err == nil {
		resp.Body.Close()
		t.Fatalf("got a response, %s; want none", resp.Status)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("error %v, want %v", err, context.DeadlineExceeded)
	}
	if n := len(srv.Requests()); n != 1 {
		t.Errorf("%d requests recorded, want 1", n)
	}
}

// TestCloseEndsEndlessResponses checks that Close returns promptly while
// responses would otherwise go on for ever, and that their clients see
// the connection end.
func TestCloseEndsEndlessResponses(t *testing.T) {
	for _, tt := range []struct {
		name string
		resp ssetest.Response
	}{
		{"stall", ssetest.Stream(ssetest.Event(sse.Event{Data: "x"}), ssetest.Stall())},
		{"wait", ssetest.Stream(ssetest.Wait(make(chan struct{})))},
		{"pause", ssetest.Stream(ssetest.Pause(time.Hour))},
		{"no answer", ssetest.NoAnswer()},
		{"endless line", ssetest.Stream(ssetest.EndlessLine())},
		{"endless event", ssetest.Stream(ssetest.EndlessEvent())},
		{"slow drip", ssetest.Stream(ssetest.Drip(time.Hour), ssetest.Raw("data: x\n\n"))},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := ssetest.NewServer(tt.resp)
			errc := make(chan error, 1)
			go func() {
				req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
				resp, err := srv.Client().Do(req)
				if err == nil {
					// Read a little, then stop reading but keep the body open:
					// the server must still be able to close.
					_, err = io.ReadFull(resp.Body, make([]byte, 1))
					ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
					srv.WaitForRequests(ctx, 1)
					cancel()
					<-time.After(20 * time.Millisecond)
					if err == nil {
						_, err = io.Copy(io.Discard, resp.Body)
					}
					resp.Body.Close()
				}
				errc <- err
			}()
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if _, err := srv.WaitForRequests(ctx, 1); err != nil {
				t.Fatal(err)
			}
			time.Sleep(20 * time.Millisecond)
			start := time.Now()
			srv.Close()
			if d := time.Since(start); d > time.Second {
				t.Errorf("Close took %v", d)
			}
			select {
			case err := <-errc:
				if err == nil {
					t.Errorf("the client saw a clean end; want an error")
				}
			case <-time.After(5 * time.Second):
				t.Fatal("the client still waits after Close")
			}
		})
	}
}

func TestEndlessLineAndEventNeverEnd(t *testing.T) {
	for _, tt := range []struct {
		name   string
		step   ssetest.Step
		prefix string
		unit   string
	}{
		{"line", ssetest.EndlessLine(), "data: ", "x"},
		{"event", ssetest.EndlessEvent(), "", "data: " + strings.Repeat("y", 4089) + "\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := ssetest.NewServer(ssetest.Stream(tt.step))
			defer srv.Close()
			resp, err := srv.Client().Get(srv.URL)
			if err != nil {
				t.Fatal(err)
			}
			const n = 1 << 20
			b := make([]byte, len(tt.prefix)+n)
			_, err = io.ReadFull(resp.Body, b)
			resp.Body.Close()
			if err != nil {
				t.Fatalf("reading %d bytes: %v", len(b), err)
			}
			want := tt.prefix + strings.Repeat(tt.unit, n/len(tt.unit)+1)
			if string(b) != want[:len(b)] {
				t.Errorf("the first %d bytes are not %q repeated", len(b), tt.unit)
			}
		})
	}
}

func TestUnencodableStepsPanic(t *testing.T) {
	for name, f := range map[string]func(){
		"event":      func() { ssetest.Event(sse.Event{ID: "a\nb", Data: "x"}) },
		"comment":    func() { ssetest.Comment("\xff") },
		"retry":      func() { ssetest.Retry(-1) },
		"drop after": func() { ssetest.DropAfter(-1) },
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			f()
		})
	}
}

func TestUnstartedServerOverHTTP2(t *testing.T) {
	feed := &ssetest.Feed{Events: 6, Cuts: []int{30}}
	srv := ssetest.NewUnstartedServer(ssetest.Stream(feed, ssetest.Stall()))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	defer srv.Close()

	client := sse.NewClient(sse.WithHTTPClient(srv.Client()), sse.WithRetryPolicy(sse.RetryPolicy{BaseDelay: time.Millisecond, MinDelay: time.Millisecond}))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
	stream := client.Connect(req)
	defer stream.Close()
	var got []sse.Event
	for len(got) < feed.Events && stream.Next() {
		got = append(got, stream.Event())
	}
	stream.Close()
	if diff := cmp.Diff(feed.Want(), got); diff != "" {
		t.Errorf("events (-want +got):\n%s\nstream error: %v", diff, stream.Err())
	}
	var reqs []string
	for _, r := range srv.Requests() {
		reqs = append(reqs, r.Proto+" Last-Event-ID="+r.LastEventID)
	}
	if diff := cmp.Diff([]string{"HTTP/2.0 Last-Event-ID=", "HTTP/2.0 Last-Event-ID=1"}, reqs); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
}

func TestCloseOfAnUnstartedServer(t *testing.T) {
	srv := ssetest.NewUnstartedServer()
	done := make(chan struct{})
	go func() {
		srv.Close()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close of an unstarted server hangs")
	}
}
