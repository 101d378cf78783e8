package sse

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"iter"
	"math"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/ssekit/sse/internal/corpus"
)

// streamResult is everything a parser reports about one stream.
type streamResult struct {
	Events   []Event
	Comments []string
	Skipped  []error // errors reported to the SkipOversized callback
	LastID   string
	Retry    time.Duration
	HasRetry bool
	Err      error
}

// resultOpts compares streamResults: errors match as errors.Is says, and a
// nil slice equals an empty one.
var resultOpts = cmp.Options{cmpopts.EquateErrors(), cmpopts.EquateEmpty()}

// errStall, as the final error of a chunkReader, makes it return no bytes
// and no error forever once its chunks are read.
var errStall = errors.New("stall: no bytes and no error forever")

// chunkReader returns each of its chunks that is not empty in one Read (in
// several when the caller's buffer is smaller), then its final error.
type chunkReader struct {
	chunks   [][]byte
	final    error // after the chunks; io.EOF when nil, nothing at all when errStall
	withLast bool  // return the final error together with the last bytes
}

func (r *chunkReader) Read(p []byte) (int, error) {
	for len(r.chunks) > 0 && len(r.chunks[0]) == 0 {
		r.chunks = r.chunks[1:]
	}
	if len(r.chunks) == 0 {
		return 0, r.finalErr()
	}
	if len(p) == 0 {
		return 0, nil
	}
	n := copy(p, r.chunks[0])
	r.chunks[0] = r.chunks[0][n:]
	if len(r.chunks[0]) == 0 {
		r.chunks = r.chunks[1:]
	}
	if r.withLast && len(r.chunks) == 0 {
		return n, r.finalErr()
	}
	return n, nil
}

func (r *chunkReader) finalErr() error {
	switch r.final {
	case nil:
		return io.EOF
	case errStall:
		return nil
	}
	return r.final
}

// parseInput is a test input and how to set up the parser that reads it.
type parseInput struct {
	input  string
	final  error         // the reader's error after input; io.EOF when nil
	chunks [][][]byte    // further ways to split input into reads
	skip   bool          // parse with SkipOversized, recording its reports
	setup  func(*Parser) // called on each fresh parser, after the recorders are set
}

// delivery is one way of feeding a stream to a parser.
type delivery struct {
	name string
	r    io.Reader
}

// deliveries yields a fresh reader for every way a stream is fed to the
// parser: whole; whole with the final error returned with the data; one
// byte per Read; in two reads split at every byte boundary; and in each of
// the given chunkings.
func deliveries(input []byte, final error, chunkings ...[][]byte) iter.Seq[delivery] {
	return func(yield func(delivery) bool) {
		whole := func() *chunkReader {
			return &chunkReader{chunks: [][]byte{input}, final: final}
		}
		withLast := whole()
		withLast.withLast = true
		if !yield(delivery{"whole", whole()}) ||
			!yield(delivery{"whole, final error with the data", withLast}) ||
			!yield(delivery{"one byte per read", iotest.OneByteReader(whole())}) {
			return
		}
		for i := 1; i < len(input); i++ {
			r := &chunkReader{chunks: [][]byte{input[:i], input[i:]}, final: final}
			if !yield(delivery{fmt.Sprintf("split at byte %d of %d", i, len(input)), r}) {
				return
			}
		}
		for k, chunks := range chunkings {
			r := &chunkReader{chunks: slices.Clone(chunks), final: final}
			if !yield(delivery{fmt.Sprintf("chunking #%d (%d reads)", k, len(chunks)), r}) {
				return
			}
		}
	}
}

// runParser reads r to the end with a fresh parser set up as s says, with
// Next/Event or with the All iterator, and returns what the parser
// reported. It also checks that the iterator ends with the error Err
// returns; through Next, that Raw agrees with Event, that each event's ID
// is the LastEventID at its dispatch, and that after the end Next stays
// false and Event is zero.
func runParser(t testing.TB, r io.Reader, s parseInput, viaIter bool) streamResult {
	t.Helper()
	p := NewParser(r)
	var res streamResult
	p.OnComment(func(text []byte) { res.Comments = append(res.Comments, string(text)) })
	if s.skip {
		p.SkipOversized(func(err error) { res.Skipped = append(res.Skipped, err) })
	}
	if s.setup != nil {
		s.setup(p)
	}
	if viaIter {
		for ev, err := range p.All() {
			if res.Err != nil {
				t.Errorf("All yielded (%+v, %v) after its error %v", ev, err, res.Err)
			}
			if err != nil {
				if ev != (Event{}) {
					t.Errorf("All yielded the error %v with the event %+v, want a zero Event", err, ev)
				}
				res.Err = err
				continue
			}
			res.Events = append(res.Events, ev)
		}
		if p.Err() != res.Err {
			t.Errorf("All ended with error %v, but Err returns %v", res.Err, p.Err())
		}
	} else {
		for p.Next() {
			ev := p.Event()
			raw := p.Raw()
			if got := (Event{Type: string(raw.Type), Data: string(raw.Data), ID: string(raw.ID)}); got != ev {
				t.Errorf("Raw() = %+v, Event() = %+v", got, ev)
			}
			if ev.ID != p.LastEventID() {
				t.Errorf("event ID %q differs from LastEventID %q at its dispatch", ev.ID, p.LastEventID())
			}
			res.Events = append(res.Events, ev)
		}
		res.Err = p.Err()
		if p.Next() {
			t.Errorf("Next returned true after returning false")
		}
		if ev := p.Event(); ev != (Event{}) {
			t.Errorf("Event() after the end = %+v, want a zero Event", ev)
		}
	}
	res.LastID = p.LastEventID()
	res.Retry, res.HasRetry = p.Retry()
	return res
}

