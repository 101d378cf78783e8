package sse

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"iter"
	"math"
	"strings"
	"time"
	"unicode/utf8"
)

// Event is one event dispatched by an event stream.
type Event struct {
	// Type is the event type: "message" unless the stream named another
	// type with an "event" field.
	Type string
	// Data is the event's data: the values of its "data" lines joined
	// with "\n".
	Data string
	// ID is the last event ID in force when the event was dispatched.
	// It persists from event to event until an "id" field changes it.
	ID string
}

// RawEvent is the current event of a [Parser] as slices of the parser's
// own buffers. The slices are valid only until the next call to
// [Parser.Next]; copy what must outlive it.
type RawEvent struct {
	Type []byte // as [Event.Type]; "message" unless the stream named another type
	Data []byte // as [Event.Data]
	ID   []byte // as [Event.ID]
}

// Default limits of a [Parser]. LLM APIs send whole JSON documents in one
// data line (a 10 MiB image in base64 is a line of about 14 MB), so both
// are generous; [Parser.SetLimits] changes them.
const (
	// DefaultMaxLineSize is the longest line, in bytes, without its line
	// ending, that a Parser accepts by default. It bounds what the parser
	// reads a line into.
	DefaultMaxLineSize = 16 << 20
	// DefaultMaxEventSize is the most that one event may hold by default:
	// its data, its type and its ID together, in bytes once invalid UTF-8
	// has been replaced with U+FFFD.
	DefaultMaxEventSize = 16 << 20
)

// Errors a [Parser] reports inside a [*LimitError] when the stream exceeds
// one of its limits. Test for them with [errors.Is].
var (
	ErrLineTooLong   = errors.New("sse: line too long")
	ErrEventTooLarge = errors.New("sse: event too large")
)

// LimitError reports a line or an event larger than the parser allows.
// It wraps [ErrLineTooLong] or [ErrEventTooLarge].
type LimitError struct {
	Err   error // ErrLineTooLong or ErrEventTooLarge
	Limit int   // the limit in force, in bytes
}

func (e *LimitError) Error() string {
	what := "a line"
	if e.Err == ErrEventTooLarge {
		what = "an event (its data, type and ID together)"
	}
	return fmt.Sprintf("%v: %s exceeds the limit of %s; raise it with Parser.SetLimits (WithLimits for a Client), or skip such events with Parser.SkipOversized (WithSkipOversized)",
		e.Err, what, formatSize(e.Limit))
}

func (e *LimitError) Unwrap() error { return e.Err }

// ErrNoProgress is returned by a [Parser] whose reader returns no bytes and
// no error many times in a row, which a well-behaved [io.Reader] never does.
var ErrNoProgress = errors.New("sse: the reader returned no data and no error 100 times in a row")

const (
	initialBufSize = 4 << 10
	busyBufSize    = 64 << 10  // the buffer grows to this when reads fill it
	maxChunkSize   = 256 << 10 // the largest buffer that a long line is read into
	// maxCachedType is the longest event type whose string the parser
	// keeps for the events that follow: a stream's types are short names,
	// and a long one kept would hold memory that the event limit no
	// longer counts.
	maxCachedType = 64
	// maxPinned is the longest string, of an event's data, ID and type,
	// that the parser keeps for the ID it holds: [Parser.Event] makes the
	// three in one allocation.
	maxPinned = 1 << 10
	// A type, ID or comment buffer larger than keepSmall, or a data buffer
	// larger than busyBufSize, is released once its value is used, so that
	// a large value leaves no large buffer behind.
	keepSmall     = 4 << 10
	maxEmptyReads = 100
	// maxRetryMs is the largest reconnection time, in milliseconds, that
	// fits a time.Duration; larger values saturate to it.
	maxRetryMs = math.MaxInt64 / int64(time.Millisecond)
)

