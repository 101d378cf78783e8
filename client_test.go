package sse_test

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ssekit/sse"
	"github.com/ssekit/sse/ssetest"
)

func TestClientNilRequest(t *testing.T) {
	s := sse.NewClient().Connect(nil)
	if s.Next() || s.Err() == nil {
		t.Fatalf("Next on a nil request: want false and an error, got %v", s.Err())
	}
}

func TestZeroClientUsable(t *testing.T) {
	srv := serve(t, ssetest.NoContent())
	var c sse.Client
	if _, err := collect(c.Connect(request(t, http.MethodGet, srv.URL, nil))); err != nil {
		t.Fatal(err)
	}
}

func TestClientLimitErrorStops(t *testing.T) {
	srv := serve(t, ssetest.Stream(ssetest.Raw("data: ok\n\ndata: "+strings.Repeat("x", 2000)+"\n\n")))
	c := sse.NewClient(sse.WithHTTPClient(srv.Client()), sse.WithLimits(1000, 1000))
	evs, err := collect(c.Connect(request(t, http.MethodGet, srv.URL, nil)))
	if !errors.Is(err, sse.ErrLineTooLong) || len(evs) != 1 {
		t.Fatalf("got %v, %v; want one event then ErrLineTooLong", evs, err)
	}
	if n := len(srv.Requests()); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}

func TestClientSkipOversized(t *testing.T) {
	srv := serve(t, ssetest.Stream(ssetest.Raw("data: ok\n\ndata: "+strings.Repeat("x", 2000)+"\n\ndata: after\n\n")), ssetest.NoContent())
	var skipped []error
	c := sse.NewClient(sse.WithHTTPClient(srv.Client()), sse.NewFakeClock().Option(), sse.WithLimits(1000, 1000),
		sse.WithSkipOversized(func(err error) { skipped = append(skipped, err) }))
	evs, err := collect(c.Connect(request(t, http.MethodGet, srv.URL, nil)))
	if err != nil || len(evs) != 2 || len(skipped) != 1 || !errors.Is(skipped[0], sse.ErrLineTooLong) {
		t.Fatalf("got %v, %v, skipped %v", evs, err, skipped)
	}
}

func TestClientSecretsStayOutOfErrorsAndLogs(t *testing.T) {
	// APIs echo the credentials they reject in their error messages.
	echo := `{"error":{"message":"Incorrect API key provided: sk-SECRET-HEADER (also sk-SECRET, COOKIE-SECRET, XKEY-SECRET, user, pa55word)"}}`
	srv := serve(t, ssetest.Status(http.StatusForbidden, echo))
	u := strings.Replace(srv.URL, "http://", "http://user:pa55word@", 1) + "/v1/stream?api_key=sk-SECRET&cursor=9#frag"
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	req.Header.Set("Authorization", "Bearer sk-SECRET-HEADER")
	req.Header.Set("Cookie", "session=COOKIE-SECRET")
	req.Header.Set("X-Api-Key", "XKEY-SECRET")
	var logs bytes.Buffer
	c := sse.NewClient(sse.WithHTTPClient(srv.Client()), sse.WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	_, err := collect(c.Connect(req))
	if err == nil {
		t.Fatal("want an error")
	}
	// A connection error too, through a closed server.
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()
	req2, _ := http.NewRequest(http.MethodGet, dead.URL+"/x?token=sk-SECRET-2", nil)
	c2 := sse.NewClient(sse.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))), sse.NewFakeClock().Option(), sse.WithRetryPolicy(sse.RetryPolicy{MaxAttempts: 2}))
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
	c := sse.NewClient(sse.WithHTTPClient(srv.Client()), sse.NewFakeClock().Option(),
		sse.WithHooks(sse.Hooks{OnConnect: func(r *http.Response) { protos = append(protos, r.Proto) }}))
	evs, err := collect(c.Connect(request(t, http.MethodGet, srv.URL, nil)))
	if err != nil {
		t.Fatal(err)
	}
	want := []sse.Event{{"message", "first", "1"}, {"message", "second", "2"}}
	if diff := cmp.Diff(want, evs); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"HTTP/2.0", "HTTP/2.0"}, protos); diff != "" {
		t.Errorf("protocols (-want +got):\n%s", diff)
	}
}
