package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/ssekit/sse"
)

// parsed is what a parser reads from a stream: its events and comments.
type parsed struct {
	Events   []sse.Event
	Comments []string
}

// parse reads stream with the library's parser, starting from lastID.
func parse(t testing.TB, stream, lastID string) parsed {
	t.Helper()
	var got parsed
	p := sse.NewParser(strings.NewReader(stream))
	p.SetLastEventID(lastID)
	p.OnComment(func(text []byte) { got.Comments = append(got.Comments, string(text)) })
	for p.Next() {
		got.Events = append(got.Events, p.Event())
	}
	if err := p.Err(); err != nil {
		t.Fatalf("parsing %q: %v", stream, err)
	}
	return got
}

// roundTripStreams are streams whose events must survive sse's default
// output: what sse prints parses back to the events the server sent.
var roundTripStreams = []struct {
	name, stream string
}{
	{"ID reset", "id: 1\ndata: a\n\nid\ndata: b\n\n"},
	{"ID reset with an empty value", "id: 1\ndata: a\n\nid:\ndata: b\n\nid: 2\ndata: c\n\n"},
	{"ID kept from event to event", "id: 7\ndata: a\n\ndata: b\n\nevent: t\ndata: c\n\n"},
	{"types and lines", "event: update\ndata: one\ndata:\ndata:  two spaces\n\nevent: message\ndata: m\n\n"},
	{"empty data", "data\n\ndata:\ndata:\n\n"},
	{"IDs with spaces and controls", "id:  lead\ndata: a\n\nid: trail \ndata: b\n\nid: \x01\tctl\ndata: c\n\n"},
	{"NUL in an ID is ignored", "id: 3\ndata: a\n\nid: x\x00y\ndata: b\n\n"},
	{"ID without an event", "id: 5\n\ndata: after\n\n"},
	{"BOM, CRLF and CR", "\xef\xbb\xbfdata: bom\r\n\r\ndata: cr\rid: 9\r\r"},
	{"invalid UTF-8", "event: \xffx\nid: \xfe\ndata: \xc3\n\n"},
	{"comments and retry", ": hello\nretry: 10\ndata: a\n: inside\ndata: b\n\n:\n:  two\n"},
	{"cut-off event", "data: whole\n\ndata: cut"},
}

func TestDefaultOutputRoundTrips(t *testing.T) {
	for _, tt := range roundTripStreams {
		for _, lastID := range []string{"", "41"} {
			t.Run(tt.name+"/last ID "+lastID, func(t *testing.T) {
				url := serve(t, fixed(tt.stream))
				args := []string{"--no-reconnect", "--comments", url}
				if lastID != "" {
					args = append(args, "--last-event-id", lastID)
				}
				got := runCLI(t, context.Background(), "", args...)
				if got.Code != exitOK {
					t.Fatalf("run %q = %+v, want exit 0", args, got)
				}
				want := parse(t, tt.stream, lastID)
				// sse's output is read from the start, as a saved file is.
				if diff := cmp.Diff(want, parse(t, got.Stdout, "")); diff != "" {
					t.Errorf("stream %q printed as %q parses back to other events (-want +got):\n%s", tt.stream, got.Stdout, diff)
				}
			})
		}
	}
}

// TestPrinterRoundTrips checks the same claim without a server, as the
// fuzz test below does.
func TestPrinterRoundTrips(t *testing.T) {
	for _, tt := range roundTripStreams {
		checkPrinterRoundTrip(t, []byte(tt.stream))
	}
}

func FuzzPrinterRoundTrip(f *testing.F) {
	for _, tt := range roundTripStreams {
		f.Add([]byte(tt.stream))
	}
	f.Fuzz(checkPrinterRoundTrip)
}