// Parser reads an event stream, in the format of the WHATWG HTML
// standard's "Server-sent events" section, from an [io.Reader].
//
// Successive calls to [Parser.Next] step through the stream's events; the
// current one is returned by [Parser.Event], or without copying by
// [Parser.Raw]. Next returns false at the end of the stream or at the first
// error; [Parser.Err] then returns the error, or nil at a clean end of
// stream. An event that no blank line ends before the end of the stream is
// discarded, as the standard says.
//
// The parser follows the standard to the letter: invalid UTF-8 becomes
// U+FFFD as the WHATWG decoder makes it, a leading byte order mark is
// removed, CR, LF and CRLF all end a line (also when CR and LF arrive in
// different reads), and a line that ends in CR is handled at once, without
// waiting for the next byte. The "retry" field is kept for [Parser.Retry]
// and the last event ID for [Parser.LastEventID]; comments go to the
// function given to [Parser.OnComment].
//
// Memory is bounded: a line longer than the line limit, or an event whose
// data, type and ID together exceed the event limit (counted once invalid
// UTF-8 has been replaced), stops the parser with a [*LimitError], or,
// after [Parser.SkipOversized], is skipped. [DefaultMaxLineSize] and
// [DefaultMaxEventSize] are the defaults; [Parser.SetLimits] changes them
// and says what the parser holds at most.
//
// A Parser is not safe for concurrent use.
type Parser struct {
	r   io.Reader
	buf []byte // read buffer; unread bytes are buf[start:end]

	start, end int
	searched   cursors // how far the unread bytes were searched

	skipLF     bool // the last line ended in CR: a LF next belongs to it
	busy       bool // the last read filled the buffer
	bomDone    bool // the start of the stream has been checked for a BOM
	dispatched bool // an event was returned by the last call to Next

	// What the parser is dropping after a limit was exceeded under
	// SkipOversized: the rest of an over-long line, up to its line
	// ending; and the data and type of an oversized event, up to the
	// blank line that ends it ("id" and "retry" still take effect).
	droppingLine, droppingEvent bool

	maxLine, maxEvent int
	skipOversized     bool
	onSkip            func(error)
	onComment         func([]byte)

	pending eventBuffers // the event being read
	ev      RawEvent     // the event dispatched, returned by Raw
	// The last event ID string: the last event ID buffer as of the
	// latest blank line.
	lastID  []byte
	scratch []byte // a comment with invalid UTF-8 replaced

	long longLine // a line longer than the read buffer

	// What nextLine says of the line it returned: whether it holds
	// invalid UTF-8, which the parser replaces where it keeps a value,
	// and whether it is long.
	lineInvalid, lineLong bool

	retry    time.Duration
	hasRetry bool

	// Strings of the last few short types and of the last ID returned,
	// so that repeated values cost no allocation. idStr is the current
	// last event ID or "".
	types    [4]string
	nextType int // the entry of types to replace next
	idStr    string

	// The error that stops the parser, as in bufio.Scanner: the
	// reader's (io.EOF at the end of the stream), which stops it once
	// the bytes read before it are parsed, or a limit's, which stops it
	// at once and replaces a reader's error found after those bytes.
	err error
}

// eventBuffers are the standard's buffers of the event being read, which
// its lines fill and the blank line that ends it dispatches. Spec: "When a
// stream is parsed, a data buffer, an event type buffer, and a last event
// ID buffer must be associated with it. They must be initialized to the
// empty string."
type eventBuffers struct {
	data []byte // data buffer: each data line's value followed by LF
	// The value of the event's only data line so far, left where it was
	// read instead of copied into data (see keepDataLine): in the read
	// buffer, or in the joined long line (long.held).
	dataLine []byte
	typ      []byte // event type buffer
	// The last event ID buffer, once an "id" field has set it since the
	// latest blank line (idSet); until then it holds Parser.lastID.
	id    []byte
	idSet bool
}

// longLine is a line longer than the read buffer: its bytes so far, in
// the buffers that they were read into (see spill), their length, and
// whether they hold invalid UTF-8; and the line once joined (see
// joinLong), which the event's data line may be kept in.
type longLine struct {
	chunks  [][]byte
	n       int
	invalid bool
	joined  []byte
	held    bool // the event's data line is in joined
}

// NewParser returns a Parser that reads from r, with the default limits
// and an empty last event ID.
func NewParser(r io.Reader) *Parser {
	return &Parser{r: r, maxLine: DefaultMaxLineSize, maxEvent: DefaultMaxEventSize}
}

// SetLimits sets the longest line, without its line ending, and the most
// that one event may hold, both in bytes. A value of zero or less keeps the
// default ([DefaultMaxLineSize], [DefaultMaxEventSize]).
//
// The line limit bounds what the parser reads a line into. The event limit
// bounds the event's data, its type and its ID together, each counted as
// the event will hold it, once invalid UTF-8 has been replaced with U+FFFD
// (which can make a value three times as long as it was on the wire); the
// last event ID counts for every event it is in force for. Besides the
// strings that [Parser.Event] returns, the parser holds at most: the line
// it is reading, about the line limit, and twice that for a moment while
// it joins the pieces of a line longer than 64 KiB; the event's values,
// within the event limit; the last event ID being replaced, and the
// string of the last event ID, within the event limit each; and, during a
// call of the function given to [Parser.OnComment], a comment with
// invalid UTF-8 replaced, up to three times the line limit. Once the next
// event has begun, what an event's large values held is released. Call
// SetLimits before the first call to [Parser.Next].
func (p *Parser) SetLimits(maxLine, maxEvent int) {
	if maxLine <= 0 {
		maxLine = DefaultMaxLineSize
	}
	if maxEvent <= 0 {
		maxEvent = DefaultMaxEventSize
	}
	p.maxLine, p.maxEvent = maxLine, maxEvent
}

// SkipOversized makes the parser skip an event that exceeds the event limit
// (see [Parser.SetLimits]), or which holds a line longer than the line
// limit, instead of stopping with an error: the event is dropped, the
// stream goes on with the next one, and report, if it is not nil, is
// called with the [*LimitError] as soon as the limit is exceeded. Fields
// other than data and type, such as "id" and "retry", still take effect,
// with one exception: an "id" value that alone exceeds the event limit
// cannot be kept, so it is ignored, and the last event ID stays what it
// was; its event is skipped.
func (p *Parser) SkipOversized(report func(err error)) {
	p.skipOversized = true
	p.onSkip = report
}