// checkDeliveries parses s in every delivery mode, through Next and, for
// the whole and one-byte modes, through All, and reports each result that
// differs from want. Options are added to resultOpts for the comparison.
func checkDeliveries(t *testing.T, s parseInput, want streamResult, opts ...cmp.Option) {
	t.Helper()
	input := []byte(s.input)
	cmpOpts := append(cmp.Options{resultOpts}, opts...)
	failures := 0
	fail := func(name, diff string) bool {
		t.Helper()
		t.Errorf("%s: result mismatch (-want +got):\n%s", name, diff)
		failures++
		if failures == 3 {
			t.Errorf("stopping after %d failing deliveries", failures)
			return true
		}
		return false
	}
	for d := range deliveries(input, s.final, s.chunks...) {
		if diff := cmp.Diff(want, runParser(t, d.r, s, false), cmpOpts); diff != "" {
			if fail(d.name, diff) {
				return
			}
		}
	}
	for _, d := range []delivery{
		{"All, whole", &chunkReader{chunks: [][]byte{input}, final: s.final}},
		{"All, one byte per read", iotest.OneByteReader(&chunkReader{chunks: [][]byte{input}, final: s.final})},
	} {
		if diff := cmp.Diff(want, runParser(t, d.r, s, true), cmpOpts); diff != "" {
			if fail(d.name, diff) {
				return
			}
		}
	}
}

// messageEvent returns an event of the default type.
func messageEvent(data, id string) Event {
	return Event{Type: "message", Data: data, ID: id}
}

