package sse

import (
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// repeatReader yields unit over and over, n bytes in all, without holding
// them in memory.
type repeatReader struct {
	unit  string
	block string // unit repeated to a few KiB, to copy from
	n     int64  // bytes left
	off   int    // position in unit
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, io.EOF
	}
	if r.block == "" {
		r.block = strings.Repeat(r.unit, 4096/len(r.unit)+1)
	}
	if int64(len(p)) > r.n {
		p = p[:r.n]
	}
	for done := 0; done < len(p); {
		k := copy(p[done:], r.block[r.off:])
		done += k
		r.off = (r.off + k) % len(r.unit)
	}
	r.n -= int64(len(p))
	return len(p), nil
}

// repeated returns a reader of count copies of unit.
func repeated(unit string, count int) io.Reader {
	return &repeatReader{unit: unit, n: int64(len(unit)) * int64(count)}
}

// streamOf returns a reader of the strings and readers given, in order.
func streamOf(parts ...any) io.Reader {
	var rs []io.Reader
	for _, p := range parts {
		switch p := p.(type) {
		case string:
			rs = append(rs, strings.NewReader(p))
		case io.Reader:
			rs = append(rs, p)
		default:
			panic("streamOf: a string or an io.Reader")
		}
	}
	return io.MultiReader(rs...)
}

// memStats returns the runtime's memory statistics after a collection, so
// that HeapAlloc counts only what is alive.
func memStats() runtime.MemStats {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m
}

// memoryUse is how much memory parsing a stream took.
type memoryUse struct {
	live      int64  // growth of the live heap while the parser is still alive
	allocated uint64 // bytes allocated in all, garbage included
}

// parseMeasured reads r to the end with the parser that setup prepares and
// returns its events, the parser itself (for its error and buffers) and
// the memory that parsing took.
func parseMeasured(r io.Reader, setup func(*Parser)) ([]Event, *Parser, memoryUse) {
	before := memStats()
	p := NewParser(r)
	if setup != nil {
		setup(p)
	}
	var events []Event
	for p.Next() {
		events = append(events, p.Event())
	}
	after := memStats()
	runtime.KeepAlive(p)
	return events, p, memoryUse{
		live:      int64(after.HeapAlloc) - int64(before.HeapAlloc),
		allocated: after.TotalAlloc - before.TotalAlloc,
	}
}

// checkBuffers fails the test if one of the parser's buffers holds more
// than the limit it serves allows, with room for append's growth.
func checkBuffers(t *testing.T, p *Parser) {
	t.Helper()
	for _, b := range []struct {
		name  string
		cap   int
		bound int
	}{
		{"read buffer", cap(p.buf), 2*(p.maxLine+1) + initialBufSize},
		{"scratch", cap(p.scratch), 2 * 3 * p.maxLine},
		{"data", cap(p.pending.data), 2*(p.maxEvent+1) + initialBufSize},
		{"type", cap(p.pending.typ), 2 * 3 * p.maxLine},
		{"id buffer", cap(p.pending.id), 2 * 3 * p.maxLine},
		{"last event ID", cap(p.lastID), 2 * 3 * p.maxLine},
	} {
		if b.cap > b.bound {
			t.Errorf("the %s has capacity %d, over its bound %d", b.name, b.cap, b.bound)
		}
	}
}

// checkLimitError checks that err is a *LimitError for sentinel and limit
// whose message names the limit and the ways around it.
func checkLimitError(t *testing.T, err, sentinel error, limit int, size string) {
	t.Helper()
	if !errors.Is(err, sentinel) {
		t.Fatalf("error %v, want one wrapping %v", err, sentinel)
	}
	var le *LimitError
	if !errors.As(err, &le) {
		t.Fatalf("error %v (%T) is not a *LimitError", err, err)
	}
	if le.Limit != limit || le.Err != sentinel {
		t.Errorf("LimitError{Err: %v, Limit: %d}, want {%v, %d}", le.Err, le.Limit, sentinel, limit)
	}
	for _, s := range []string{size, "SetLimits", "SkipOversized"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not mention %q", err, s)
		}
	}
}

