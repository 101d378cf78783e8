package sse_test

// Which requests a Client sends again, after a failure or a clean end:
// a GET, and a POST only when asked, with its body from GetBody.

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ssekit/sse"
	"github.com/ssekit/sse/ssetest"
)

// TestClientReopenTable checks the table in the docs of WithReopen and
// WithRetryNonIdempotent, cell by cell, against a server that fails once,
// then ends two streams cleanly, then answers 204.
func TestClientReopenTable(t *testing.T) {
	tests := []struct {
		method        string
		reopen, retry bool
		wantRequests  int
		wantData      []string
		wantStatus    int // of the error that ends the stream; 0 for nil
	}{
		{"POST", false, false, 1, nil, http.StatusBadGateway},
		{"POST", false, true, 2, []string{"1"}, 0},
		{"POST", true, false, 4, []string{"1", "2"}, 0},
		{"POST", true, true, 4, []string{"1", "2"}, 0},
		{"REPORT", true, false, 4, []string{"1", "2"}, 0},
		// Idempotent, so retried after the failure; reopened only when asked.
		{"PUT", false, false, 2, []string{"1"}, 0},
		{"PUT", true, false, 4, []string{"1", "2"}, 0},
		// A GET is a feed either way.
		{"GET", false, false, 4, []string{"1", "2"}, 0},
		{"GET", true, true, 4, []string{"1", "2"}, 0},
	}
	for _, tt := range tests {
		t.Run(strings.Join([]string{tt.method, boolName("reopen", tt.reopen), boolName("retry", tt.retry)}, "/"), func(t *testing.T) {
			srv := ssetest.NewServer(
				ssetest.Status(http.StatusBadGateway, ""),
				ssetest.Stream(ssetest.Event(sse.Event{Data: "1"})),
				ssetest.Stream(ssetest.Event(sse.Event{Data: "2"})),
				ssetest.NoContent(),
			)
			defer srv.Close()
			var body io.Reader
			wantBody := ""
			if tt.method != http.MethodGet {
				body, wantBody = strings.NewReader("prompt"), "prompt"
			}
			c := sse.NewClient(sse.WithHTTPClient(srv.Client()), sse.NewFakeClock().Option(),
				sse.WithRetryPolicy(sse.RetryPolicy{MaxAttempts: 5}),
				sse.WithReopen(tt.reopen), sse.WithRetryNonIdempotent(tt.retry))
			evs, err := collect(c.Connect(request(t, tt.method, srv.URL, body)))
			var data []string
			for _, ev := range evs {
				data = append(data, ev.Data)
			}
			if diff := cmp.Diff(tt.wantData, data); diff != "" {
				t.Errorf("events (-want +got):\n%s", diff)
			}
			var re *sse.ResponseError
			switch {
			case tt.wantStatus == 0 && err != nil:
				t.Errorf("Err() = %v, want nil", err)
			case tt.wantStatus != 0 && (!errors.As(err, &re) || re.StatusCode != tt.wantStatus):
				t.Errorf("Err() = %v, want the %d", err, tt.wantStatus)
			}
			reqs := srv.Requests()
			if len(reqs) != tt.wantRequests {
				t.Fatalf("%d requests, want %d", len(reqs), tt.wantRequests)
			}
			for i, r := range reqs {
				if string(r.Body) != wantBody {
					t.Errorf("request %d sent body %q, want %q: the body again from GetBody", i, r.Body, wantBody)
				}
			}
		})
	}
}

func boolName(name string, b bool) string {
	if b {
		return name
	}
	return "no-" + name
}

func TestClientPostEndsWithoutReconnect(t *testing.T) {
	srv := ssetest.NewServer(ssetest.Stream(ssetest.Event(sse.Event{Data: "tok1"}), ssetest.Event(sse.Event{Data: "tok2"})))
	defer srv.Close()
	// The fake clock and the request's deadline only bound a regression.
	c := sse.NewClient(sse.WithHTTPClient(srv.Client()), sse.NewFakeClock().Option())
	evs, err := collect(c.Connect(request(t, http.MethodPost, srv.URL, strings.NewReader("prompt"))))
	if err != nil {
		t.Fatalf("Err() = %v, want nil after the end of a POST stream", err)
	}
	if len(evs) != 2 {
		t.Errorf("%d events, want 2", len(evs))
	}
	if n := len(srv.Requests()); n != 1 {
		t.Errorf("%d requests, want 1: a POST is not sent again", n)
	}
}

func TestClientPostNotResentAfterFailure(t *testing.T) {
	srv := ssetest.NewServer(ssetest.Status(http.StatusServiceUnavailable, "busy"))
	defer srv.Close()
	c := sse.NewClient(sse.WithHTTPClient(srv.Client()), sse.NewFakeClock().Option(), sse.WithRetryPolicy(sse.RetryPolicy{MaxAttempts: 3}))
	_, err := collect(c.Connect(request(t, http.MethodPost, srv.URL, strings.NewReader("prompt"))))
	if !errors.Is(err, sse.ErrUnexpectedStatus) || !strings.Contains(err.Error(), "WithRetryNonIdempotent") {
		t.Errorf("Err() = %v; want the 503, saying how to allow retries", err)
	}
	if n := len(srv.Requests()); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}

