package sse

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestEncoderEncode(t *testing.T) {
	tests := []struct {
		name   string
		events []Event
		wire   string
		// back is what a parser reads from wire; the events themselves,
		// with Type "" read as "message", when nil.
		back []Event
		lax  bool // SetStrictIDs(false)
	}{
		{
			name:   "data only",
			events: []Event{{Data: "hello"}},
			wire:   "data: hello\n\n",
		},
		{
			name:   "type message written as no type",
			events: []Event{{Type: "message", Data: "x"}},
			wire:   "data: x\n\n",
		},
		{
			name:   "type",
			events: []Event{{Type: "update", Data: "x"}},
			wire:   "event: update\ndata: x\n\n",
		},
		{
			name:   "multi-line data",
			events: []Event{{Data: "a\nb\n\nc"}},
			wire:   "data: a\ndata: b\ndata: \ndata: c\n\n",
		},
		{
			name:   "empty data",
			events: []Event{{Data: ""}},
			wire:   "data: \n\n",
		},
		{
			name:   "data of one LF",
			events: []Event{{Data: "\n"}},
			wire:   "data: \ndata: \n\n",
		},
		{
			name:   "leading and trailing spaces kept",
			events: []Event{{Type: " t ", Data: " x ", ID: " 1 "}},
			wire:   "event:  t \nid:  1 \ndata:  x \n\n",
			lax:    true,
		},
		{
			name: "IDs a header cannot carry, with strict IDs off",
			events: []Event{
				{Data: "a", ID: "ctl\x01id"},
				{Data: "b", ID: "\tpadded id "},
				{Data: "c", ID: strings.Repeat("9", MaxEventIDSize+1)},
			},
			wire: "id: ctl\x01id\ndata: a\n\n" +
				"id: \tpadded id \ndata: b\n\n" +
				"id: " + strings.Repeat("9", MaxEventIDSize+1) + "\ndata: c\n\n",
			lax: true,
		},
		{
			name:   "colons, NUL and Unicode",
			events: []Event{{Type: "a:b\x00", Data: ":€\x00🧹", ID: "id:é"}},
			wire:   "event: a:b\x00\nid: id:é\ndata: :€\x00🧹\n\n",
		},
		{
			name:   "BOM in data",
			events: []Event{{Data: "\uFEFFx"}},
			wire:   "data: \uFEFFx\n\n",
		},
		{
			name: "ID written only when it changes",
			events: []Event{
				{Data: "a"},
				{Data: "b", ID: "1"},
				{Data: "c", ID: "1"},
				{Data: "d", ID: "2"},
				{Data: "e", ID: ""},
				{Data: "f", ID: ""},
				{Data: "g", ID: "2"},
			},
			wire: "data: a\n\n" +
				"id: 1\ndata: b\n\n" +
				"data: c\n\n" +
				"id: 2\ndata: d\n\n" +
				"id\ndata: e\n\n" +
				"data: f\n\n" +
				"id: 2\ndata: g\n\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			enc := NewEncoder(&buf)
			enc.SetLastEventID("") // a fresh reader
			enc.SetStrictIDs(!tt.lax)
			for _, ev := range tt.events {
				if err := enc.Encode(ev); err != nil {
					t.Fatalf("Encode(%+v) = %v", ev, err)
				}
			}
			if diff := cmp.Diff(tt.wire, buf.String()); diff != "" {
				t.Errorf("wire (-want +got):\n%s", diff)
			}
			back := tt.back
			if back == nil {
				for _, ev := range tt.events {
					if ev.Type == "" {
						ev.Type = "message"
					}
					back = append(back, ev)
				}
			}
			lastID := back[len(back)-1].ID
			checkDeliveries(t, parseInput{input: tt.wire}, streamResult{Events: back, LastID: lastID})
		})
	}
}