func TestLineTooLong(t *testing.T) {
	const size = DefaultMaxLineSize + 2<<20
	r := streamOf("data: a\n\nid: 1\ndata: b\n\n", "data: ", repeated("x", size), "\n\ndata: after\n\n")
	events, p, mem := parseMeasured(r, nil)
	if diff := cmp.Diff([]Event{messageEvent("a", ""), messageEvent("b", "1")}, events); diff != "" {
		t.Errorf("events before the long line (-want +got):\n%s", diff)
	}
	checkLimitError(t, p.Err(), ErrLineTooLong, DefaultMaxLineSize, "16 MiB")
	checkBuffers(t, p)
	if limit := int64(3 * DefaultMaxLineSize); mem.live > limit {
		t.Errorf("the parser holds %d bytes, over %d", mem.live, limit)
	}
}

func TestLineTooLongMemory(t *testing.T) {
	// With a limit far below the line, memory follows the limit, not the
	// line.
	const limit, size = 64 << 10, 20 << 20
	r := streamOf("data: a\n\n", "data: ", repeated("x", size), "\n\n")
	events, p, mem := parseMeasured(r, func(p *Parser) { p.SetLimits(limit, 0) })
	if diff := cmp.Diff([]Event{messageEvent("a", "")}, events); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	checkLimitError(t, p.Err(), ErrLineTooLong, limit, "64 KiB")
	checkBuffers(t, p)
	if mem.live > 1<<20 || mem.allocated > 4<<20 {
		t.Errorf("parsing took %d bytes (%d allocated in all) for a limit of %d", mem.live, mem.allocated, limit)
	}
}

func TestEventTooLarge(t *testing.T) {
	line := "data: " + strings.Repeat("y", 1017) + "\n" // 1024 bytes
	const lines = DefaultMaxEventSize>>10 + 1<<10       // 1 MiB over the limit
	r := streamOf("data: a\n\n", "id: 2\n", repeated(line, lines), "\ndata: after\n\n")
	events, p, mem := parseMeasured(r, nil)
	if diff := cmp.Diff([]Event{messageEvent("a", "")}, events); diff != "" {
		t.Errorf("events before the large one (-want +got):\n%s", diff)
	}
	checkLimitError(t, p.Err(), ErrEventTooLarge, DefaultMaxEventSize, "16 MiB")
	checkBuffers(t, p)
	if limit := int64(3 * DefaultMaxEventSize); mem.live > limit {
		t.Errorf("the parser holds %d bytes, over %d", mem.live, limit)
	}
	if p.Next() || !errors.Is(p.Err(), ErrEventTooLarge) {
		t.Errorf("after the limit error, Next went on or Err changed to %v", p.Err())
	}
}

func TestEventTooLargeMemory(t *testing.T) {
	const limit = 64 << 10
	r := streamOf("data: a\n\n", repeated("data: "+strings.Repeat("z", 100)+"\n", 200<<10))
	events, p, mem := parseMeasured(r, func(p *Parser) { p.SetLimits(0, limit) })
	if diff := cmp.Diff([]Event{messageEvent("a", "")}, events); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	checkLimitError(t, p.Err(), ErrEventTooLarge, limit, "64 KiB")
	checkBuffers(t, p)
	if mem.live > 1<<20 || mem.allocated > 4<<20 {
		t.Errorf("parsing took %d bytes (%d allocated in all) for a limit of %d", mem.live, mem.allocated, limit)
	}
}

func TestLineEndingsOnly(t *testing.T) {
	// A stream of nothing but line endings is a stream of blank lines:
	// no event, no error, and no memory beyond the first read buffer.
	for _, tt := range []struct {
		name string
		unit string
		size int
	}{
		{"CR", "\r", 20 << 20},
		{"LF", "\n", 1 << 20},
		{"CRLF", "\r\n", 1 << 20},
		{"LF CR", "\n\r", 1 << 20},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := streamOf("id: 1\ndata: a\n\n", repeated(tt.unit, tt.size/len(tt.unit)), "data: b\n\n")
			events, p, mem := parseMeasured(r, nil)
			if diff := cmp.Diff([]Event{messageEvent("a", "1"), messageEvent("b", "1")}, events); diff != "" {
				t.Errorf("events (-want +got):\n%s", diff)
			}
			if p.Err() != nil {
				t.Errorf("Err() = %v", p.Err())
			}
			if cap(p.buf) > 64<<10 {
				t.Errorf("the read buffer grew to %d bytes", cap(p.buf))
			}
			if mem.live > 1<<20 || mem.allocated > 1<<20 {
				t.Errorf("parsing took %d bytes (%d allocated in all)", mem.live, mem.allocated)
			}
		})
	}
}

