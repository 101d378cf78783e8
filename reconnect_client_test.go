package sse

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
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
			srv := newScript(t, serveStatus(http.StatusBadGateway, ""), serveStream("data: 1\n\n"), serveStream("data: 2\n\n"), serveStatus(http.StatusNoContent, ""))
			var body *strings.Reader
			if tt.method != http.MethodGet {
				body = strings.NewReader("prompt")
			}
			req := newGet(t, srv.srv.URL)
			if body != nil {
				req, _ = http.NewRequest(tt.method, srv.srv.URL, body)
			}
			c := NewClient(WithHTTPClient(srv.srv.Client()), newFakeClock().option(), maxAttempts(5),
				WithReopen(tt.reopen), WithRetryNonIdempotent(tt.retry))
			evs, err := collect(c.Connect(req))
			var data []string
			for _, ev := range evs {
				data = append(data, ev.Data)
			}
			if diff := cmp.Diff(tt.wantData, data); diff != "" {
				t.Errorf("events (-want +got):\n%s", diff)
			}
			var re *ResponseError
			switch {
			case tt.wantStatus == 0 && err != nil:
				t.Errorf("Err() = %v, want nil", err)
			case tt.wantStatus != 0 && (!errors.As(err, &re) || re.StatusCode != tt.wantStatus):
				t.Errorf("Err() = %v, want the %d", err, tt.wantStatus)
			}
			reqs := srv.requests()
			if len(reqs) != tt.wantRequests {
				t.Fatalf("%d requests, want %d", len(reqs), tt.wantRequests)
			}
			for i, r := range reqs {
				if want := body != nil; want && r.Body != "prompt" {
					t.Errorf("request %d sent body %q, want the body again from GetBody", i, r.Body)
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
