package parsers

import (
	"bufio"
	"bytes"
	"io"

	"github.com/ssekit/sse"
	"github.com/ssekit/sse/internal/corpus"
)

// Strings is the floor of an API that returns an event's fields as
// strings the caller owns: a minimal parser of the standard's fields
// (data, event, id, retry, comments) on bufio.Reader.ReadSlice, as the
// ReadSlice floor, that makes the strings that sse.Parser.Event makes and
// no others: one for each event's data, one for the ID when it changed,
// and a type string reused from the last few types. What it leaves out is
// what a real parser must also do: a CR alone does not end a line (LF and
// CRLF do), invalid UTF-8 is not replaced, and nothing is bounded. Its
// events are checked like a parser's, so that its figures are those of
// the same work.
func Strings() Parser {
	return Parser{Name: "floor: strings, minimal parser", Kind: Bound,
		Parse: func(r io.Reader, t *corpus.Tally) (Result, error) {
			p := minimalParser{br: bufio.NewReaderSize(r, floorBufSize)}
			var res Result
			for p.next() {
				ev := p.event()
				res.Events++
				res.DataBytes += int64(len(ev.Data))
				if t != nil {
					t.AddString(ev.Type, ev.Data, ev.ID)
				}
			}
			return res, p.err
		}}
}

// minimalParser is the parser of [Strings].
type minimalParser struct {
	br   *bufio.Reader
	long []byte // a line longer than br's buffer, gathered
	err  error

	data, typ, id []byte // of the event being read; id persists
	hasData       bool
	dispatched    bool // data and typ are the dispatched event's

	// Strings already made.
	idStr    string
	types    [4]string
	nextType int
}

// next reads up to the end of the next event that has data, and reports
// whether there is one.
func (p *minimalParser) next() bool {
	if p.dispatched {
		p.data, p.typ, p.hasData, p.dispatched = p.data[:0], p.typ[:0], false, false
	}
	for {
		line, err := p.br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			p.long = append(p.long, line...)
			continue
		}
		if len(p.long) > 0 {
			p.long = append(p.long, line...)
			line, p.long = p.long, p.long[:0]
		}
		if err != nil {
			if err != io.EOF {
				p.err = err
			}
			return false // an event not ended by a blank line is dropped
		}
		line = line[:len(line)-1]
		if n := len(line); n > 0 && line[n-1] == '\r' {
			line = line[:n-1]
		}
		if len(line) == 0 {
			if p.dispatch() {
				return true
			}
			continue
		}
		p.field(line)
	}
}

// field processes one line that is not blank.
func (p *minimalParser) field(line []byte) {
	name, value := line, []byte(nil)
	if i := bytes.IndexByte(line, ':'); i >= 0 {
		name, value = line[:i], line[i+1:]
		if len(value) > 0 && value[0] == ' ' {
			value = value[1:]
		}
	}
	switch string(name) {
	case "": // a comment
	case "data":
		if p.hasData {
			p.data = append(p.data, '\n')
		}
		p.data, p.hasData = append(p.data, value...), true
	case "event":
		p.typ = append(p.typ[:0], value...)
	case "id":
		if bytes.IndexByte(value, 0) < 0 {
			p.id = append(p.id[:0], value...)
		}
	case "retry": // kept by a real parser; nothing here reads it
	}
}

// dispatch ends the event at a blank line and reports whether it has
// data, in which case it becomes the dispatched event.
func (p *minimalParser) dispatch() bool {
	if !p.hasData {
		p.typ = p.typ[:0]
		return false
	}
	p.dispatched = true
	return true
}

// event returns the dispatched event as strings.
func (p *minimalParser) event() sse.Event {
	if string(p.id) != p.idStr {
		p.idStr = string(p.id)
	}
	return sse.Event{Type: p.typeString(), Data: string(p.data), ID: p.idStr}
}

// typeString returns the dispatched event's type, reusing the string of
// one of the last few types.
func (p *minimalParser) typeString() string {
	typ := p.typ
	if len(typ) == 0 {
		return "message"
	}
	for _, s := range p.types {
		if s == string(typ) {
			return s
		}
	}
	s := string(typ)
	p.types[p.nextType] = s
	p.nextType = (p.nextType + 1) % len(p.types)
	return s
}
