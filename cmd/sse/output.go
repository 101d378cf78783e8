package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/ssekit/sse"
)

// printer writes events, and comments with --comments, to stdout in the
// format that the flags chose: the event stream format by default, one
// JSON object per line with --json, or the bare data with --data-only.
//
// In each format stdout stays parseable as that format: a comment is a
// comment line (": text") in the event stream format, a JSON object of its
// own ({"comment":"text"}) with --json, and goes to stderr with
// --data-only, where it could not be told apart from data.
type printer struct {
	w        io.Writer // stdout
	errw     io.Writer // stderr, for comments with --data-only
	format   format
	jsonData bool     // pretty-print data that is JSON
	types    []string // print only these event types; all if empty
	enc      *sse.Encoder
	buf      bytes.Buffer
	err      error // the first failed write of a comment
}

// format is an output format.
type format int

const (
	formatStream format = iota // the event stream format
	formatJSON                 // --json
	formatData                 // --data-only
)

func newPrinter(stdout, stderr io.Writer, o *options) *printer {
	p := &printer{w: stdout, errw: stderr, jsonData: o.jsonData, types: o.events}
	switch {
	case o.jsonOut:
		p.format = formatJSON
	case o.dataOnly:
		p.format = formatData
	}
	p.enc = sse.NewEncoder(stdout)
	// Transcribe the stream as it was: a strict Encoder refuses IDs that a
	// Last-Event-ID header cannot carry back, which a server may send.
	p.enc.SetStrictIDs(false)
	// stdout is read from its start, as a saved file is, by a reader
	// with no last event ID.
	p.enc.SetLastEventID("")
	return p
}

// print writes ev, unless the --event filter leaves it out.
//
// In the default format ev is written by an [sse.Encoder] that
// transcribes every ID the parser accepts, so that, without --json-data,
// what sse prints parses back to the same events, ID resets included
// (TestDefaultOutputRoundTrips). With --json-data, data that is JSON is
// indented: it parses back to the same JSON value, not to the same text.
func (p *printer) print(ev sse.Event) error {
	if len(p.types) > 0 && !slices.Contains(p.types, ev.Type) {
		return nil
	}
	if p.jsonData && p.format != formatJSON {
		ev.Data = prettyJSON(ev.Data)
	}
	if p.format == formatStream {
		return p.enc.Encode(ev)
	}
	p.buf.Reset()
	if p.format == formatJSON {
		p.writeJSON(ev)
	} else {
		p.buf.WriteString(ev.Data)
		p.buf.WriteByte('\n')
	}
	_, err := p.w.Write(p.buf.Bytes())
	return err
}

// comment writes the text of a comment as it arrives. It runs inside the
// parser, so it keeps the first error for [printer.commentErr].
func (p *printer) comment(text []byte) {
	if p.err != nil {
		return
	}
	t := strings.ToValidUTF8(string(text), "\uFFFD")
	switch p.format {
	case formatStream:
		p.err = p.enc.Comment(t)
		return
	case formatJSON:
		p.buf.Reset()
		enc := json.NewEncoder(&p.buf)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(struct {
			Comment string `json:"comment"`
		}{t}) // encoding a string cannot fail
		_, p.err = p.w.Write(p.buf.Bytes())
	case formatData:
		// A comment on stdout would read as data; stderr shows it.
		fmt.Fprintf(p.errw, ": %s\n", t)
	}
}

// commentErr returns the error of the first comment that could not be
// written, or nil.
func (p *printer) commentErr() error { return p.err }

// writeJSON writes ev as one line of JSON. With --json-data, data that is
// JSON is embedded as a value rather than as a string.
func (p *printer) writeJSON(ev sse.Event) {
	type jsonEvent struct {
		Type string `json:"type"`
		Data any    `json:"data"`
		ID   string `json:"id"`
	}
	var data any = ev.Data
	if p.jsonData && json.Valid([]byte(ev.Data)) {
		data = json.RawMessage(ev.Data)
	}
	enc := json.NewEncoder(&p.buf)
	enc.SetEscapeHTML(false)
	// Encoding a string or a valid json.RawMessage cannot fail.
	_ = enc.Encode(jsonEvent{Type: ev.Type, Data: data, ID: ev.ID})
}

// prettyJSON indents data if it is JSON, and returns it unchanged if not.
func prettyJSON(data string) string {
	var b bytes.Buffer
	if err := json.Indent(&b, []byte(data), "", "  "); err != nil {
		return data
	}
	return b.String()
}