// checkPrinterRoundTrip parses stream, prints its events and comments in
// the default format, and parses that back.
func checkPrinterRoundTrip(t *testing.T, stream []byte) {
	var out bytes.Buffer
	pr := newPrinter(&out, io.Discard, &options{})
	want := parsed{}
	p := sse.NewParser(bytes.NewReader(stream))
	p.OnComment(func(text []byte) {
		want.Comments = append(want.Comments, strings.ToValidUTF8(string(text), "\uFFFD"))
		pr.comment(text)
	})
	for p.Next() {
		ev := p.Event()
		want.Events = append(want.Events, ev)
		if err := pr.print(ev); err != nil {
			t.Fatalf("printing %+v: %v", ev, err)
		}
	}
	if p.Err() != nil {
		return // beyond a limit: nothing to compare
	}
	if err := pr.commentErr(); err != nil {
		t.Fatalf("printing a comment: %v", err)
	}
	if diff := cmp.Diff(want, parse(t, out.String(), "")); diff != "" {
		t.Errorf("stream %q printed as %q parses back to other events (-want +got):\n%s", stream, out.String(), diff)
	}
}

// TestJSONDataOutputKeepsValues checks what --json-data promises in the
// default format: data that is JSON parses back to the same JSON value,
// indented, and other data to the same text.
func TestJSONDataOutputKeepsValues(t *testing.T) {
	stream := "id: 1\ndata: {\"a\":[1,2],\"b\":\"<x>\"}\n\ndata: not json\n\nid\ndata: [true]\n\n"
	url := serve(t, fixed(stream))
	got := runCLI(t, context.Background(), "", "--no-reconnect", "--json-data", url)
	back := parse(t, got.Stdout, "")
	for i := range back.Events {
		var b bytes.Buffer
		if json.Compact(&b, []byte(back.Events[i].Data)) == nil {
			back.Events[i].Data = b.String()
		}
	}
	if diff := cmp.Diff(parse(t, stream, ""), back); diff != "" {
		t.Errorf("--json-data output %q parses back to other values (-want +got):\n%s", got.Stdout, diff)
	}
	if !strings.Contains(got.Stdout, "data: {\ndata:   \"a\": [") {
		t.Errorf("--json-data output is not indented:\n%s", got.Stdout)
	}
}

func TestComments(t *testing.T) {
	url := serve(t, fixed(": heartbeat\ndata: a\n: inside <b>\ndata: b\n\n:\n"))
	tests := []struct {
		name   string
		args   []string
		stdout string
		stderr string // after "connected"
	}{{
		name:   "default",
		stdout: ": heartbeat\n: inside <b>\ndata: a\ndata: b\n\n: \n",
	}, {
		name:   "json",
		args:   []string{"--json"},
		stdout: `{"comment":"heartbeat"}` + "\n" + `{"comment":"inside <b>"}` + "\n" + `{"type":"message","data":"a\nb","id":""}` + "\n" + `{"comment":""}` + "\n",
	}, {
		name:   "data only: comments on stderr",
		args:   []string{"--data-only"},
		stdout: "a\nb\n",
		stderr: ": heartbeat\n: inside <b>\n: \n",
	}, {
		name:   "without --comments",
		args:   []string{"--json"},
		stdout: `{"type":"message","data":"a\nb","id":""}` + "\n",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"--no-reconnect", url}, tt.args...)
			if tt.name != "without --comments" {
				args = append(args, "--comments")
			}
			got := runCLI(t, context.Background(), "", args...)
			want := result{Code: exitOK, Stdout: tt.stdout, Stderr: "connected (HTTP/1.1 200)\n" + tt.stderr + "stream ended\n"}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("run %q (-want +got):\n%s", args, diff)
			}
			if tt.name == "json" {
				dec := json.NewDecoder(strings.NewReader(got.Stdout))
				for dec.More() {
					var v map[string]any
					if err := dec.Decode(&v); err != nil {
						t.Errorf("--json --comments output is not JSON lines: %v", err)
						break
					}
				}
			}
		})
	}
}