func TestEncoderRefuses(t *testing.T) {
	tests := []struct {
		name string
		ev   Event
	}{
		{"type with LF", Event{Type: "a\nb", Data: "x"}},
		{"type with CR", Event{Type: "a\rb", Data: "x"}},
		{"type with CRLF", Event{Type: "a\r\n", Data: "x"}},
		{"ID with LF", Event{ID: "1\n", Data: "x"}},
		{"ID with CR", Event{ID: "\r1", Data: "x"}},
		{"ID with NUL", Event{ID: "1\x002", Data: "x"}},
		{"data with CR", Event{Data: "a\rb"}},
		{"data with CRLF", Event{Data: "a\r\nb"}},
		{"invalid UTF-8 in type", Event{Type: "\xff", Data: "x"}},
		{"invalid UTF-8 in ID", Event{ID: "\xe2\x82", Data: "x"}},
		{"invalid UTF-8 in data", Event{Data: "a\xc0\x80"}},
		{"surrogate in data", Event{Data: "\xed\xa0\x80"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			enc := NewEncoder(&buf)
			enc.SetLastEventID("")
			err := enc.Encode(tt.ev)
			if !errors.Is(err, ErrUnencodable) {
				t.Fatalf("Encode(%+q) = %v, want an error wrapping ErrUnencodable", tt.ev, err)
			}
			if buf.Len() != 0 {
				t.Errorf("Encode wrote %q", buf.Bytes())
			}
			if !strings.HasPrefix(err.Error(), "sse: cannot encode: ") {
				t.Errorf("error %q does not say what failed", err)
			}
			// The refused event's ID does not count: the next event with
			// an empty ID writes no id field.
			if err := enc.Encode(Event{Data: "ok"}); err != nil {
				t.Fatal(err)
			}
			if got, want := buf.String(), "data: ok\n\n"; got != want {
				t.Errorf("after the refused event, wrote %q, want %q", got, want)
			}
		})
	}
}

func TestEncoderStrictIDs(t *testing.T) {
	tests := []struct {
		id     string
		reason string
	}{
		{"ctl\x01id", "a control character"},
		{"a\x7f", "a control character"},
		{" padded", "starts with a space"},
		{"padded\t", "ends with a space or tab"},
		{strings.Repeat("x", MaxEventIDSize+1), "over MaxEventIDSize"},
	}
	for _, tt := range tests {
		var buf bytes.Buffer
		enc := NewEncoder(&buf)
		err := enc.Encode(Event{ID: tt.id, Data: "x"})
		if !errors.Is(err, ErrUnencodable) || !errors.Is(err, ErrInvalidLastEventID) {
			t.Errorf("Encode with ID %.20q = %v, want an error wrapping ErrUnencodable and ErrInvalidLastEventID", tt.id, err)
			continue
		}
		if buf.Len() != 0 {
			t.Errorf("Encode with ID %.20q wrote %q", tt.id, buf.Bytes())
		}
		if msg := err.Error(); !strings.HasPrefix(msg, "sse: cannot encode: ") || !strings.Contains(msg, tt.reason) || !strings.Contains(msg, "SetStrictIDs(false)") {
			t.Errorf("error %q does not say what failed and how to write it anyway", msg)
		}
		// Off, the same ID is written, and read back as it was.
		enc.SetStrictIDs(false)
		if err := enc.Encode(Event{ID: tt.id, Data: "x"}); err != nil {
			t.Errorf("with strict IDs off, Encode with ID %.20q = %v", tt.id, err)
		}
		want := []Event{{Type: "message", ID: tt.id, Data: "x"}}
		checkDeliveries(t, parseInput{input: buf.String()}, streamResult{Events: want, LastID: tt.id})
	}

	// What the format itself cannot carry stays refused with strict IDs
	// off, and the error does not suggest SetStrictIDs.
	for _, id := range []string{"a\nb", "a\rb", "a\x00b", "\xff"} {
		var buf bytes.Buffer
		enc := NewEncoder(&buf)
		enc.SetStrictIDs(false)
		err := enc.Encode(Event{ID: id, Data: "x"})
		if !errors.Is(err, ErrUnencodable) || buf.Len() != 0 || strings.Contains(err.Error(), "SetStrictIDs") {
			t.Errorf("lax Encode with ID %q = %v and wrote %q, want ErrUnencodable, nothing written, no SetStrictIDs hint", id, err, buf.Bytes())
		}
	}
}