// OnComment sets a function that the parser calls with the text of each
// comment line (a line that starts with a colon) as soon as the line has
// been read: heartbeats such as ": keep-alive" can be seen as they arrive.
// The text is the line after the colon, less one leading space; it is valid
// only during the call. A nil fn ignores comments, which is the default.
func (p *Parser) OnComment(fn func(text []byte)) {
	p.onComment = fn
}

// SetLastEventID sets the last event ID that the stream starts with, as a
// client does for a stream it resumes. Call it before the first call to
// [Parser.Next].
func (p *Parser) SetLastEventID(id string) {
	p.lastID = append(reuse(p.lastID, len(id)), id...)
	p.idStr = id
}

// LastEventID returns the last event ID: the value of the latest valid "id"
// field as of the latest blank line, or the one given to
// [Parser.SetLastEventID]. It is what a client sends in the Last-Event-ID
// header when it reconnects. As the standard says, an "id" field takes
// effect only when a blank line ends its event, so the ID of an event cut
// off by the end of the stream does not count.
func (p *Parser) LastEventID() string {
	if string(p.lastID) != p.idStr {
		p.idStr = string(p.lastID)
	}
	return p.idStr
}

// Retry returns the reconnection time set by the latest valid "retry" field
// of the stream, and whether there was one. A valid field is made of ASCII
// digits only, read as milliseconds; a value too large for a
// [time.Duration] counts as the largest Duration.
func (p *Parser) Retry() (time.Duration, bool) {
	return p.retry, p.hasRetry
}

// Next advances the parser to the next event, which is then available
// through [Parser.Event] and [Parser.Raw]. It returns false when the stream
// ends or an error occurs; [Parser.Err] tells which.
func (p *Parser) Next() bool {
	if p.atLimit() {
		return false
	}
	if p.dispatched {
		// Spec: "Set the data buffer and the event type buffer to the
		// empty string." Done here rather than at dispatch, so that
		// the slices Raw returned stay valid until this call.
		p.dispatched = false
		p.resetEvent()
		p.ev = RawEvent{}
	}
	for {
		for {
			line, ok := p.nextLine()
			if !ok {
				break
			}
			if len(line) == 0 {
				// Spec: "If the line is empty (a blank line)":
				// "Dispatch the event, as defined below." The
				// commonest line after data, handled without a call
				// to processLine.
				if p.dispatch() {
					return true
				}
				continue
			}
			p.processLine(line)
			if p.lineLong {
				p.lineLong = false
				if !p.long.held {
					p.long.joined = nil
				}
			}
			if p.atLimit() {
				return false
			}
		}
		if p.err != nil {
			// A limit; or the reader's error, and no complete line
			// left before it. Spec: "Once the end of the file is
			// reached, any pending data must be discarded."
			return false
		}
		p.fill()
	}
}

// Event returns the current event, the one found by the latest call to
// [Parser.Next] that returned true. Its strings cost one allocation at
// most: one string holds the event's data and whatever else is new (its ID
// when the ID has changed, its type when the type is longer than 64
// bytes), each field a slice of it. A type of up to 64 bytes gets a string
// of its own the first time it is seen, which the next events of that type
// reuse while it is one of the last four; the ID string is reused while
// the ID stays the same, if the string it came in was short. So an event
// whose type is one of a few that a stream uses costs the string of its
// data and ID, or of its data alone when the ID repeats (no allocation for
// data of one byte or none).
func (p *Parser) Event() Event {
	if !p.dispatched {
		return Event{}
	}
	typ, typeKnown := p.cachedType()
	idKnown := p.idStr == string(p.ev.ID)
	if !idKnown && len(p.ev.ID) == 0 {
		p.idStr, idKnown = "", true
	}
	n := len(p.ev.Data)
	if !typeKnown {
		n += len(p.ev.Type)
	}
	if !idKnown {
		n += len(p.ev.ID)
	}
	if n == len(p.ev.Data) {
		// Only the data is new: a plain conversion, which makes no
		// allocation for a data of one byte.
		return Event{Type: typ, Data: string(p.ev.Data), ID: p.idStr}
	}
	var b strings.Builder
	b.Grow(n)
	b.Write(p.ev.Data)
	if !idKnown {
		b.Write(p.ev.ID)
	}
	if !typeKnown {
		b.Write(p.ev.Type)
	}
	all := b.String()
	ev := Event{Data: all[:len(p.ev.Data)], Type: typ, ID: p.idStr}
	rest := all[len(p.ev.Data):]
	if !idKnown {
		ev.ID, rest = rest[:len(p.ev.ID)], rest[len(p.ev.ID):]
		// Keep the ID string for the events that follow only if what
		// it holds alive is small. Not keeping it costs no allocation:
		// the next event's string holds the ID again.
		p.idStr = ""
		if len(all) <= maxPinned {
			p.idStr = ev.ID
		}
	}
	if !typeKnown {
		ev.Type = rest
	}
	return ev
}

