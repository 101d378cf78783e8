package sse

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
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
// The Encoder writes an "id" field only when an event's ID differs from the
// ID of the event before it, since a reader keeps the last event ID from
// event to event; it assumes a reader that starts with an empty last event
// ID. An event of Type "" or "message" is written with no "event" field.
//
// When the writer has a Flush method, as an [net/http.ResponseWriter] does
// through [net/http.Flusher] and a [bufio.Writer] does, the Encoder calls
// it after each write so that the event leaves at once.
//
// By default the Encoder writes only IDs that a reader can send back
// unchanged in a Last-Event-ID header, those that pass [CheckEventID];
// [Encoder.SetStrictIDs] lifts that rule for a tool that must transcribe a
// stream as it was.
//
// An Encoder is not safe for concurrent use.
type Encoder struct {
	w      io.Writer
	buf    []byte
	lastID string
	lax    bool // SetStrictIDs(false)
}

// NewEncoder returns an Encoder that writes to w.
func NewEncoder(w io.Writer) *Encoder {
	return &Encoder{w: w}
}

// SetStrictIDs sets whether the Encoder refuses an event ID that
// [CheckEventID] refuses. It is true by default: a browser's EventSource
// given an ID with a control character never reconnects, and one given an
// ID with a leading or trailing space sends back a trimmed ID, from which
// the server replays events. With strict false, the Encoder writes any ID
// that a [Parser] reads back as it was: one with no CR, LF or NUL, in
// valid UTF-8, of any length.
func (e *Encoder) SetStrictIDs(strict bool) {
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
	if !e.lax && ev.ID != e.lastID {
		if reason := eventIDProblem(ev.ID); reason != "" {
			return &idError{reason: reason}
		}
	}
	b := e.buf[:0]
	if ev.Type != "" && ev.Type != "message" {
		b = appendField(b, "event", ev.Type)
	}
	if ev.ID != e.lastID {
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
	e.lastID = ev.ID
	return nil
}

// Comment writes a comment, which readers ignore but which keeps a
// connection busy (a heartbeat). A text with line breaks is written as
// one comment line for each of its lines.
func (e *Encoder) Comment(text string) error {
	if !utf8.ValidString(text) {
		return fmt.Errorf("%w: the comment is not valid UTF-8", ErrUnencodable)
	}
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
	b := append(e.buf[:0], "retry: "...)
	b = strconv.AppendInt(b, d.Milliseconds(), 10)
	b = append(b, '\n')
	e.buf = b
	return e.write(b)
}

func (e *Encoder) write(b []byte) error {
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
