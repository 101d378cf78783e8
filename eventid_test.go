package sse

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCheckEventID(t *testing.T) {
	tests := []struct {
		id   string
		want string // what the error says, after ErrInvalidLastEventID's text; "" for nil
	}{
		{"", ""},
		{"42", ""},
		{"a\tb", ""},
		{"é🧹", ""},
		{"in side", ""},
		{"id:with:colons", ""},
		{"\u2028", ""},
		{strings.Repeat("x", MaxEventIDSize), ""},
		{strings.Repeat("x", MaxEventIDSize+1), "the event ID is 4097 bytes long, over MaxEventIDSize (4096), and a server may refuse a header that long"},
		{"a\x01b", `the event ID "a\x01b" has a control character (0x01) at byte 1, which a header cannot carry`},
		{"a\x00", `the event ID "a\x00" has a control character (0x00) at byte 1, which a header cannot carry`},
		{"\r", `the event ID "\r" has a control character (0x0d) at byte 0, which a header cannot carry`},
		{"a\nb", `the event ID "a\nb" has a control character (0x0a) at byte 1, which a header cannot carry`},
		{"a\x7f", `the event ID "a\x7f" has a control character (0x7f) at byte 1, which a header cannot carry`},
		{" 1", `the event ID " 1" starts with a space or tab, which HTTP trims from the header`},
		{"\t1", `the event ID "\t1" starts with a space or tab, which HTTP trims from the header`},
		{"1 ", `the event ID "1 " ends with a space or tab, which HTTP trims from the header`},
		{"1\t", `the event ID "1\t" ends with a space or tab, which HTTP trims from the header`},
		{" ", `the event ID " " starts with a space or tab, which HTTP trims from the header`},
		{"\xff", `the event ID "\xff" is not valid UTF-8, which a reader replaces with U+FFFD`},
		{strings.Repeat("\x01", 100), `the event ID "` + strings.Repeat(`\x01`, 64) + `"… has a control character (0x01) at byte 0, which a header cannot carry`},
	}
	for _, tt := range tests {
		err := CheckEventID(tt.id)
		got := ""
		if err != nil {
			if !errors.Is(err, ErrInvalidLastEventID) {
				t.Errorf("CheckEventID(%.20q) = %v, which does not wrap ErrInvalidLastEventID", tt.id, err)
			}
			got = strings.TrimPrefix(err.Error(), ErrInvalidLastEventID.Error()+": ")
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("CheckEventID(%.20q) (-want +got):\n%s", tt.id, diff)
		}
	}
}

// TestCheckEventIDMatchesHTTP checks the rule against net/http itself: an
// ID that CheckEventID accepts reaches a server unchanged in the
// Last-Event-ID header; one it refuses for its spaces or its control
// characters does not.
func TestCheckEventIDMatchesHTTP(t *testing.T) {
	got := make(chan string, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- r.Header.Get("Last-Event-ID")
	}))
	defer srv.Close()
	for _, id := range []string{"42", "a\tb", "é🧹", "in side", strings.Repeat("x", MaxEventIDSize), " 1", "1 ", "\t1\t", "a\x01b", "a\x7f"} {
		req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
		req.Header.Set("Last-Event-ID", id)
		resp, err := srv.Client().Do(req)
		arrived := ""
		if err == nil {
			resp.Body.Close()
			arrived = <-got
		}
		if same, ok := arrived == id, CheckEventID(id) == nil; same != ok {
			t.Errorf("ID %q arrived as %q (request error %v), but CheckEventID says %v", id, arrived, err, CheckEventID(id))
		}
	}
}

// TestClientLastEventIDRule checks what a stream does with an ID that the
// Last-Event-ID header cannot carry: it delivers every event as sent, and
// ends with ErrInvalidLastEventID only when it would have to send the ID.
func TestClientLastEventIDRule(t *testing.T) {
	long := strings.Repeat("7", MaxEventIDSize+1)
	tests := []struct {
		name     string
		body     string // the first response; the next ones are "data: again"
		initial  string // WithLastEventID
		events   []Event
		requests []string // the Last-Event-ID of each request
		invalid  bool     // the stream ends with ErrInvalidLastEventID
	}{
		{
			name:     "padded ID",
			body:     "id:  padded \ndata: x\n\n",
			events:   []Event{{Type: "message", ID: " padded ", Data: "x"}},
			requests: []string{""},
			invalid:  true,
		},
		{
			name:     "control character",
			body:     "id: ctl\x01id\ndata: x\n\n",
			events:   []Event{{Type: "message", ID: "ctl\x01id", Data: "x"}},
			requests: []string{""},
			invalid:  true,
		},
		{
			name:     "too long",
			body:     "id: " + long + "\ndata: x\n\n",
			events:   []Event{{Type: "message", ID: long, Data: "x"}},
			requests: []string{""},
			invalid:  true,
		},
		{
			name: "a bad ID replaced by a good one before the reconnect",
			body: "id: bad \ndata: x\n\nid: good\ndata: y\n\n",
			events: []Event{
				{Type: "message", ID: "bad ", Data: "x"},
				{Type: "message", ID: "good", Data: "y"},
				{Type: "message", ID: "good", Data: "again"},
			},
			requests: []string{"", "good"},
		},
		{
			name:    "bad initial ID",
			initial: "start ",
			invalid: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newScript(t, serveStream(tt.body), serveStream("data: again\n\n"))
			opts := []Option{WithHTTPClient(srv.srv.Client()), NewFakeClock().Option(), maxAttempts(1)}
			if tt.initial != "" {
				opts = append(opts, WithLastEventID(tt.initial))
			}
			s := NewClient(opts...).Connect(newGet(t, srv.srv.URL))
			var evs []Event
			for s.Next() {
				evs = append(evs, s.Event())
				if len(evs) == len(tt.events) && !tt.invalid {
					s.Close()
				}
			}
			if diff := cmp.Diff(tt.events, evs); diff != "" {
				t.Errorf("events (-want +got):\n%s", diff)
			}
			if got := errors.Is(s.Err(), ErrInvalidLastEventID); got != tt.invalid {
				t.Errorf("Err() = %v; want ErrInvalidLastEventID: %v", s.Err(), tt.invalid)
			}
			var sent []string
			for _, r := range srv.requests() {
				sent = append(sent, r.LastEventID)
			}
			if diff := cmp.Diff(tt.requests, sent); diff != "" {
				t.Errorf("Last-Event-ID of each request (-want +got):\n%s", diff)
			}
		})
	}
}