// cachedType returns the current event's type as a string, one made for an
// earlier event if one of the last few had the same type, and whether it
// did. A stream mixes a handful of types (a ping among deltas, a few kinds
// of update), and a string for each event would cost an allocation each. A
// short type seen for the first time gets a string of its own, which is
// kept; a long one, which is not kept, is left to the caller to make.
func (p *Parser) cachedType() (string, bool) {
	for _, s := range p.types {
		if s == string(p.ev.Type) {
			return s, true
		}
	}
	if len(p.ev.Type) > maxCachedType {
		return "", false
	}
	s := string(p.ev.Type)
	p.types[p.nextType] = s
	p.nextType = (p.nextType + 1) % len(p.types)
	return s, true
}

// Raw returns the current event without copying: its slices point into the
// parser's buffers and are valid only until the next call to [Parser.Next].
func (p *Parser) Raw() RawEvent {
	return p.ev
}

// Err returns the error that stopped the parser, or nil if the stream ended
// cleanly. A [*LimitError] reports an oversized line or event; other errors
// come from the reader.
func (p *Parser) Err() error {
	if p.err == io.EOF || p.dispatched {
		// A clean end; or events still come before the error.
		return nil
	}
	return p.err
}

// atLimit reports whether a limit has stopped the parser.
func (p *Parser) atLimit() bool {
	_, ok := p.err.(*LimitError)
	return ok
}

// All returns an iterator over the parser's remaining events. If the parser
// stops with an error, the iterator yields it, with a zero Event, as its
// last pair.
func (p *Parser) All() iter.Seq2[Event, error] {
	return func(yield func(Event, error) bool) {
		for p.Next() {
			if !yield(p.Event(), nil) {
				return
			}
		}
		if err := p.Err(); err != nil {
			yield(Event{}, err)
		}
	}
}

// Read returns an iterator over the events of the stream read from r, with
// a [Parser]'s defaults. An error ends the iteration as its last pair, with
// a zero Event; a clean end of stream ends it with no error.
//
//	for ev, err := range sse.Read(r) {
//		if err != nil {
//			return err
//		}
//		fmt.Println(ev.Data)
//	}
func Read(r io.Reader) iter.Seq2[Event, error] {
	return NewParser(r).All()
}

// fill reads more of the stream into the buffer, making room first. It
// records the reader's error in p.err.
func (p *Parser) fill() {
	if !p.long.held {
		p.keepDataLine()
	}
	if p.start == p.end {
		p.searched.shift(p.start)
		p.start, p.end = 0, 0
	}
	if p.buf == nil {
		p.buf = make([]byte, min(initialBufSize, p.maxLine+1))
	}
	if len(p.buf) > busyBufSize && len(p.long.chunks) == 0 && p.end-p.start <= busyBufSize/2 {
		// The buffer that the end of a long line was read into: back
		// to the size of a busy stream's.
		p.replaceBuf(busyBufSize)
	}
	if free := len(p.buf) - p.end; p.start > 0 && free < len(p.buf)/2 {
		p.searched.shift(p.start)
		p.end = copy(p.buf, p.buf[p.start:p.end])
		p.start = 0
	}
	if p.end == len(p.buf) && len(p.buf) >= busyBufSize {
		// One line fills a large buffer: read the rest of it into
		// others.
		p.spill()
	} else if p.end == len(p.buf) || p.busy && len(p.buf) < min(busyBufSize, p.maxLine+1) {
		// The pending line fills the buffer, or the last read filled
		// all the room there was, as on a busy stream that a larger
		// buffer reads in fewer calls (an idle stream keeps a small
		// one): grow it, but never much past what the line limit needs
		// to see an over-long line.
		size := min(2*len(p.buf), busyBufSize)
		if size >= p.maxLine {
			size = p.maxLine + 1
		}
		if size <= len(p.buf) {
			size = len(p.buf) + initialBufSize
		}
		p.replaceBuf(size)
	}
	for range maxEmptyReads {
		n, err := p.r.Read(p.buf[p.end:])
		if n < 0 || n > len(p.buf)-p.end {
			p.err = fmt.Errorf("sse: the reader returned an invalid count %d", n)
			return
		}
		p.busy = n == len(p.buf)-p.end
		p.end += n
		if err != nil {
			p.err = err
			return
		}
		if n > 0 {
			return
		}
	}
	p.err = ErrNoProgress
}

// replaceBuf moves the unread bytes to a new read buffer of size bytes.
func (p *Parser) replaceBuf(size int) {
	nb := make([]byte, size)
	p.searched.shift(p.start)
	p.end = copy(nb, p.buf[p.start:p.end])
	p.start = 0
	p.buf = nb
}