func TestParser(t *testing.T) {
	boom := errors.New("connection reset")
	tests := []struct {
		name string
		in   parseInput
		want streamResult
	}{
		// The basics.
		{
			name: "empty stream",
			want: streamResult{},
		},
		{
			name: "one event",
			in:   parseInput{input: "data: hello\n\n"},
			want: streamResult{Events: []Event{messageEvent("hello", "")}},
		},
		{
			name: "several events",
			in:   parseInput{input: "data: a\n\ndata: b\n\nevent: c\ndata: d\n\n"},
			want: streamResult{Events: []Event{
				messageEvent("a", ""), messageEvent("b", ""), {Type: "c", Data: "d"},
			}},
		},

		// UTF-8 decoding.
		{
			name: "multi-byte UTF-8 kept",
			in:   parseInput{input: "data: €豆腐🧹\n\n"},
			want: streamResult{Events: []Event{messageEvent("€豆腐🧹", "")}},
		},
		{
			name: "invalid bytes become U+FFFD",
			in:   parseInput{input: "data: \xffa\xe2\x82\n\n"},
			want: streamResult{Events: []Event{messageEvent("\uFFFDa\uFFFD", "")}},
		},
		{
			name: "one U+FFFD per maximal subpart",
			in:   parseInput{input: "data:\xf0\x9f\x98b\xfe\xff\xed\xa0\x80\xc0\x80\n\n"},
			want: streamResult{Events: []Event{messageEvent("\uFFFDb\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD", "")}},
		},
		{
			name: "invalid bytes in type, id and comment",
			in:   parseInput{input: "event: \xff\nid: a\xc0\n: \xed\xa0\x80\ndata: x\n\n"},
			want: streamResult{
				Events:   []Event{{Type: "\uFFFD", Data: "x", ID: "a\uFFFD"}},
				Comments: []string{"\uFFFD\uFFFD\uFFFD"},
				LastID:   "a\uFFFD",
			},
		},
		{
			name: "invalid byte in a field name makes it unknown",
			in:   parseInput{input: "dat\xe1: x\n\ndata\xff\n\n"},
			want: streamResult{},
		},
		{
			name: "a truncated sequence before a line ending",
			in:   parseInput{input: "data: \xe2\x82\ndata: \xf0\x9f\r\n\n"},
			want: streamResult{Events: []Event{messageEvent("\uFFFD\n\uFFFD", "")}},
		},

		// The byte order mark.
		{
			name: "BOM stripped at the start",
			in:   parseInput{input: "\xef\xbb\xbfdata: x\n\n"},
			want: streamResult{Events: []Event{messageEvent("x", "")}},
		},
		{
			name: "BOM split across reads",
			in: parseInput{input: "\xef\xbb\xbfdata: x\n\n", chunks: [][][]byte{
				{[]byte("\xef"), []byte("\xbb\xbf"), []byte("data: x\n\n")},
				{[]byte("\xef"), []byte("\xbb"), []byte("\xbf"), []byte("data: x\n\n")},
				{[]byte("\xef\xbb"), []byte("\xbfdata: x\n\n")},
			}},
			want: streamResult{Events: []Event{messageEvent("x", "")}},
		},
		{
			name: "only one BOM stripped",
			in:   parseInput{input: "\xef\xbb\xbf\xef\xbb\xbfdata: x\n\ndata: y\n\n"},
			want: streamResult{Events: []Event{messageEvent("y", "")}},
		},
		{
			name: "BOM on a later line is part of the field name",
			in:   parseInput{input: "data: a\n\n\xef\xbb\xbfdata: b\n\ndata: c\n\n"},
			want: streamResult{Events: []Event{messageEvent("a", ""), messageEvent("c", "")}},
		},
		{
			name: "BOM inside a value is kept",
			in:   parseInput{input: "data: \xef\xbb\xbfx\n\n"},
			want: streamResult{Events: []Event{messageEvent("\uFEFFx", "")}},
		},
		{
			name: "partial BOM is invalid UTF-8",
			in:   parseInput{input: "\xef\xbbdata: x\n\n\xef\xbb\n"},
			want: streamResult{},
		},
		{
			name: "partial BOM then a line ending",
			in:   parseInput{input: "\xef\xbb\ndata: x\n\n"},
			want: streamResult{Events: []Event{messageEvent("x", "")}},
		},
		{
			name: "BOM alone",
			in:   parseInput{input: "\xef\xbb\xbf"},
			want: streamResult{},
		},
		{
			name: "partial BOM alone",
			in:   parseInput{input: "\xef\xbb"},
			want: streamResult{},
		},
		{
			name: "BOM then a comment",
			in:   parseInput{input: "\xef\xbb\xbf: hi\ndata: x\n\n"},
			want: streamResult{Events: []Event{messageEvent("x", "")}, Comments: []string{"hi"}},
		},

		// Line endings.
		{
			name: "LF",
			in:   parseInput{input: "data: a\ndata: b\n\n"},
			want: streamResult{Events: []Event{messageEvent("a\nb", "")}},
		},
		{
			name: "CR",
			in:   parseInput{input: "data: a\rdata: b\r\r"},
			want: streamResult{Events: []Event{messageEvent("a\nb", "")}},
		},
		{
			name: "CRLF",
			in:   parseInput{input: "data: a\r\ndata: b\r\n\r\n"},
			want: streamResult{Events: []Event{messageEvent("a\nb", "")}},
		},
		{
			name: "mixed endings",
			in:   parseInput{input: "data: a\r\ndata: b\rdata: c\ndata: d\n\r\ndata: e\r\r\ndata: f\n\r"},
			want: streamResult{Events: []Event{messageEvent("a\nb\nc\nd", ""), messageEvent("e", ""), messageEvent("f", "")}},
		},
		{
			name: "LF CR is two line endings",
			in:   parseInput{input: "data: a\n\rdata: b\n\n"},
			want: streamResult{Events: []Event{messageEvent("a", ""), messageEvent("b", "")}},
		},
		{
			name: "CR and LF in different reads are one line ending",
			in: parseInput{input: "data: a\r\ndata: b\r\n\r\n", chunks: [][][]byte{
				{[]byte("data: a\r"), []byte("\ndata: b\r"), []byte("\n\r"), []byte("\n")},
				{[]byte("data: a\r"), []byte("\n"), []byte("data: b\r"), []byte("\n"), []byte("\r"), []byte("\n")},
			}},
			want: streamResult{Events: []Event{messageEvent("a\nb", "")}},
		},
		{
			name: "CR at the end of the parseInput ends the blank line",
			in:   parseInput{input: "data: a\r\r"},
			want: streamResult{Events: []Event{messageEvent("a", "")}},
		},
		{
			name: "CR CR LF",
			in:   parseInput{input: "data: a\r\r\ndata: b\n\n"},
			want: streamResult{Events: []Event{messageEvent("a", ""), messageEvent("b", "")}},
		},
		{
			name: "extra blank lines dispatch nothing",
			in:   parseInput{input: "\n\r\n\rdata: a\n\n\n\r\r\n\n"},
			want: streamResult{Events: []Event{messageEvent("a", "")}},
		},

		// Fields.
		{
			name: "field with no colon has an empty value",
			in:   parseInput{input: "data\n\ndata\ndata\n\n"},
			want: streamResult{Events: []Event{messageEvent("", ""), messageEvent("\n", "")}},
		},
		{
			name: "exactly one leading space stripped",
			in:   parseInput{input: "data:x\ndata: x\ndata:  x\ndata:\tx\ndata: \n\n"},
			want: streamResult{Events: []Event{messageEvent("x\nx\n x\n\tx\n", "")}},
		},
		{
			name: "trailing spaces kept",
			in:   parseInput{input: "event:  t \ndata: x  \n\n"},
			want: streamResult{Events: []Event{{Type: " t ", Data: "x  "}}},
		},
		{
			name: "only the first colon separates",
			in:   parseInput{input: "data: a:b: c\ndata::\n\n"},
			want: streamResult{Events: []Event{messageEvent("a:b: c\n:", "")}},
		},
		{
			name: "space before the colon is part of the name",
			in:   parseInput{input: "data : x\n\n data: y\n\n"},
			want: streamResult{},
		},
		{
			name: "field names are case-sensitive",
			in:   parseInput{input: "Data: x\nDATA: y\nEvent: e\nID: 1\nRetry: 5\n\n"},
			want: streamResult{},
		},
		{
			name: "unknown fields ignored",
			in:   parseInput{input: "foo: bar\ndata: x\nbar\ndata_: y\n\n"},
			want: streamResult{Events: []Event{messageEvent("x", "")}},
		},
		{
			name: "data lines joined with LF, only the final LF removed",
			in:   parseInput{input: "data\ndata: a\ndata\ndata: b\ndata\n\n"},
			want: streamResult{Events: []Event{messageEvent("\na\n\nb\n", "")}},
		},
		{
			name: "empty data buffer dispatches nothing and resets the type",
			in:   parseInput{input: "event: foo\n\ndata: x\n\n"},
			want: streamResult{Events: []Event{messageEvent("x", "")}},
		},
		{
			name: "type does not carry over to the next event",
			in:   parseInput{input: "event: a\ndata: 1\n\ndata: 2\n\n"},
			want: streamResult{Events: []Event{{Type: "a", Data: "1"}, messageEvent("2", "")}},
		},
		{
			name: "last event field wins, empty one means message",
			in:   parseInput{input: "event: a\nevent: b\ndata: 1\n\nevent: a\nevent\ndata: 2\n\nevent:\ndata: 3\n\n"},
			want: streamResult{Events: []Event{{Type: "b", Data: "1"}, messageEvent("2", ""), messageEvent("3", "")}},
		},
		{
			name: "event type message",
			in:   parseInput{input: "event: message\ndata: x\n\n"},
			want: streamResult{Events: []Event{messageEvent("x", "")}},
		},
		{
			name: "NUL in data and type kept",
			in:   parseInput{input: "event: a\x00b\ndata: \x00\ndata: c\x00\n\n"},
			want: streamResult{Events: []Event{{Type: "a\x00b", Data: "\x00\nc\x00"}}},
		},
		{
			name: "fields after data in the same event",
			in:   parseInput{input: "data: x\nevent: t\nid: 5\n\n"},
			want: streamResult{Events: []Event{{Type: "t", Data: "x", ID: "5"}}, LastID: "5"},
		},

		// The last event ID.
		{
			name: "id persists",
			in:   parseInput{input: "id: 1\ndata: a\n\ndata: b\n\n"},
			want: streamResult{Events: []Event{messageEvent("a", "1"), messageEvent("b", "1")}, LastID: "1"},
		},
		{
			name: "id changes",
			in:   parseInput{input: "id: 1\ndata: a\n\nid: 2\ndata: b\n\n"},
			want: streamResult{Events: []Event{messageEvent("a", "1"), messageEvent("b", "2")}, LastID: "2"},
		},
		{
			name: "id with NUL ignored",
			in:   parseInput{input: "id: 1\n\nid: a\x00b\ndata: x\n\nid: \x00\n\n"},
			want: streamResult{Events: []Event{messageEvent("x", "1")}, LastID: "1"},
		},
		{
			name: "empty id resets",
			in:   parseInput{input: "id: 1\ndata: a\n\nid\ndata: b\n\nid: 2\n\nid:\ndata: c\n\n"},
			want: streamResult{Events: []Event{messageEvent("a", "1"), messageEvent("b", ""), messageEvent("c", "")}},
		},
		{
			name: "id-only block sets the last event ID",
			in:   parseInput{input: "id: 99\n\n"},
			want: streamResult{LastID: "99"},
		},
		{
			name: "id spaces and colons kept",
			in:   parseInput{input: "id:  a:b \ndata: x\n\n"},
			want: streamResult{Events: []Event{messageEvent("x", " a:b ")}, LastID: " a:b "},
		},
		{
			name: "id of an event not ended before EOF does not count",
			in:   parseInput{input: "id: 1\ndata: a\n\nid: 2\ndata: b\n"},
			want: streamResult{Events: []Event{messageEvent("a", "1")}, LastID: "1"},
		},
		{
			name: "id of an event cut mid-line does not count",
			in:   parseInput{input: "id: 1\ndata: a\n\nid: 2\ndata: b"},
			want: streamResult{Events: []Event{messageEvent("a", "1")}, LastID: "1"},
		},
		{
			name: "last id line of a block wins",
			in:   parseInput{input: "id: 1\nid: 2\n\ndata: x\n\n"},
			want: streamResult{Events: []Event{messageEvent("x", "2")}, LastID: "2"},
		},
		{
			name: "SetLastEventID seeds the ID",
			in: parseInput{
				input: "data: a\n\nid: 2\n",
				setup: func(p *Parser) { p.SetLastEventID("seed") },
			},
			want: streamResult{Events: []Event{messageEvent("a", "seed")}, LastID: "seed"},
		},
		{
			name: "SetLastEventID replaced by an id field",
			in: parseInput{
				input: "id: new\ndata: a\n\n",
				setup: func(p *Parser) { p.SetLastEventID("seed") },
			},
			want: streamResult{Events: []Event{messageEvent("a", "new")}, LastID: "new"},
		},
		{
			name: "SetLastEventID reset by an empty id",
			in: parseInput{
				input: "id\n\ndata: a\n\n",
				setup: func(p *Parser) { p.SetLastEventID("seed") },
			},
			want: streamResult{Events: []Event{messageEvent("a", "")}},
		},
		{
			name: "SetLastEventID with nothing in the stream",
			in: parseInput{
				setup: func(p *Parser) { p.SetLastEventID("seed") },
			},
			want: streamResult{LastID: "seed"},
		},

		// Reconnection time.
		{
			name: "retry applies without a blank line",
			in:   parseInput{input: "retry: 1500\n"},
			want: streamResult{Retry: 1500 * time.Millisecond, HasRetry: true},
		},
		{
			name: "retry line cut at EOF ignored",
			in:   parseInput{input: "retry: 1500"},
			want: streamResult{},
		},
		{
			name: "retry zero",
			in:   parseInput{input: "retry: 0\n"},
			want: streamResult{HasRetry: true},
		},
		{
			name: "retry leading zeros are base ten",
			in:   parseInput{input: "retry:0010\n"},
			want: streamResult{Retry: 10 * time.Millisecond, HasRetry: true},
		},
		{
			name: "retry invalid forms ignored",
			in:   parseInput{input: "retry\nretry:\nretry: \nretry:  10\nretry: 10 \nretry: -1\nretry: +1\nretry: 1.5\nretry: 1e3\nretry: 0x10\nretry: ١\nretry: １\nretry: 1_000\n"},
			want: streamResult{},
		},
		{
			name: "last valid retry wins",
			in:   parseInput{input: "retry: 100\nretry: x\nretry: 200\nretry: 300ms\ndata: x\n\n"},
			want: streamResult{Events: []Event{messageEvent("x", "")}, Retry: 200 * time.Millisecond, HasRetry: true},
		},
		{
			name: "retry at the largest Duration in milliseconds",
			in:   parseInput{input: "retry: 9223372036854\n"},
			want: streamResult{Retry: 9223372036854 * time.Millisecond, HasRetry: true},
		},
		{
			name: "retry one past the largest Duration saturates",
			in:   parseInput{input: "retry: 9223372036855\n"},
			want: streamResult{Retry: math.MaxInt64, HasRetry: true},
		},
		{
			name: "retry far past int64 saturates",
			in:   parseInput{input: "retry: 99999999999999999999999999999999999999\n"},
			want: streamResult{Retry: math.MaxInt64, HasRetry: true},
		},

		// The end of the stream.
		{
			name: "event not ended by a blank line is discarded",
			in:   parseInput{input: "data: a\n\ndata: b\n"},
			want: streamResult{Events: []Event{messageEvent("a", "")}},
		},
		{
			name: "line cut at EOF is discarded",
			in:   parseInput{input: "data: a\n\ndata: b"},
			want: streamResult{Events: []Event{messageEvent("a", "")}},
		},
		{
			name: "event type of an unended event does not leak",
			in:   parseInput{input: "event: x\n"},
			want: streamResult{},
		},

		// Comments.
		{
			name: "comments reported with one leading space stripped",
			in:   parseInput{input: ": hi\n:\n:  two\n:no space\n::\ndata: x\n\n"},
			want: streamResult{
				Events:   []Event{messageEvent("x", "")},
				Comments: []string{"hi", "", " two", "no space", ":"},
			},
		},
		{
			name: "comment inside an event does not end it",
			in:   parseInput{input: "data: a\n: c\r\ndata: b\r: d\r\n\n"},
			want: streamResult{Events: []Event{messageEvent("a\nb", "")}, Comments: []string{"c", "d"}},
		},
		{
			name: "comment cut at EOF is not reported",
			in:   parseInput{input: ": one\n: tw"},
			want: streamResult{Comments: []string{"one"}},
		},
		{
			name: "comment with NUL",
			in:   parseInput{input: ":\x00\n\n"},
			want: streamResult{Comments: []string{"\x00"}},
		},

		// Reader errors.
		{
			name: "reader error after the events",
			in:   parseInput{input: "data: a\n\n", final: boom},
			want: streamResult{Events: []Event{messageEvent("a", "")}, Err: boom},
		},
		{
			name: "reader error mid-event",
			in:   parseInput{input: "id: 1\ndata: a\n\nid: 2\ndata: b\n", final: boom},
			want: streamResult{Events: []Event{messageEvent("a", "1")}, LastID: "1", Err: boom},
		},
		{
			name: "unexpected EOF is an error",
			in:   parseInput{input: "data: a\n\n", final: io.ErrUnexpectedEOF},
			want: streamResult{Events: []Event{messageEvent("a", "")}, Err: io.ErrUnexpectedEOF},
		},
		{
			name: "reader that stalls",
			in:   parseInput{input: "data: a\n\n: c\ndata: b\n", final: errStall},
			want: streamResult{
				Events:   []Event{messageEvent("a", "")},
				Comments: []string{"c"},
				Err:      ErrNoProgress,
			},
		},
		{
			name: "empty reader that stalls",
			in:   parseInput{final: errStall},
			want: streamResult{Err: ErrNoProgress},
		},

		// Limits (parser_limits_test.go covers them in depth).
		{
			name: "line at the limit accepted, one byte more rejected",
			in: parseInput{
				setup: func(p *Parser) { p.SetLimits(8, 64) },
				input: "data: 12\n\ndata: 123\n\ndata: 4\n\n",
			},
			want: streamResult{Events: []Event{messageEvent("12", "")}, Err: ErrLineTooLong},
		},
		{
			name: "event at the limit accepted, one byte more rejected",
			in: parseInput{
				setup: func(p *Parser) { p.SetLimits(64, 4) },
				input: "data: 1234\n\ndata: 12\ndata: 1\n\ndata: 12\ndata: 12\n\ndata: 4\n\n",
			},
			want: streamResult{Events: []Event{messageEvent("1234", ""), messageEvent("12\n1", "")}, Err: ErrEventTooLarge},
		},
		{
			name: "oversized event skipped",
			in: parseInput{
				input: "data: a\n\nid: 7\ndata: 12345\ndata: 123456789\nretry: 9\n\ndata: b\n\n",
				skip:  true,
				setup: func(p *Parser) { p.SetLimits(64, 4) },
			},
			want: streamResult{
				Events:   []Event{messageEvent("a", ""), messageEvent("b", "7")},
				Skipped:  []error{ErrEventTooLarge},
				LastID:   "7",
				Retry:    9 * time.Millisecond,
				HasRetry: true,
			},
		},
		{
			name: "event with an over-long line skipped",
			in: parseInput{
				input: "data: a\n\nevent: t\ndata: 1\ndata: 123456789\r\ndata: 2\n\ndata: b\r\r",
				skip:  true,
				setup: func(p *Parser) { p.SetLimits(8, 64) },
			},
			want: streamResult{
				Events:  []Event{messageEvent("a", ""), messageEvent("b", "")},
				Skipped: []error{ErrLineTooLong},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkDeliveries(t, tt.in, tt.want)
		})
	}
}