func TestEncoderComment(t *testing.T) {
	tests := []struct {
		text string
		wire string
		back []string
	}{
		{"hi", ": hi\n", []string{"hi"}},
		{"", ": \n", []string{""}},
		{" lead", ":  lead\n", []string{" lead"}},
		{"a\nb", ": a\n: b\n", []string{"a", "b"}},
		{"a\r\nb\rc\n\nd", ": a\n: b\n: c\n: \n: d\n", []string{"a", "b", "c", "", "d"}},
		{"trailing\n", ": trailing\n: \n", []string{"trailing", ""}},
		{"data: x", ": data: x\n", []string{"data: x"}},
	}
	for _, tt := range tests {
		var buf bytes.Buffer
		if err := NewEncoder(&buf).Comment(tt.text); err != nil {
			t.Fatalf("Comment(%q) = %v", tt.text, err)
		}
		if diff := cmp.Diff(tt.wire, buf.String()); diff != "" {
			t.Errorf("Comment(%q) wire (-want +got):\n%s", tt.text, diff)
		}
		checkDeliveries(t, parseInput{input: tt.wire}, streamResult{Comments: tt.back})
	}

	var buf bytes.Buffer
	if err := NewEncoder(&buf).Comment("a\xffb"); !errors.Is(err, ErrUnencodable) || buf.Len() != 0 {
		t.Errorf("Comment of invalid UTF-8 = %v and wrote %q, want ErrUnencodable and nothing", err, buf.Bytes())
	}
}

func TestEncoderRetry(t *testing.T) {
	tests := []struct {
		d    time.Duration
		wire string
	}{
		{0, "retry: 0\n"},
		{1500 * time.Millisecond, "retry: 1500\n"},
		{1999 * time.Microsecond, "retry: 1\n"},
		{time.Hour, "retry: 3600000\n"},
		{time.Duration(1<<63 - 1), "retry: 9223372036854\n"},
	}
	for _, tt := range tests {
		var buf bytes.Buffer
		if err := NewEncoder(&buf).Retry(tt.d); err != nil {
			t.Fatalf("Retry(%v) = %v", tt.d, err)
		}
		if got := buf.String(); got != tt.wire {
			t.Errorf("Retry(%v) wrote %q, want %q", tt.d, got, tt.wire)
		}
		p := NewParser(&buf)
		for p.Next() {
		}
		if d, ok := p.Retry(); !ok || d != tt.d.Truncate(time.Millisecond) {
			t.Errorf("Retry(%v) read back as %v, %v", tt.d, d, ok)
		}
	}

	var buf bytes.Buffer
	if err := NewEncoder(&buf).Retry(-time.Millisecond); !errors.Is(err, ErrUnencodable) || buf.Len() != 0 {
		t.Errorf("Retry(-1ms) = %v and wrote %q, want ErrUnencodable and nothing", err, buf.Bytes())
	}
}

// flushRecorder records writes and flushes, with a Flush method of one of
// the two shapes the Encoder knows.
type flushRecorder struct {
	log []string
	err error // returned by Flush() error
}

func (w *flushRecorder) Write(p []byte) (int, error) {
	w.log = append(w.log, "write "+string(p))
	return len(p), nil
}

type plainFlusher struct{ *flushRecorder }

func (w plainFlusher) Flush() { w.log = append(w.log, "flush") }

type errFlusher struct{ *flushRecorder }

func (w errFlusher) Flush() error {
	w.log = append(w.log, "flush")
	return w.err
}