// spill makes the read buffer, which one line fills, the line's next
// chunk, and reads on into a new buffer, which starts with the bytes of a
// character that the next read may complete. Each byte of a long line is
// then read once, into a chunk, and copied once, when the line ends and
// joinLong joins its chunks, where growing the read buffer would copy the
// line at each doubling and hold it twice at the end. The new buffer is
// twice as large as the last, up to maxChunkSize, so that a long line
// costs few allocations.
func (p *Parser) spill() {
	pending := p.buf[p.start:p.end]
	whole := wholeRunes(pending)
	if from := max(p.searched.utf8Valid-p.start, 0); !p.long.invalid && from < whole {
		p.long.invalid = !utf8.Valid(pending[from:whole])
	}
	p.long.chunks = append(p.long.chunks, pending[:whole])
	p.long.n += whole
	nb := make([]byte, min(2*len(p.buf), maxChunkSize))
	p.end = copy(nb, pending[whole:])
	p.start = 0
	p.buf = nb
	p.searched = cursors{}
}

// joinLong returns the long line whose chunks spill kept and whose end is
// tail, joined in one new slice (which bytes.Join does not clear before it
// copies), and drops the chunks.
func (p *Parser) joinLong(tail []byte) []byte {
	line := bytes.Join(append(p.long.chunks, tail), nil)
	p.lineInvalid = p.lineInvalid || p.long.invalid
	p.long.dropChunks()
	p.long.joined, p.lineLong = line, true
	return line
}

// dropChunks drops the chunks of a long line, which it has been joined
// from or is too long to keep.
func (l *longLine) dropChunks() {
	clear(l.chunks)
	l.chunks, l.n, l.invalid = l.chunks[:0], 0, false
}

// nextLine returns the next complete line, without its line ending, or
// false when the buffer holds no complete line; p.lineInvalid tells
// whether the line holds invalid UTF-8, which the parser replaces only in
// the values it keeps. It strips the byte order mark at the start of the
// stream and enforces the line limit.
func (p *Parser) nextLine() ([]byte, bool) {
	for {
		if p.skipLF && p.start < p.end {
			p.skipLF = false
			if p.buf[p.start] == '\n' {
				p.start++
			}
		}
		if !p.bomDone {
			if !p.stripBOM() {
				return nil, false
			}
		}
		// Search on for LF and CR from where the last searches stopped:
		// a long line arriving in many reads stays linear, and a stream
		// without CRs is searched for them once, not once per line.
		// (Locals, because the fields would be reloaded after each call.)
		buf, start, end := p.buf[:p.end], p.start, p.end
		lf := max(p.searched.lf, start)
		if lf < end && buf[lf] != '\n' {
			if i := bytes.IndexByte(buf[lf:], '\n'); i >= 0 {
				lf += i
			} else {
				lf = end
			}
		}
		cr := max(p.searched.cr, start)
		if cr < end && buf[cr] != '\r' {
			if i := bytes.IndexByte(buf[cr:], '\r'); i >= 0 {
				cr += i
			} else {
				cr = end
			}
		}
		p.searched.lf, p.searched.cr = lf, cr
		eol := min(lf, cr)
		if eol == end {
			if p.droppingLine {
				p.start = end
				return nil, false
			}
			if p.long.n+end-start > p.maxLine && p.lineTooLong() {
				// Skipping: drop what is buffered of the line and the
				// rest of it as it arrives.
				p.start = end
				p.droppingLine = true
			}
			return nil, false
		}
		line := buf[start:eol:eol]
		valid := eol <= p.searched.utf8Valid || p.validUTF8(eol)
		// Spec: "a U+000D CARRIAGE RETURN U+000A LINE FEED (CRLF)
		// character pair, a single U+000A LINE FEED (LF) character not
		// preceded by a U+000D CARRIAGE RETURN (CR) character, and a
		// single U+000D CARRIAGE RETURN (CR) character not followed by
		// a U+000A LINE FEED (LF) character being the ways in which a
		// line can end." A CR at the end of the bytes read ends its
		// line at once; skipLF drops a LF that comes next.
		next := eol + 1
		if buf[eol] == '\r' {
			if next < end {
				if buf[next] == '\n' {
					next++
				}
			} else {
				p.skipLF = true
			}
		}
		p.start = next
		if p.droppingLine {
			p.droppingLine = false
			continue
		}
		if p.long.n+len(line) > p.maxLine {
			if !p.lineTooLong() {
				return nil, false
			}
			continue
		}
		p.lineInvalid = !valid
		if len(p.long.chunks) > 0 {
			line = p.joinLong(line)
		}
		return line, true
	}
}

// cursors are positions in the read buffer up to which its unread bytes
// have been searched, so that no byte is searched twice: a long line that
// arrives in many reads costs linear time, and a stream without CRs is
// searched for them once, not once per line. A cursor counts only when it
// is at or after the start of the unread bytes.
type cursors struct {
	// The next LF and the next CR, or, where there is none, the end of
	// the bytes searched for it.
	lf, cr int
	// The end of the bytes known to be valid UTF-8, at a character
	// boundary; and up to where lines are checked for UTF-8 one by one,
	// because a check of more at once failed (see validUTF8).
	utf8Valid, utf8Lines int
}