func TestInvalidUTF8Limits(t *testing.T) {
	t.Run("invalid line past the line limit", func(t *testing.T) {
		r := streamOf("data: a\n\n", "data: ", repeated("\xff\xe2\x82", DefaultMaxLineSize/3+1<<20), "\n\n")
		events, p, _ := parseMeasured(r, nil)
		if diff := cmp.Diff([]Event{messageEvent("a", "")}, events); diff != "" {
			t.Errorf("events (-want +got):\n%s", diff)
		}
		checkLimitError(t, p.Err(), ErrLineTooLong, DefaultMaxLineSize, "16 MiB")
		checkBuffers(t, p)
	})
	t.Run("replacement grows the data past the event limit", func(t *testing.T) {
		// Each line is 1 KiB on the wire and 3 KiB once each byte is
		// replaced: the event limit counts the replaced data.
		line := "data: " + strings.Repeat("\xff", 1018) + "\n"
		r := streamOf("data: a\n\n", repeated(line, DefaultMaxEventSize/3>>10+1<<10), "\ndata: b\n\n")
		events, p, mem := parseMeasured(r, nil)
		if diff := cmp.Diff([]Event{messageEvent("a", "")}, events); diff != "" {
			t.Errorf("events (-want +got):\n%s", diff)
		}
		checkLimitError(t, p.Err(), ErrEventTooLarge, DefaultMaxEventSize, "16 MiB")
		checkBuffers(t, p)
		if cap(p.scratch) > 2*3*len(line) {
			t.Errorf("the scratch buffer grew to %d bytes for lines of %d", cap(p.scratch), len(line))
		}
		if limit := int64(3 * DefaultMaxEventSize); mem.live > limit {
			t.Errorf("the parser holds %d bytes, over %d", mem.live, limit)
		}
	})
	t.Run("replaced line within small limits", func(t *testing.T) {
		// A line of 1023 bytes, and 3057 once replaced: within the line
		// limit, and twice over the event limit.
		line := "data: " + strings.Repeat("\xff", 1017) + "\n"
		want := []Event{messageEvent("a", ""), messageEvent(strings.Repeat("\uFFFD", 1017), "")}
		checkDeliveries(t, parseInput{
			input: "data: a\n\n" + line + "\n" + line + line + "\ndata: b\n\n",
			setup: func(p *Parser) { p.SetLimits(1023, 4096) },
		}, streamResult{Events: want, Err: ErrEventTooLarge})
	})
}

func TestLimitBoundaries(t *testing.T) {
	// Each limit is inclusive: a line or event of exactly the limit is
	// accepted, whatever the line ending and however the reads fall.
	tests := []struct {
		name string
		in   parseInput
		want streamResult
	}{
		{
			name: "line of exactly the limit, each line ending",
			in: parseInput{
				input: "data: 1234\n\ndata: 5678\r\rdata: abcd\r\n\r\n",
				setup: func(p *Parser) { p.SetLimits(10, 0) },
			},
			want: streamResult{Events: []Event{messageEvent("1234", ""), messageEvent("5678", ""), messageEvent("abcd", "")}},
		},
		{
			name: "the BOM does not count",
			in: parseInput{
				input: "\xef\xbb\xbfdata: 1234\n\n",
				setup: func(p *Parser) { p.SetLimits(10, 0) },
			},
			want: streamResult{Events: []Event{messageEvent("1234", "")}},
		},
		{
			name: "any line counts: comment, unknown field",
			in: parseInput{
				input: ": 12345678\n\nfield: 1234\n",
				setup: func(p *Parser) { p.SetLimits(10, 0) },
			},
			want: streamResult{Comments: []string{"12345678"}, Err: ErrLineTooLong},
		},
		{
			name: "line one byte over, without its line ending",
			in: parseInput{
				input: "data: a\n\ndata: 12345\r\n\r\n",
				setup: func(p *Parser) { p.SetLimits(10, 0) },
			},
			want: streamResult{Events: []Event{messageEvent("a", "")}, Err: ErrLineTooLong},
		},
		{
			name: "over-long line at the end of the stream",
			in: parseInput{
				input: "data: a\n\ndata: 12345",
				setup: func(p *Parser) { p.SetLimits(10, 0) },
			},
			want: streamResult{Events: []Event{messageEvent("a", "")}, Err: ErrLineTooLong},
		},
		{
			name: "event of exactly the limit, many lines",
			in: parseInput{
				input: "data: 12\ndata\ndata: 3\n\ndata\ndata\ndata\ndata\ndata\n\n",
				setup: func(p *Parser) { p.SetLimits(0, 5) },
			},
			want: streamResult{Events: []Event{messageEvent("12\n\n3", ""), messageEvent("\n\n\n\n", "")}},
		},
		{
			name: "empty data lines count as their LF",
			in: parseInput{
				input: "data\ndata\ndata\ndata\ndata\ndata\ndata\n\n",
				setup: func(p *Parser) { p.SetLimits(0, 5) },
			},
			want: streamResult{Err: ErrEventTooLarge},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkDeliveries(t, tt.in, tt.want)
		})
	}
}