func TestClientPostRetry(t *testing.T) {
	for _, tt := range []struct {
		name   string
		opts   []sse.Option
		header string
	}{
		{"opt-in", []sse.Option{sse.WithRetryNonIdempotent(true)}, ""},
		{"Idempotency-Key", nil, "Idempotency-Key"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := ssetest.NewServer(ssetest.Status(http.StatusBadGateway, ""), ssetest.Stream(ssetest.Event(sse.Event{Data: "x"})), ssetest.NoContent())
			defer srv.Close()
			req := request(t, http.MethodPost, srv.URL, strings.NewReader("prompt"))
			if tt.header != "" {
				req.Header.Set(tt.header, "k1")
			}
			opts := append([]sse.Option{sse.WithHTTPClient(srv.Client()), sse.NewFakeClock().Option()}, tt.opts...)
			if _, err := collect(sse.NewClient(opts...).Connect(req)); err != nil {
				t.Fatal(err)
			}
			// Sent again after the 502; not reopened after its clean end.
			if diff := cmp.Diff([]string{"POST prompt", "POST prompt"}, sent(srv.Requests())); diff != "" {
				t.Errorf("requests (-want +got):\n%s", diff)
			}
		})
	}
}

func TestClientNonReplayableBody(t *testing.T) {
	srv := ssetest.NewServer(ssetest.Status(http.StatusServiceUnavailable, ""), ssetest.Stream(ssetest.Event(sse.Event{Data: "never"})))
	defer srv.Close()
	c := sse.NewClient(sse.WithHTTPClient(srv.Client()), sse.NewFakeClock().Option(), sse.WithRetryNonIdempotent(true))
	_, err := collect(c.Connect(request(t, http.MethodPost, srv.URL, io.MultiReader(strings.NewReader("once")))))
	if !errors.Is(err, sse.ErrNotReplayable) || !errors.Is(err, sse.ErrUnexpectedStatus) {
		t.Errorf("Err() = %v; want ErrNotReplayable wrapping the 503", err)
	}
	if err == nil || !strings.Contains(err.Error(), "GetBody") {
		t.Errorf("Err() = %v; want it to say how to fix it (GetBody)", err)
	}
	if diff := cmp.Diff([]string{"POST once"}, sent(srv.Requests())); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
}

// TestClientRequestCannotBeBuilt proves the docs of ErrNotReplayable and of
// Hooks.OnDisconnect: a GetBody or a WithPrepare hook that fails, or a
// last event ID that fails CheckEventID, ends the stream with an error
// that wraps its error (and ErrNotReplayable for GetBody), sends nothing,
// and calls no OnDisconnect.
func TestClientRequestCannotBeBuilt(t *testing.T) {
	broken := errors.New("the body's source is gone")
	tests := []struct {
		name    string
		getBody func() (io.ReadCloser, error)
		opts    []sse.Option
		want    []error
	}{
		{"GetBody fails", func() (io.ReadCloser, error) { return nil, broken }, nil, []error{sse.ErrNotReplayable, broken}},
		{"WithPrepare fails", nil, []sse.Option{sse.WithPrepare(func(*http.Request) error { return broken })}, []error{broken}},
		{"last event ID fails CheckEventID", nil, []sse.Option{sse.WithLastEventID("a\nb")}, []error{sse.ErrInvalidLastEventID}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := ssetest.NewServer(ssetest.Stream(ssetest.Event(sse.Event{Data: "never"})))
			defer srv.Close()
			req := request(t, http.MethodPost, srv.URL, strings.NewReader("prompt"))
			if tt.getBody != nil {
				req.GetBody = tt.getBody
			}
			var disconnects []error
			opts := append([]sse.Option{sse.WithHTTPClient(srv.Client()), sse.NewFakeClock().Option(),
				sse.WithHooks(sse.Hooks{OnDisconnect: func(err error) { disconnects = append(disconnects, err) }})}, tt.opts...)
			_, err := collect(sse.NewClient(opts...).Connect(req))
			for _, want := range tt.want {
				if !errors.Is(err, want) {
					t.Errorf("Err() = %v; want it to wrap %v", err, want)
				}
			}
			if n := len(srv.Requests()); n != 0 {
				t.Errorf("%d requests, want none", n)
			}
			if len(disconnects) != 0 {
				t.Errorf("OnDisconnect got %v; want no call", disconnects)
			}
		})
	}
}

func TestClientOnlyGetReopensAfterCleanEnd(t *testing.T) {
	for _, method := range []string{http.MethodPut, http.MethodDelete, http.MethodOptions} {
		t.Run(method, func(t *testing.T) {
			srv := ssetest.NewServer(ssetest.Status(http.StatusServiceUnavailable, ""), ssetest.Stream(ssetest.Event(sse.Event{Data: "x"})))
			defer srv.Close()
			c := sse.NewClient(sse.WithHTTPClient(srv.Client()), sse.NewFakeClock().Option())
			evs, err := collect(c.Connect(request(t, method, srv.URL, nil)))
			if err != nil || len(evs) != 1 {
				t.Fatalf("got %v, %v; want one event and a clean end", evs, err)
			}
			// Retried after the 503, as an idempotent request; not reopened
			// after its clean end.
			if n := len(srv.Requests()); n != 2 {
				t.Errorf("%d requests, want 2", n)
			}
		})
	}
}