// shift keeps the cursors right when the unread bytes move from buf[from:]
// to the start of a buffer.
func (c *cursors) shift(from int) {
	c.lf, c.cr = max(c.lf-from, 0), max(c.cr-from, 0)
	c.utf8Valid, c.utf8Lines = max(c.utf8Valid-from, 0), max(c.utf8Lines-from, 0)
}

// validUTF8 reports whether the line buf[start:eol] is valid UTF-8. Rather
// than line by line, it checks all the unread bytes up to the last whole
// character at once, which costs far less for short lines; after such a
// check fails, it checks line by line up to where that one ended, so that
// no byte is checked more than twice.
func (p *Parser) validUTF8(eol int) bool {
	from := max(p.searched.utf8Valid, p.start)
	if eol > p.searched.utf8Lines {
		all := p.buf[from:max(p.start+wholeRunes(p.buf[p.start:p.end]), from)]
		if utf8.Valid(all) {
			p.searched.utf8Valid = from + len(all)
			return true
		}
		p.searched.utf8Lines = from + len(all)
	}
	if !utf8.Valid(p.buf[from:eol]) {
		return false
	}
	p.searched.utf8Valid = eol
	return true
}

// wholeRunes returns len(b) less the bytes of an incomplete UTF-8 sequence
// at its end, which the next read may complete.
func wholeRunes(b []byte) int {
	for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax+1; i-- {
		if utf8.RuneStart(b[i]) {
			if utf8.FullRune(b[i:]) {
				return len(b)
			}
			return i
		}
	}
	return len(b)
}

// stripBOM removes a UTF-8 byte order mark at the very start of the
// stream. It returns false when it needs more bytes to decide. Spec: "The
// UTF-8 decode algorithm strips one leading UTF-8 Byte Order Mark (BOM),
// if any."
func (p *Parser) stripBOM() bool {
	const bom = "\xEF\xBB\xBF"
	pending := p.buf[p.start:p.end]
	n := min(len(pending), len(bom))
	if string(pending[:n]) != bom[:n] {
		p.bomDone = true
		return true
	}
	if n == len(bom) {
		p.start += len(bom)
		p.bomDone = true
		return true
	}
	if p.err != nil {
		// The stream ends, or fails, within its first three bytes.
		p.bomDone = true
		return true
	}
	return false
}

// lineTooLong handles a line over the limit: it records the error, or,
// when skipping, drops the event the line belongs to. It returns whether
// parsing goes on.
func (p *Parser) lineTooLong() bool {
	p.long.dropChunks()
	err := &LimitError{Err: ErrLineTooLong, Limit: p.maxLine}
	if !p.skipOversized {
		p.err = err
		return false
	}
	p.dropEvent(err)
	return true
}

// dropEvent drops the data and type of the event being read and ignores
// its data and event lines up to the blank line that ends it.
func (p *Parser) dropEvent(err error) {
	if !p.droppingEvent && p.onSkip != nil {
		p.onSkip(err)
	}
	p.droppingEvent = true
	p.resetEvent()
}

// tooLarge handles an event over the event limit: it records the error,
// or, when skipping, drops the event. It returns whether parsing goes on.
func (p *Parser) tooLarge() bool {
	err := &LimitError{Err: ErrEventTooLarge, Limit: p.maxEvent}
	if !p.skipOversized {
		p.err = err
		return false
	}
	p.dropEvent(err)
	return true
}

// resetEvent empties the data and type of the event being read, and
// releases their buffers and the long line if they are large: the data
// buffer when the event used less than half of it, so that a stream of
// large events keeps its buffer and one large event leaves none behind.
func (p *Parser) resetEvent() {
	if cap(p.pending.data) > busyBufSize && len(p.pending.data) <= cap(p.pending.data)/2 {
		p.pending.data = nil
	}
	p.pending.data, p.pending.dataLine = p.pending.data[:0], nil
	p.pending.typ = p.pending.typ[:0]
	if cap(p.pending.typ) > keepSmall {
		p.pending.typ = nil
	}
	if p.long.joined != nil {
		p.long.joined, p.long.held = nil, false
	}
}

// keepDataLine copies the event's data line, if it was left where it was
// read, into the data buffer, before the buffer it is in changes or a
// second data line follows it. Until then an event of one data line, the
// common case, costs no copy.
func (p *Parser) keepDataLine() {
	if len(p.pending.dataLine) > 0 {
		p.appendData(p.pending.dataLine, len(p.pending.dataLine), false)
		p.pending.dataLine = nil
		p.long.joined, p.long.held = nil, false
	}
}