func TestSkipOversized(t *testing.T) {
	tests := []struct {
		name string
		in   parseInput
		want streamResult
	}{
		{
			name: "oversized event in the middle",
			in: parseInput{
				input: "data: a\n\nid: 7\n" + strings.Repeat("data: "+strings.Repeat("x", 20)+"\n", 4) + "retry: 5\n\ndata: b\n\n",
				setup: func(p *Parser) { p.SetLimits(32, 64) },
			},
			want: streamResult{
				Events:   []Event{messageEvent("a", ""), messageEvent("b", "7")},
				Skipped:  []error{ErrEventTooLarge},
				LastID:   "7",
				Retry:    5e6,
				HasRetry: true,
			},
		},
		{
			name: "over-long line in the middle",
			in: parseInput{
				input: "data: a\n\nevent: t\ndata: 1\ndata: " + strings.Repeat("x", 100) + "\r\ndata: 2\r\n\r\ndata: b\n\n",
				setup: func(p *Parser) { p.SetLimits(32, 64) },
			},
			want: streamResult{
				Events:  []Event{messageEvent("a", ""), messageEvent("b", "")},
				Skipped: []error{ErrLineTooLong},
			},
		},
		{
			name: "over-long comment skips its event",
			in: parseInput{
				input: "data: a\n\ndata: 1\n:" + strings.Repeat("c", 40) + "\rdata: 2\r\r: short\ndata: b\n\n",
				setup: func(p *Parser) { p.SetLimits(32, 64) },
			},
			want: streamResult{
				Events:   []Event{messageEvent("a", ""), messageEvent("b", "")},
				Comments: []string{"short"},
				Skipped:  []error{ErrLineTooLong},
			},
		},
		{
			name: "one report for an event over both limits, one for each event",
			in: parseInput{
				input: strings.Repeat("data: 0123456789012345678901\n", 3) + "data: " + strings.Repeat("y", 50) + "\n\n" +
					"data: " + strings.Repeat("y", 50) + "\n\n" +
					"data: c\n\n",
				setup: func(p *Parser) { p.SetLimits(32, 64) },
			},
			want: streamResult{
				Events:  []Event{messageEvent("c", "")},
				Skipped: []error{ErrEventTooLarge, ErrLineTooLong},
			},
		},
		{
			name: "oversized event cut by the end of the stream",
			in: parseInput{
				input: "data: a\n\ndata: " + strings.Repeat("x", 40),
				setup: func(p *Parser) { p.SetLimits(32, 64) },
			},
			want: streamResult{
				Events:  []Event{messageEvent("a", "")},
				Skipped: []error{ErrLineTooLong},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.in.skip = true
			checkDeliveries(t, tt.in, tt.want)
		})
	}
}