// eventsOf reads p to the end on a new goroutine and sends its events to
// the returned channel, which is closed when Next returns false.
func eventsOf(p *Parser) <-chan Event {
	ch := make(chan Event)
	go func() {
		defer close(ch)
		for p.Next() {
			ch <- p.Event()
		}
	}()
	return ch
}

// deadlockGuard bounds how long a test waits for something that must
// happen without further input; it fails only if the parser hangs.
const deadlockGuard = 10 * time.Second

// pipeParser returns a parser reading from a pipe, the pipe's writer, and
// the parser's events; the pipe is closed and the reading goroutine waited
// for when the test ends.
func pipeParser(t *testing.T, setup func(*Parser)) (*io.PipeWriter, <-chan Event) {
	t.Helper()
	pr, pw := io.Pipe()
	p := NewParser(pr)
	if setup != nil {
		setup(p)
	}
	events := eventsOf(p)
	t.Cleanup(func() {
		pw.CloseWithError(errors.New("test over"))
		for range events {
		}
	})
	return pw, events
}

func pipeWrite(t *testing.T, w io.Writer, s string) {
	t.Helper()
	if _, err := io.WriteString(w, s); err != nil {
		t.Fatalf("writing %q: %v", s, err)
	}
}

func receiveWithin[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v, ok := <-ch:
		if !ok {
			t.Fatalf("the parser stopped before %s", what)
		}
		return v
	case <-time.After(deadlockGuard):
		t.Fatalf("%s did not arrive before more bytes were written", what)
	}
	panic("unreachable")
}

