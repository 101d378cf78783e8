package sse

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// ErrUnencodable is wrapped by the errors an [Encoder] returns for an event
// that the wire format cannot carry so that a parser reads it back as it
// was.
var ErrUnencodable = errors.New("sse: cannot encode")

// Encoder writes events in the event stream format, such that a [Parser]
// reading its output returns exactly the events it was given.
//
// A reader keeps the last event ID from event to event, and across
// reconnects: a browser's EventSource, and a [Client], start each new
// connection with the ID of the last event they got. So the Encoder writes
// an "id" field only when an event's ID differs from the one the reader
// holds. Until it knows that ID, it writes one on the first event, an
// empty "id" line if the event's ID is empty, so that a new Encoder on a
// resumed stream can reset the ID. [Encoder.SetLastEventID] tells it
// what the reader holds: a handler passes the request's Last-Event-ID
// header, and saves the empty "id" line on a fresh request. An event of
// Type "" or "message" is written with no "event" field.
//
// By default the Encoder writes only IDs that a reader can send back
// unchanged in a Last-Event-ID header, those that pass [CheckEventID];
// [Encoder.SetStrictIDs] lifts that rule for a tool that must transcribe a
// stream as it was.
//
// When the writer has a Flush method, as an [net/http.ResponseWriter] does
// through [net/http.Flusher] and a [bufio.Writer] does, the Encoder calls
// it after each write so that the event leaves at once.
//
// An Encoder is safe for concurrent use: each call writes whole, so a
// heartbeat from another goroutine ([Encoder.KeepAlive]) never lands
// inside an event.
type Encoder struct {
	mu      sync.Mutex
	w       io.Writer
	buf     []byte
	lastID  string
	idKnown bool // lastID is what the reader holds
	lax     bool // SetStrictIDs(false)
	idle    bool // a KeepAlive runs: written is kept
	written time.Time
}

// NewEncoder returns an Encoder that writes to w.
func NewEncoder(w io.Writer) *Encoder {
	return &Encoder{w: w}
}

// SetLastEventID tells the Encoder that the reader holds id as its last
// event ID, so that the next event carries an "id" field only if its ID
// differs. On a server, pass the request's Last-Event-ID header, which is
// empty on a first connection:
//
//	enc := sse.NewEncoder(w)
//	enc.SetLastEventID(r.Header.Get("Last-Event-ID"))
//
// Without it, the first event always carries an "id" field.
func (e *Encoder) SetLastEventID(id string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.lastID, e.idKnown = id, true
}

// SetStrictIDs sets whether the Encoder refuses an event ID that
// [CheckEventID] refuses. It is true by default: a browser's EventSource
// given an ID with a control character never reconnects, and one given an
// ID with a leading or trailing space sends back a trimmed ID, from which
// the server replays events. With strict false, the Encoder writes any ID
// that a [Parser] reads back as it was: one with no CR, LF or NUL, in
// valid UTF-8, of any length.
func (e *Encoder) SetStrictIDs(strict bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.lax = !strict
}

// Encode writes ev as one event. It returns an error wrapping
// [ErrUnencodable], and writes nothing, when a reader could not get the
// same event back: a Type with CR or LF, an ID with CR, LF or NUL, Data
// with CR, or any field that is not valid UTF-8. With strict IDs (the
// default, see [Encoder.SetStrictIDs]) it also refuses, with an error
// that wraps both ErrUnencodable and [ErrInvalidLastEventID], an ID that
// a reader could not send back in a Last-Event-ID header.
func (e *Encoder) Encode(ev Event) error {
	if err := checkEncodable(ev); err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	writeID := !e.idKnown || ev.ID != e.lastID
	if writeID && !e.lax {
		if reason := eventIDProblem(ev.ID); reason != "" {
			return &idError{reason: reason}
		}
	}
	b := e.buf[:0]
	if ev.Type != "" && ev.Type != "message" {
		b = appendField(b, "event", ev.Type)
	}
	if writeID {
		if ev.ID == "" {
			b = append(b, "id\n"...)
		} else {
			b = appendField(b, "id", ev.ID)
		}
	}
	data := ev.Data
	for {
		line, rest, more := strings.Cut(data, "\n")
		b = appendField(b, "data", line)
		if !more {
			break
		}
		data = rest
	}
	b = append(b, '\n')
	e.buf = b
	if err := e.write(b); err != nil {
		return err
	}
	e.lastID, e.idKnown = ev.ID, true
	return nil
}