// processLine interprets one line of the stream that is not blank (Next
// dispatches at a blank line itself), which holds invalid UTF-8 if
// p.lineInvalid is set.
func (p *Parser) processLine(line []byte) {
	// Spec: "Streams must be decoded using the UTF-8 decode algorithm."
	// Field names and the colon are ASCII, which no replacement of
	// invalid UTF-8 touches (a maximal subpart never holds an ASCII
	// byte): the line is split as it came, and only the values kept are
	// replaced.
	//
	// Spec: "If the line starts with a U+003A COLON character (:)":
	// "Ignore the line." The parser shows it to the OnComment function.
	if line[0] == ':' {
		if p.onComment != nil {
			p.comment(trimSpace(line[1:]))
		}
		return
	}
	// Most lines are data lines: take them without looking for the
	// colon, as the next steps would find it.
	if len(line) >= 5 && string(line[:5]) == "data:" {
		p.addData(trimSpace(line[5:]))
		return
	}
	// Spec: "Otherwise, the string is not empty but does not contain a
	// U+003A COLON character (:)": "using the whole line as the field
	// name, and the empty string as the field value."
	name, value := line, []byte(nil)
	if i := indexColon(line); i >= 0 {
		// Spec: "If the line contains a U+003A COLON character (:)":
		// "Collect the characters on the line before the first U+003A
		// COLON character (:), and let field be that string." The
		// value is the characters after it.
		name, value = line[:i], trimSpace(line[i+1:])
	}
	// Spec: "Field names must be compared literally, with no case
	// folding performed."
	switch string(name) {
	case "data":
		p.addData(value)
	case "event":
		p.setType(value)
	case "id":
		// Spec: "If the field value does not contain U+0000 NULL, then
		// set the last event ID buffer to the field value. Otherwise,
		// ignore the field." NUL is ASCII too: the value holds one
		// before replacement if and only if it does after.
		if bytes.IndexByte(value, 0) < 0 {
			p.setID(value)
		}
	case "retry":
		// Spec: "If the field value consists of only ASCII digits, then
		// interpret the field value as an integer in base ten, and set
		// the event stream's reconnection time to that integer.
		// Otherwise, ignore the field." Digits are ASCII: invalid
		// UTF-8 makes the value invalid before replacement as after.
		if d, ok := parseRetry(value); ok {
			p.retry, p.hasRetry = d, true
		}
	default:
		// Spec: "The field is ignored."
	}
}

// valueLen returns the length of a field value of the current line once
// its invalid UTF-8 is replaced.
func (p *Parser) valueLen(value []byte) int {
	if p.lineInvalid {
		return replacedLen(value)
	}
	return len(value)
}

// appendValue appends a field value of the current line to dst, replacing
// its invalid UTF-8.
func (p *Parser) appendValue(dst, value []byte) []byte {
	if p.lineInvalid {
		return appendReplacingInvalid(dst, value)
	}
	return append(dst, value...)
}

// comment passes the text of a comment line to the OnComment function.
func (p *Parser) comment(text []byte) {
	if !p.lineInvalid {
		p.onComment(text)
		return
	}
	p.scratch = appendReplacingInvalid(reuse(p.scratch, 0), text)
	p.onComment(p.scratch)
	p.scratch = reuse(p.scratch, 0)
}

// dataLen returns the length of the event's data as it would be dispatched
// now.
func (p *Parser) dataLen() int {
	if len(p.pending.dataLine) > 0 {
		return len(p.pending.dataLine)
	}
	return max(len(p.pending.data)-1, 0)
}

// currentID returns the ID that the event being read will carry.
func (p *Parser) currentID() []byte {
	if p.pending.idSet {
		return p.pending.id
	}
	return p.lastID
}

// addData adds the value of a data line to the event's data. Spec: "Append
// the field value to the data buffer, then append a single U+000A LINE FEED
// (LF) character to the data buffer." (An event of one data line keeps the
// value where it was read, see keepDataLine.)
func (p *Parser) addData(value []byte) {
	p.keepDataLine()
	if p.droppingEvent {
		return
	}
	// The event's data would be the data buffer and value, without
	// the LF that dispatch removes; the buffer holds at most
	// maxEvent+1.
	n := p.valueLen(value)
	if len(p.pending.data)+n+len(p.pending.typ)+len(p.currentID()) > p.maxEvent {
		p.tooLarge()
		return
	}
	if len(p.pending.data) == 0 && n > 0 && !p.lineInvalid {
		p.pending.dataLine = value
		p.long.held = p.lineLong
		return
	}
	p.appendData(value, n, p.lineInvalid)
}

// setType sets the type of the event being read. Spec: "Set the event
// type buffer to the field value."
func (p *Parser) setType(value []byte) {
	if p.droppingEvent {
		return
	}
	n := p.valueLen(value)
	if p.dataLen()+n+len(p.currentID()) > p.maxEvent {
		p.tooLarge()
		return
	}
	p.pending.typ = p.appendValue(fit(p.pending.typ, n), value)
}

// setID sets the last event ID that the event being read ends with. The
// previous one is kept until the blank line: an event cut off by the end of
// the stream does not change it.
func (p *Parser) setID(value []byte) {
	n := p.valueLen(value)
	if !p.droppingEvent && p.dataLen()+len(p.pending.typ)+n > p.maxEvent {
		if !p.tooLarge() {
			return
		}
	}
	if n > p.maxEvent {
		return // too long to keep even without the event
	}
	p.pending.id = p.appendValue(fit(p.pending.id, n), value)
	p.pending.idSet = true
}