func TestParserHandlesCRLineAtOnce(t *testing.T) {
	pw, events := pipeParser(t, nil)

	// The blank line ends in CR: the event must be dispatched without
	// waiting for the next byte, which might be a LF.
	pipeWrite(t, pw, "data: a\r\r")
	if diff := cmp.Diff(messageEvent("a", ""), receiveWithin(t, events, "the event ended by CR")); diff != "" {
		t.Errorf("first event (-want +got):\n%s", diff)
	}

	// A LF that follows belongs to that CR: it is not one more blank line,
	// and the next event is not changed by it.
	pipeWrite(t, pw, "\n")
	pipeWrite(t, pw, "data: b\r")
	pipeWrite(t, pw, "\ndata: c\n\r")
	if diff := cmp.Diff(messageEvent("b\nc", ""), receiveWithin(t, events, "the second event")); diff != "" {
		t.Errorf("second event (-want +got):\n%s", diff)
	}
	pipeWrite(t, pw, "\n")
	pw.Close()
	if ev, ok := <-events; ok {
		t.Errorf("unexpected event %+v after the end", ev)
	}
}

func TestParserReportsCommentsAtOnce(t *testing.T) {
	comments := make(chan string, 10)
	pw, events := pipeParser(t, func(p *Parser) {
		p.OnComment(func(text []byte) { comments <- string(text) })
	})

	pipeWrite(t, pw, ": keep-alive\n")
	if got := receiveWithin(t, comments, "the LF-ended comment"); got != "keep-alive" {
		t.Errorf("comment = %q, want %q", got, "keep-alive")
	}
	pipeWrite(t, pw, "data: x\n:  ping\r")
	if got := receiveWithin(t, comments, "the CR-ended comment"); got != " ping" {
		t.Errorf("comment = %q, want %q", got, " ping")
	}
	pipeWrite(t, pw, "\n\n")
	if diff := cmp.Diff(messageEvent("x", ""), receiveWithin(t, events, "the event")); diff != "" {
		t.Errorf("event (-want +got):\n%s", diff)
	}
	pw.Close()
	if ev, ok := <-events; ok {
		t.Errorf("unexpected event %+v after the end", ev)
	}
	if len(comments) != 0 {
		t.Errorf("unexpected comment %q", <-comments)
	}
}