// Comment writes a comment, which readers ignore but which keeps a
// connection busy (a heartbeat). A text with line breaks is written as
// one comment line for each of its lines.
func (e *Encoder) Comment(text string) error {
	if !utf8.ValidString(text) {
		return fmt.Errorf("%w: the comment is not valid UTF-8", ErrUnencodable)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	b := e.buf[:0]
	for {
		i := strings.IndexAny(text, "\r\n")
		if i < 0 {
			break
		}
		b = appendField(b, "", text[:i])
		if text[i] == '\r' && i+1 < len(text) && text[i+1] == '\n' {
			i++
		}
		text = text[i+1:]
	}
	b = appendField(b, "", text)
	e.buf = b
	return e.write(b)
}

// Retry writes a "retry" field that sets the reader's reconnection time to
// d, in whole milliseconds. A negative d is an error wrapping
// [ErrUnencodable].
func (e *Encoder) Retry(d time.Duration) error {
	if d < 0 {
		return fmt.Errorf("%w: a negative reconnection time (%v)", ErrUnencodable, d)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	b := append(e.buf[:0], "retry: "...)
	b = strconv.AppendInt(b, d.Milliseconds(), 10)
	b = append(b, '\n')
	e.buf = b
	return e.write(b)
}

// KeepAlive writes an empty comment, ": ", whenever nothing has been
// written for interval, until stop is called: a heartbeat that keeps a
// proxy with a short idle timeout from cutting a stream whose events are
// slow to come, and that costs nothing while they flow. It runs on a
// timer of its own, beside the calls that write events. Call stop before
// the writer goes away (a handler, before it returns, since an
// [net/http.ResponseWriter] must not be used after that): when stop
// returns, no heartbeat is being written and none will be. The heartbeat
// also stops after its first failed write. A zero or negative interval
// writes nothing. Start one KeepAlive at a time.
func (e *Encoder) KeepAlive(interval time.Duration) (stop func()) {
	if interval <= 0 {
		return func() {}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.idle, e.written = true, time.Now()
	stopped := false
	var t *time.Timer
	// The timer is made under the lock, which its function takes first,
	// so that t is set before the function reads it.
	t = time.AfterFunc(interval, func() {
		e.mu.Lock()
		defer e.mu.Unlock()
		if stopped {
			return
		}
		if quiet := time.Since(e.written); quiet < interval {
			t.Reset(interval - quiet)
			return
		}
		e.buf = append(e.buf[:0], ": \n"...)
		if e.write(e.buf) != nil {
			stopped, e.idle = true, false
			return
		}
		t.Reset(interval)
	})
	return func() {
		e.mu.Lock()
		defer e.mu.Unlock()
		if !stopped {
			stopped, e.idle = true, false
			t.Stop()
		}
	}
}

// write writes b and flushes it. The caller holds e.mu.
func (e *Encoder) write(b []byte) error {
	if e.idle {
		defer func() { e.written = time.Now() }()
	}
	if _, err := e.w.Write(b); err != nil {
		return err
	}
	switch f := e.w.(type) {
	case interface{ Flush() error }:
		return f.Flush()
	case interface{ Flush() }:
		f.Flush()
	}
	return nil
}

// appendField appends "name: value\n". The space is always written, so a
// value that starts with a space keeps it.
func appendField(b []byte, name, value string) []byte {
	b = append(b, name...)
	b = append(b, ": "...)
	b = append(b, value...)
	return append(b, '\n')
}

func checkEncodable(ev Event) error {
	switch {
	case strings.ContainsAny(ev.Type, "\r\n"):
		return fmt.Errorf("%w: the event type %q has a line break", ErrUnencodable, ev.Type)
	case strings.ContainsAny(ev.ID, "\r\n\x00"):
		return fmt.Errorf("%w: the event ID has a line break or a NUL, which readers ignore", ErrUnencodable)
	case strings.IndexByte(ev.Data, '\r') >= 0:
		return fmt.Errorf("%w: the data has a CR, which readers take for a line break; replace CRLF with LF", ErrUnencodable)
	case !utf8.ValidString(ev.Type) || !utf8.ValidString(ev.ID) || !utf8.ValidString(ev.Data):
		return fmt.Errorf("%w: the event is not valid UTF-8", ErrUnencodable)
	}
	return nil
}

// idError is the Encoder's refusal of an ID that fails CheckEventID.
type idError struct{ reason string }

func (e *idError) Error() string {
	return "sse: cannot encode: " + e.reason + "; a reader could not send it back in Last-Event-ID (use SetStrictIDs(false) to write it anyway)"
}

func (e *idError) Unwrap() []error { return []error{ErrUnencodable, ErrInvalidLastEventID} }