func TestSkipOversizedLongLine(t *testing.T) {
	// A line 2 MiB over the default limit: skipped as it arrives, with
	// one report, and the events around it delivered.
	var reports []error
	r := streamOf("data: a\n\n", "data: ", repeated("x", DefaultMaxLineSize+2<<20), "\r\n\r\ndata: b\n\n")
	events, p, mem := parseMeasured(r, func(p *Parser) {
		p.SkipOversized(func(err error) { reports = append(reports, err) })
	})
	if diff := cmp.Diff([]Event{messageEvent("a", ""), messageEvent("b", "")}, events); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	if p.Err() != nil {
		t.Errorf("Err() = %v", p.Err())
	}
	if len(reports) != 1 {
		t.Fatalf("got %d reports, want 1: %v", len(reports), reports)
	}
	checkLimitError(t, reports[0], ErrLineTooLong, DefaultMaxLineSize, "16 MiB")
	checkBuffers(t, p)
	if limit := int64(3 * DefaultMaxLineSize); mem.live > limit {
		t.Errorf("the parser holds %d bytes, over %d", mem.live, limit)
	}
}

func TestSkipOversizedReportsTypedError(t *testing.T) {
	var reports []error
	p := NewParser(strings.NewReader("data: 12345\n\ndata: ok\n\n"))
	p.SetLimits(0, 4)
	p.SkipOversized(func(err error) { reports = append(reports, err) })
	var events []Event
	for p.Next() {
		events = append(events, p.Event())
	}
	if diff := cmp.Diff([]Event{messageEvent("ok", "")}, events); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	if len(reports) != 1 {
		t.Fatalf("got %d reports, want 1: %v", len(reports), reports)
	}
	checkLimitError(t, reports[0], ErrEventTooLarge, 4, "4 bytes")

	// A nil report function skips silently.
	p = NewParser(strings.NewReader("data: 12345\n\ndata: ok\n\n"))
	p.SetLimits(0, 4)
	p.SkipOversized(nil)
	events = nil
	for p.Next() {
		events = append(events, p.Event())
	}
	if diff := cmp.Diff([]Event{messageEvent("ok", "")}, events); diff != "" || p.Err() != nil {
		t.Errorf("events (-want +got):\n%s\nErr() = %v", diff, p.Err())
	}
}

func TestLimitErrorMessage(t *testing.T) {
	tests := []struct {
		err  *LimitError
		want []string
	}{
		{&LimitError{Err: ErrLineTooLong, Limit: 8 << 20}, []string{"sse: line too long", "line", "8 MiB", "SetLimits", "WithLimits", "SkipOversized"}},
		{&LimitError{Err: ErrEventTooLarge, Limit: 64 << 10}, []string{"sse: event too large", "event", "64 KiB", "SetLimits"}},
		{&LimitError{Err: ErrEventTooLarge, Limit: 1000}, []string{"1000 bytes"}},
		{&LimitError{Err: ErrLineTooLong, Limit: 1<<20 + 1}, []string{"1048577 bytes"}},
	}
	for _, tt := range tests {
		msg := tt.err.Error()
		for _, s := range tt.want {
			if !strings.Contains(msg, s) {
				t.Errorf("%q does not mention %q", msg, s)
			}
		}
		if !errors.Is(tt.err, tt.err.Err) || errors.Unwrap(tt.err) != tt.err.Err {
			t.Errorf("%v does not unwrap to %v", tt.err, tt.err.Err)
		}
	}
}

func TestSetLimitsDefaults(t *testing.T) {
	p := NewParser(strings.NewReader(""))
	if p.maxLine != DefaultMaxLineSize || p.maxEvent != DefaultMaxEventSize {
		t.Errorf("new parser limits %d, %d", p.maxLine, p.maxEvent)
	}
	p.SetLimits(10, 20)
	p.SetLimits(0, -1)
	if p.maxLine != DefaultMaxLineSize || p.maxEvent != DefaultMaxEventSize {
		t.Errorf("SetLimits(0, -1) left limits %d, %d, want the defaults", p.maxLine, p.maxEvent)
	}
}