func TestParserWithoutCommentCallback(t *testing.T) {
	p := NewParser(strings.NewReader(": a\ndata: x\n: b\n\n"))
	p.OnComment(func([]byte) { t.Error("replaced callback called") })
	p.OnComment(nil)
	var got []Event
	for p.Next() {
		got = append(got, p.Event())
	}
	if diff := cmp.Diff([]Event{messageEvent("x", "")}, got); diff != "" || p.Err() != nil {
		t.Errorf("events (-want +got):\n%s\nerr: %v", diff, p.Err())
	}
}

func TestParserBeforeNext(t *testing.T) {
	p := NewParser(strings.NewReader("data: x\n\n"))
	if ev := p.Event(); ev != (Event{}) {
		t.Errorf("Event() before Next = %+v, want zero", ev)
	}
	if raw := p.Raw(); raw.Type != nil || raw.Data != nil || raw.ID != nil {
		t.Errorf("Raw() before Next = %+v, want nil slices", raw)
	}
	if err := p.Err(); err != nil {
		t.Errorf("Err() before Next = %v", err)
	}
	if d, ok := p.Retry(); d != 0 || ok {
		t.Errorf("Retry() before Next = %v, %v", d, ok)
	}
	if id := p.LastEventID(); id != "" {
		t.Errorf("LastEventID() before Next = %q", id)
	}
}