func TestEncoderFlushes(t *testing.T) {
	ops := func(enc *Encoder) []error {
		enc.SetLastEventID("")
		return []error{
			enc.Encode(Event{Data: "x"}),
			enc.Comment("c"),
			enc.Retry(time.Second),
			enc.Encode(Event{Data: "\r"}), // refused: neither written nor flushed
		}
	}
	wantLog := []string{"write data: x\n\n", "flush", "write : c\n", "flush", "write retry: 1000\n", "flush"}

	t.Run("Flush()", func(t *testing.T) {
		rec := &flushRecorder{}
		errs := ops(NewEncoder(plainFlusher{rec}))
		if diff := cmp.Diff(wantLog, rec.log); diff != "" {
			t.Errorf("log (-want +got):\n%s", diff)
		}
		if errs[0] != nil || errs[1] != nil || errs[2] != nil || !errors.Is(errs[3], ErrUnencodable) {
			t.Errorf("errors = %v", errs)
		}
	})
	t.Run("Flush() error", func(t *testing.T) {
		boom := errors.New("flush failed")
		rec := &flushRecorder{err: boom}
		errs := ops(NewEncoder(errFlusher{rec}))
		if diff := cmp.Diff(wantLog, rec.log); diff != "" {
			t.Errorf("log (-want +got):\n%s", diff)
		}
		for i, err := range errs[:3] {
			if !errors.Is(err, boom) {
				t.Errorf("operation %d returned %v, want the flush error", i, err)
			}
		}
	})
	t.Run("no Flush", func(t *testing.T) {
		rec := &flushRecorder{}
		ops(NewEncoder(rec))
		want := []string{"write data: x\n\n", "write : c\n", "write retry: 1000\n"}
		if diff := cmp.Diff(want, rec.log); diff != "" {
			t.Errorf("log (-want +got):\n%s", diff)
		}
	})
	t.Run("bufio.Writer", func(t *testing.T) {
		var under bytes.Buffer
		enc := NewEncoder(bufio.NewWriterSize(&under, 4096))
		if err := enc.Encode(Event{Data: "x"}); err != nil {
			t.Fatal(err)
		}
		if got := under.String(); got != "id\ndata: x\n\n" {
			t.Errorf("after Encode the writer below holds %q: the bufio.Writer was not flushed", got)
		}
	})
	t.Run("http.ResponseWriter", func(t *testing.T) {
		rec := httptest.NewRecorder()
		if err := NewEncoder(rec).Encode(Event{Data: "x"}); err != nil {
			t.Fatal(err)
		}
		if !rec.Flushed || rec.Body.String() != "id\ndata: x\n\n" {
			t.Errorf("Flushed = %v, body %q", rec.Flushed, rec.Body.String())
		}
	})
}

// failWriter fails every write.
type failWriter struct{ err error }

func (w failWriter) Write([]byte) (int, error) { return 0, w.err }

func TestEncoderWriteError(t *testing.T) {
	boom := errors.New("broken pipe")
	w := &switchWriter{w: failWriter{boom}}
	enc := NewEncoder(w)
	if err := enc.Encode(Event{Data: "a", ID: "1"}); !errors.Is(err, boom) {
		t.Fatalf("Encode = %v, want %v", err, boom)
	}
	// The event did not get through, so its ID is not the reader's yet:
	// the next event with that ID writes it.
	var buf bytes.Buffer
	w.w = &buf
	if err := enc.Encode(Event{Data: "a", ID: "1"}); err != nil {
		t.Fatal(err)
	}
	if got, want := buf.String(), "id: 1\ndata: a\n\n"; got != want {
		t.Errorf("after a failed write, wrote %q, want %q", got, want)
	}
}

// switchWriter writes to a writer the test can change.
type switchWriter struct{ w io.Writer }

func (s *switchWriter) Write(p []byte) (int, error) { return s.w.Write(p) }