func TestEventLimitCountsTypeAndID(t *testing.T) {
	// The event limit bounds the data, the type and the ID that an event
	// holds together, each counted once invalid UTF-8 has become U+FFFD.
	limit := func(maxEvent int) func(*Parser) {
		return func(p *Parser) { p.SetLimits(0, maxEvent) }
	}
	tests := []struct {
		name string
		in   parseInput
		want streamResult
	}{
		{
			name: "data, type and ID of exactly the limit",
			in:   parseInput{input: "event: abc\nid: 123\ndata: 1234\n\n", setup: limit(10)},
			want: streamResult{Events: []Event{{Type: "abc", Data: "1234", ID: "123"}}, LastID: "123"},
		},
		{
			name: "a type over the limit with the data",
			in:   parseInput{input: "data: a\n\nevent: abcd\nid: 123\ndata: 1234\n\n", setup: limit(10)},
			want: streamResult{Events: []Event{messageEvent("a", "")}, Err: ErrEventTooLarge},
		},
		{
			name: "a type alone over the limit",
			in:   parseInput{input: "event: 12345678901\n\n", setup: limit(10)},
			want: streamResult{Err: ErrEventTooLarge},
		},
		{
			name: "an ID over the limit with the data, in either order",
			in:   parseInput{input: "data: 1234567\nid: 1234\n\n", setup: limit(10)},
			want: streamResult{Err: ErrEventTooLarge},
		},
		{
			name: "an ID alone over the limit, in an event without data",
			in:   parseInput{input: "id: 12345678901\n\n", setup: limit(10)},
			want: streamResult{Err: ErrEventTooLarge},
		},
		{
			name: "the last event ID counts for the events it is in force for",
			in:   parseInput{input: "id: 12345\ndata: 12345\n\ndata: 123456\n\n", setup: limit(10)},
			want: streamResult{Events: []Event{messageEvent("12345", "12345")}, LastID: "12345", Err: ErrEventTooLarge},
		},
		{
			name: "a new ID replaces the last one in the count",
			in:   parseInput{input: "id: 12345\ndata: 12345\n\nid: 1\ndata: 123456789\n\n", setup: limit(10)},
			want: streamResult{Events: []Event{messageEvent("12345", "12345"), messageEvent("123456789", "1")}, LastID: "1"},
		},
		{
			name: "an invalid type counts as replaced",
			in:   parseInput{input: "event: \xff\xff\xff\ndata: a\n\nevent: \xff\xff\xff\xff\ndata: a\n\n", setup: limit(10)},
			want: streamResult{Events: []Event{{Type: "\uFFFD\uFFFD\uFFFD", Data: "a"}}, Err: ErrEventTooLarge},
		},
		{
			name: "an invalid ID counts as replaced",
			in:   parseInput{input: "id: \xe2\x82\xe2\x82\ndata: 1234\n\nid: \xe2\x82\xe2\x82\ndata: 12345\n\n", setup: limit(10)},
			want: streamResult{Events: []Event{messageEvent("1234", "\uFFFD\uFFFD")}, LastID: "\uFFFD\uFFFD", Err: ErrEventTooLarge},
		},
		{
			name: "skipping: a type too long drops its event only",
			in: parseInput{
				input: "event: 12345678901\ndata: a\nid: 7\n\ndata: b\n\n",
				setup: limit(10), skip: true,
			},
			want: streamResult{Events: []Event{messageEvent("b", "7")}, Skipped: []error{ErrEventTooLarge}, LastID: "7"},
		},
		{
			name: "skipping: an ID too long with the data takes effect, without the event",
			in: parseInput{
				input: "id: 1\ndata: a\n\ndata: 12345678\nid: 123\nevent: t\ndata: x\n\ndata: c\n\n",
				setup: limit(10), skip: true,
			},
			want: streamResult{
				Events:  []Event{messageEvent("a", "1"), messageEvent("c", "123")},
				Skipped: []error{ErrEventTooLarge},
				LastID:  "123",
			},
		},
		{
			name: "skipping: an ID too long alone is ignored with its event",
			in: parseInput{
				input: "id: 1\ndata: a\n\nid: 12345678901\ndata: b\n\ndata: c\n\n",
				setup: limit(10), skip: true,
			},
			want: streamResult{
				Events:  []Event{messageEvent("a", "1"), messageEvent("c", "1")},
				Skipped: []error{ErrEventTooLarge},
				LastID:  "1",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkDeliveries(t, tt.in, tt.want)
		})
	}
}