func TestParserErrIsSticky(t *testing.T) {
	boom := errors.New("boom")
	r := &chunkReader{chunks: [][]byte{[]byte("data: a\n\ndata: b\n\n")}, final: boom}
	p := NewParser(iotest.OneByteReader(r))
	var got []Event
	for p.Next() {
		got = append(got, p.Event())
	}
	want := []Event{messageEvent("a", ""), messageEvent("b", "")}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	if !errors.Is(p.Err(), boom) {
		t.Fatalf("Err() = %v, want %v", p.Err(), boom)
	}
	for range 3 {
		if p.Next() {
			t.Fatal("Next returned true after an error")
		}
		if !errors.Is(p.Err(), boom) {
			t.Fatalf("Err() changed to %v", p.Err())
		}
	}
}

// badCountReader returns an impossible byte count.
type badCountReader struct{ n int }

func (r badCountReader) Read(p []byte) (int, error) { return r.n, nil }

func TestParserRejectsImpossibleReadCounts(t *testing.T) {
	for _, n := range []int{-1, 1 << 30} {
		p := NewParser(badCountReader{n})
		if p.Next() {
			t.Errorf("count %d: Next returned true", n)
		}
		if p.Err() == nil || !strings.Contains(p.Err().Error(), fmt.Sprint(n)) {
			t.Errorf("count %d: Err() = %v, want an error naming the count", n, p.Err())
		}
	}
}

func TestNoProgressError(t *testing.T) {
	calls := 0
	r := funcReader(func(p []byte) (int, error) { calls++; return 0, nil })
	p := NewParser(r)
	if p.Next() {
		t.Fatal("Next returned true")
	}
	if !errors.Is(p.Err(), ErrNoProgress) {
		t.Fatalf("Err() = %v, want ErrNoProgress", p.Err())
	}
	if calls < 2 || calls > 1000 {
		t.Errorf("the reader was called %d times before giving up", calls)
	}
}

// funcReader is an io.Reader made of a function.
type funcReader func(p []byte) (int, error)

func (f funcReader) Read(p []byte) (int, error) { return f(p) }