// fit returns b emptied, if it has room for n bytes and is not much larger
// than that, or an empty slice with room for n bytes: a buffer that once
// held a large value does not stay large. It returns b[:0] as such, which
// lets the caller's append store only a length.
func fit(b []byte, n int) []byte {
	if cap(b) >= n && (cap(b) <= keepSmall || cap(b) <= 2*n) {
		return b[:0]
	}
	return make([]byte, 0, n)
}

// reuse returns b emptied, if it has room for n bytes and is not much
// larger than that, or an empty slice with room for n bytes (nil for none).
func reuse(b []byte, n int) []byte {
	if cap(b) >= n && (cap(b) <= keepSmall || cap(b) <= 2*n) {
		return b[:0]
	}
	if n == 0 {
		return nil
	}
	return make([]byte, 0, n)
}

// appendData appends the value of a data line, n bytes once its invalid
// UTF-8, if it has some, is replaced, and a LF to the data buffer. The
// buffer doubles as it grows, and goes straight to the event limit when
// doubling would reach it, so that growing never holds a buffer near the
// limit and a larger copy of it at once, as append's growth can.
func (p *Parser) appendData(value []byte, n int, invalid bool) {
	if need := len(p.pending.data) + n + 1; need > cap(p.pending.data) {
		size := max(2*cap(p.pending.data), need, 256)
		if size >= p.maxEvent {
			size = max(p.maxEvent+1, need)
		}
		data := make([]byte, len(p.pending.data), size)
		copy(data, p.pending.data)
		p.pending.data = data
	}
	if invalid {
		p.pending.data = appendReplacingInvalid(p.pending.data, value)
	} else {
		p.pending.data = append(p.pending.data, value...)
	}
	p.pending.data = append(p.pending.data, '\n')
}

// dispatch ends the event being read at a blank line. It returns true when
// there is an event to hand out.
func (p *Parser) dispatch() bool {
	// Spec: "Set the last event ID string of the event source to the
	// value of the last event ID buffer." The buffer differs from the
	// string only once an "id" field has set it.
	if p.pending.idSet {
		p.pending.idSet = false
		if len(p.pending.id) <= cap(p.lastID) && cap(p.lastID) <= keepSmall {
			// A short ID is copied, which stores no pointer.
			p.lastID = append(p.lastID[:0], p.pending.id...)
		} else {
			// A long one takes the place of the last ID, whose
			// buffer is kept for the next "id" field unless it is
			// large.
			p.lastID, p.pending.id = p.pending.id, reuse(p.lastID, 0)
		}
		if len(p.idStr) > maxPinned && p.idStr != string(p.lastID) {
			// A large ID string is not left behind; a small one is
			// checked against the ID where it is used.
			p.idStr = ""
		}
	}
	// Spec: "If the data buffer is an empty string, set the data buffer
	// and the event type buffer to the empty string and return." An
	// event dropped for its size ends here too.
	if p.droppingEvent || len(p.pending.data) == 0 && len(p.pending.dataLine) == 0 {
		p.droppingEvent = false
		p.resetEvent()
		return false
	}
	p.dispatched = true
	if len(p.pending.dataLine) > 0 {
		p.ev.Data = p.pending.dataLine // the value alone, without a LF
	} else {
		// Spec: "If the data buffer's last character is a U+000A LINE
		// FEED (LF) character, then remove the last character from the
		// data buffer."
		p.ev.Data = p.pending.data[:len(p.pending.data)-1]
	}
	// Spec: "If the event type buffer has a value other than the empty
	// string, change the type of the newly created event to equal the
	// value of the event type buffer." Its type is "message" otherwise.
	if len(p.pending.typ) == 0 {
		p.pending.typ = append(p.pending.typ, "message"...)
	}
	p.ev.Type = p.pending.typ
	p.ev.ID = p.lastID
	return true
}

// indexColon returns the index of the first colon in line, or -1. Field
// names are short, so a plain look at the first bytes finds it sooner than
// a call to bytes.IndexByte, which covers the rest.
func indexColon(line []byte) int {
	const short = 8
	for i, c := range line[:min(len(line), short)] {
		if c == ':' {
			return i
		}
	}
	if len(line) > short {
		if i := bytes.IndexByte(line[short:], ':'); i >= 0 {
			return short + i
		}
	}
	return -1
}

// trimSpace removes one leading space from a field value. Spec: "If value
// starts with a U+0020 SPACE character, remove it from value."
func trimSpace(v []byte) []byte {
	if len(v) > 0 && v[0] == ' ' {
		return v[1:]
	}
	return v
}

// parseRetry reads the value of a "retry" field: ASCII digits only, in
// milliseconds, saturating at the largest time.Duration.
func parseRetry(v []byte) (time.Duration, bool) {
	if len(v) == 0 {
		return 0, false
	}
	var ms int64
	for _, c := range v {
		if c < '0' || c > '9' {
			return 0, false
		}
		if ms <= maxRetryMs {
			ms = ms*10 + int64(c-'0')
		}
	}
	if ms > maxRetryMs {
		return math.MaxInt64, true
	}
	return time.Duration(ms) * time.Millisecond, true
}

// formatSize writes a byte count for an error message.
func formatSize(n int) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
