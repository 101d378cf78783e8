package sse

// How a Client checks a response: the statuses it stops or fails on, the
// error body it keeps, the Content-Type it accepts.

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

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