func TestRead(t *testing.T) {
	var got []Event
	for ev, err := range Read(strings.NewReader("id: 1\ndata: a\n\nevent: e\ndata: b\n\ndata: cut")) {
		if err != nil {
			t.Fatalf("unexpected error %v", err)
		}
		got = append(got, ev)
	}
	want := []Event{messageEvent("a", "1"), {Type: "e", Data: "b", ID: "1"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
}

func TestReadEarlyBreak(t *testing.T) {
	r := strings.NewReader("data: a\n\ndata: b\n\ndata: c\n\n")
	var got []Event
	for ev, err := range Read(r) {
		if err != nil {
			t.Fatalf("unexpected error %v", err)
		}
		got = append(got, ev)
		if len(got) == 2 {
			break
		}
	}
	if diff := cmp.Diff([]Event{messageEvent("a", ""), messageEvent("b", "")}, got); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}

	// A parser's All can be left and entered again: it goes on where it
	// stopped.
	p := NewParser(strings.NewReader("data: a\n\ndata: b\n\ndata: c\n\n"))
	got = nil
	for range 3 {
		for ev := range p.All() {
			got = append(got, ev)
			break
		}
	}
	if diff := cmp.Diff([]Event{messageEvent("a", ""), messageEvent("b", ""), messageEvent("c", "")}, got); diff != "" {
		t.Errorf("events over three loops (-want +got):\n%s", diff)
	}
}

func TestReadErrorIsLastPair(t *testing.T) {
	boom := errors.New("boom")
	r := &chunkReader{chunks: [][]byte{[]byte("data: a\n\ndata: b\n\ndata: c\n")}, final: boom}
	type pair struct {
		Ev  Event
		Err error
	}
	var got []pair
	for ev, err := range Read(r) {
		got = append(got, pair{ev, err})
	}
	want := []pair{{messageEvent("a", ""), nil}, {messageEvent("b", ""), nil}, {Event{}, boom}}
	if diff := cmp.Diff(want, got, cmpopts.EquateErrors()); diff != "" {
		t.Errorf("pairs (-want +got):\n%s", diff)
	}

	// Breaking on the error pair is fine too.
	r = &chunkReader{chunks: [][]byte{[]byte("data: a\n")}, final: boom}
	n := 0
	for _, err := range Read(r) {
		n++
		if err != nil {
			break
		}
	}
	if n != 1 {
		t.Errorf("got %d pairs, want only the error", n)
	}
}

func TestLastEventIDTracksDispatch(t *testing.T) {
	p := NewParser(strings.NewReader("id: 1\ndata: a\n\nid: 2\ndata: b\n\nid: 3\n\ndata: c\n\n"))
	var ids, lastIDs []string
	for p.Next() {
		ids = append(ids, p.Event().ID)
		lastIDs = append(lastIDs, p.LastEventID())
	}
	if diff := cmp.Diff([]string{"1", "2", "3"}, ids); diff != "" {
		t.Errorf("event IDs (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"1", "2", "3"}, lastIDs); diff != "" {
		t.Errorf("LastEventID at each event (-want +got):\n%s", diff)
	}
}

func TestEventOutlivesNext(t *testing.T) {
	// Event returns copies: they stay intact while the parser reuses its
	// buffers for the events after them.
	p := NewParser(iotest.OneByteReader(strings.NewReader("event: t1\nid: 1\ndata: first\n\nevent: t2\nid: 2\ndata: second!\n\n")))
	var got []Event
	for p.Next() {
		got = append(got, p.Event())
	}
	want := []Event{{Type: "t1", Data: "first", ID: "1"}, {Type: "t2", Data: "second!", ID: "2"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
}

func TestChunkReader(t *testing.T) {
	// The harness itself: every delivery yields exactly the input, then
	// the final error.
	input := []byte("ab\rc")
	boom := errors.New("boom")
	n := 0
	for d := range deliveries(input, boom, [][]byte{[]byte("a"), nil, []byte("b\rc")}) {
		n++
		got, err := io.ReadAll(d.r)
		if !bytes.Equal(got, input) || err != boom {
			t.Errorf("%s: read %q, %v; want %q, %v", d.name, got, err, input, boom)
		}
	}
	if want := 3 + len(input) - 1 + 1; n != want {
		t.Errorf("got %d deliveries, want %d", n, want)
	}
}

func TestEventAllocations(t *testing.T) {
	// Event makes one allocation at most, for the event's data and
	// whatever else is new, as its doc comment says.
	longType := strings.Repeat("t", maxCachedType+1)
	bigData := strings.Repeat("d", maxPinned)
	tests := []struct {
		name   string
		events func(i int) string
		want   float64
	}{
		{"a known type and a repeated ID", func(int) string { return "event: price\nid: 7\ndata: {\"p\":1}\n\n" }, 1},
		{"a known type and a new ID", func(i int) string { return fmt.Sprintf("event: price\nid: %d\ndata: {\"p\":1}\n\n", i) }, 1},
		{"a long type and a new ID", func(i int) string { return fmt.Sprintf("event: %s\nid: %d\ndata: x\n\n", longType, i) }, 1},
		{"large data and a repeated ID", func(int) string { return "id: 7\ndata: " + bigData + "\n\n" }, 1},
		{"empty data and a repeated ID", func(int) string { return "id: 7\ndata\n\n" }, 0},
		{"a few types in turn", func(i int) string { return fmt.Sprintf("event: t%d\ndata: xy\n\n", i%4) }, 1},
		{"one byte of data, a known type and ID", func(int) string { return "id: 7\ndata: x\n\n" }, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			const n = 64
			for i := range n {
				b.WriteString(tt.events(i))
			}
			p := NewParser(corpus.NewLoopReader([]byte(b.String()), 4<<10))
			for range 2 * n { // warm up the buffers and caches
				p.Next()
				_ = p.Event()
			}
			got := testing.AllocsPerRun(10*n, func() {
				if !p.Next() {
					t.Fatalf("the stream ended: %v", p.Err())
				}
				_ = p.Event()
			})
			if got != tt.want {
				t.Errorf("Next and Event made %v allocations per event, want %v", got, tt.want)
			}
		})
	}
}