func TestLargeValuesReleased(t *testing.T) {
	// Once an event with large values is over and another has begun, the
	// parser's buffers are back to a small size, whatever the values were.
	const L = 1 << 20
	big := func(c string) string { return strings.Repeat(c, L/2) }
	input := "event: " + big("t") + "\nid: " + big("i") + "\ndata: x\n\n" +
		"data: " + big("d") + "\ndata: " + big("e")[:L/4] + "\n\n" +
		": \xff" + big("c")[:L/4] + "\n" +
		"id: 1\ndata: small\n\n"
	p := NewParser(&chunkedReader{r: strings.NewReader(input), n: 4 << 10})
	p.SetLimits(L, 2*L)
	p.OnComment(func([]byte) {})
	var got []Event
	for p.Next() {
		ev := p.Event()
		ev.Type, ev.Data, ev.ID = ev.Type[:min(len(ev.Type), 3)], ev.Data[:min(len(ev.Data), 3)], ev.ID[:min(len(ev.ID), 3)]
		got = append(got, ev)
	}
	want := []Event{{Type: "ttt", Data: "x", ID: "iii"}, {Type: "mes", Data: "ddd", ID: "iii"}, {Type: "mes", Data: "sma", ID: "1"}}
	if diff := cmp.Diff(want, got); diff != "" || p.Err() != nil {
		t.Fatalf("events (-want +got):\n%s\nErr() = %v", diff, p.Err())
	}
	for _, b := range []struct {
		name string
		cap  int
	}{
		{"read buffer", cap(p.buf)},
		{"data", cap(p.pending.data)},
		{"long line", cap(p.long.joined)},
		{"type", cap(p.pending.typ)},
		{"ID buffer", cap(p.pending.id)},
		{"last event ID", cap(p.lastID)},
		{"ID string", len(p.idStr)},
		{"comment", cap(p.scratch)},
	} {
		if b.cap > busyBufSize {
			t.Errorf("the %s holds %d bytes after the large values", b.name, b.cap)
		}
	}
	for i, s := range p.types {
		if len(s) > maxCachedType {
			t.Errorf("type cache entry %d holds %d bytes", i, len(s))
		}
	}
}

func TestLongLinesAgainstReference(t *testing.T) {
	// Lines longer than the read buffer are read into chunks and joined
	// at their end (see spill): they must parse exactly as the reference
	// parser says, whatever falls on a chunk's boundary (a character cut
	// in two, invalid UTF-8, a CR with its LF in the next read) and
	// however the stream is split into reads.
	long := func(unit string, n int) string { return strings.Repeat(unit, n/len(unit)+1)[:n] }
	inputs := map[string]string{
		"ASCII data":            "data: " + long("abcdefgh", 300<<10) + "\n\ndata: after\n\n",
		"multibyte data":        "data: " + long("é€😀x", 200<<10) + "\r\n\r\n",
		"invalid data":          "id: 1\ndata: " + long("ab\xe2\x82c\xff\xf0\x9f\x98\xed\xa0\x80", 200<<10) + "\r\rdata: b\r\r",
		"two long data lines":   "data: " + long("12345", 100<<10) + "\ndata: " + long("é€", 150<<10) + "\n\n",
		"long type and id":      "event: " + long("t€", 150<<10) + "\nid: " + long("\xffi", 150<<10) + "\ndata: x\n\ndata: y\n\n",
		"long comment":          ": " + long("c\xe2\x82", 150<<10) + "\ndata: z\n\n",
		"long unknown field":    "field: " + long("f", 150<<10) + "\rdata: z\r\n\r\n",
		"CR ends a long line":   "data: " + long("r", 64<<10) + "\r" + "\ndata: s\n\n",
		"long line at the end":  "data: a\n\ndata: " + long("e", 200<<10),
		"chunk after chunk":     "data: " + long("0123456789", 3<<20) + "\n\n",
		"a long line then more": "data: " + long("p", 130<<10) + "\n\n" + strings.Repeat("data: short\n\n", 1000),
	}
	for name, in := range inputs {
		t.Run(name, func(t *testing.T) {
			want := referenceParse([]byte(in), "")
			for _, size := range []int{7, 1460, 4 << 10, 64 << 10, 64<<10 + 1, 100_000} {
				var chunks [][]byte
				for rest := []byte(in); len(rest) > 0; {
					n := min(size, len(rest))
					chunks = append(chunks, rest[:n])
					rest = rest[n:]
				}
				got := runParser(t, &chunkReader{chunks: chunks}, parseInput{}, false)
				if diff := cmp.Diff(want, got, resultOpts); diff != "" {
					t.Errorf("reads of %d bytes (-reference +parser):\n%.2000s", size, diff)
				}
			}
		})
	}
}
