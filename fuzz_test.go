package sse

import (
	"bytes"
	"errors"
	"io"
	"math"
	"math/big"
	"strings"
	"testing"
	"testing/iotest"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

// whatwgDecode decodes b as the WHATWG Encoding standard's "UTF-8 decode"
// does: a leading byte order mark is dropped, and each error of the UTF-8
// decoder becomes U+FFFD. It follows the standard's decoder step by step,
// byte by byte, with no shortcut.
func whatwgDecode(b []byte) []rune {
	if len(b) >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF {
		b = b[3:]
	}
	var (
		out          []rune
		codePoint    rune
		bytesNeeded  int
		bytesSeen    int
		lower, upper byte = 0x80, 0xBF
	)
	for i := 0; i < len(b); {
		c := b[i]
		if bytesNeeded == 0 {
			i++
			switch {
			case c <= 0x7F:
				out = append(out, rune(c))
			case 0xC2 <= c && c <= 0xDF:
				bytesNeeded = 1
				codePoint = rune(c & 0x1F)
			case 0xE0 <= c && c <= 0xEF:
				if c == 0xE0 {
					lower = 0xA0
				}
				if c == 0xED {
					upper = 0x9F
				}
				bytesNeeded = 2
				codePoint = rune(c & 0xF)
			case 0xF0 <= c && c <= 0xF4:
				if c == 0xF0 {
					lower = 0x90
				}
				if c == 0xF4 {
					upper = 0x8F
				}
				bytesNeeded = 3
				codePoint = rune(c & 0x7)
			default:
				out = append(out, '\uFFFD')
			}
			continue
		}
		if c < lower || c > upper {
			// An error; the byte is not consumed but read again as the
			// start of what follows.
			codePoint, bytesNeeded, bytesSeen = 0, 0, 0
			lower, upper = 0x80, 0xBF
			out = append(out, '\uFFFD')
			continue
		}
		i++
		lower, upper = 0x80, 0xBF
		codePoint = codePoint<<6 | rune(c&0x3F)
		bytesSeen++
		if bytesSeen == bytesNeeded {
			out = append(out, codePoint)
			codePoint, bytesNeeded, bytesSeen = 0, 0, 0
		}
	}
	if bytesNeeded != 0 {
		out = append(out, '\uFFFD') // end of queue inside a sequence
	}
	return out
}

// referenceParse parses a whole event parseInput as the WHATWG HTML standard's
// "Interpreting an event stream" section says, slowly and plainly: decode,
// split into lines, process each line's field, dispatch at blank lines.
// startID is the last event ID the parseInput starts with.
func referenceParse(input []byte, startID string) streamResult {
	text := whatwgDecode(input)

	// A line ends with CRLF, with a LF, or with a CR not followed by a LF.
	// What follows the last line ending is discarded at the end of the
	// stream.
	var lines []string
	start := 0
	for i := 0; i < len(text); i++ {
		switch text[i] {
		case '\n':
			lines = append(lines, string(text[start:i]))
			start = i + 1
		case '\r':
			lines = append(lines, string(text[start:i]))
			if i+1 < len(text) && text[i+1] == '\n' {
				i++
			}
			start = i + 1
		}
	}

	var (
		res             streamResult
		dataBuffer      string
		eventTypeBuffer string
		lastIDBuffer    = startID
		lastIDString    = startID
	)
	for _, line := range lines {
		if line == "" {
			// Dispatch the event.
			lastIDString = lastIDBuffer
			if dataBuffer == "" {
				dataBuffer, eventTypeBuffer = "", ""
				continue
			}
			data := strings.TrimSuffix(dataBuffer, "\n")
			typ := eventTypeBuffer
			if typ == "" {
				typ = "message"
			}
			res.Events = append(res.Events, Event{Type: typ, Data: data, ID: lastIDString})
			dataBuffer, eventTypeBuffer = "", ""
			continue
		}
		if line[0] == ':' {
			// A comment; the parser reports it less one leading space.
			res.Comments = append(res.Comments, strings.TrimPrefix(line[1:], " "))
			continue
		}
		field, value := line, ""
		if i := strings.IndexByte(line, ':'); i >= 0 {
			field, value = line[:i], strings.TrimPrefix(line[i+1:], " ")
		}
		switch field {
		case "event":
			eventTypeBuffer = value
		case "data":
			dataBuffer += value + "\n"
		case "id":
			if !strings.ContainsRune(value, 0) {
				lastIDBuffer = value
			}
		case "retry":
			if value != "" && strings.Trim(value, "0123456789") == "" {
				ms, _ := new(big.Int).SetString(value, 10)
				ns := ms.Mul(ms, big.NewInt(int64(time.Millisecond)))
				res.HasRetry = true
				if ns.IsInt64() {
					res.Retry = time.Duration(ns.Int64())
				} else {
					res.Retry = math.MaxInt64
				}
			}
		}
	}
	res.LastID = lastIDString
	return res
}

// splitReads cuts input into reads whose sizes come from sizes, cycling:
// each byte b gives a read of b+1 bytes. No sizes means one read.
func splitReads(input, sizes []byte) [][]byte {
	if len(sizes) == 0 {
		return [][]byte{input}
	}
	var chunks [][]byte
	for k := 0; len(input) > 0; k++ {
		n := min(int(sizes[k%len(sizes)])+1, len(input))
		chunks = append(chunks, input[:n])
		input = input[n:]
	}
	return chunks
}

// addVectorSeeds adds each conformance vector's input to f's corpus, with
// the other arguments that add gives.
func addVectorSeeds(f *testing.F, add func(input []byte)) {
	for _, v := range loadVectors(f) {
		in, _ := v.input(f)
		add(in)
	}
}

// maxFuzzInput is how much of a fuzzed stream the fuzz targets read; the
// rest is ignored. Longer inputs reach no branch that the small limits of
// FuzzParser and the short lines of the seeds do not, and Go's minimizer,
// which is quadratic in the input's length, would spend a whole run on a
// single long interesting input. Ignoring the tail lets it cut the tail
// off first.
const maxFuzzInput = 512

// handSeeds are streams written to reach the corners of the format.
var handSeeds = []string{
	"",
	"\r",
	"\r\n",
	"\n\r",
	"data\n\n",
	"data: x\r\rdata: y\r\n\r\n",
	"\xef\xbb\xbfdata: x\n\n",
	"\xef\xbb\xef\xbb\xbfdata: x\n\n",
	"id: 1\ndata: a\n\nid\n\nid: a\x00b\n\n",
	"retry: 10\nretry: 99999999999999999999\nretry: -1\n",
	": comment\n:  two\n::\n",
	"data: \xe2\x82\xf0\x9f\x98\xed\xa0\x80\xc0\x80\xf4\x90\x80\x80\n\n",
	"event: e\ndata: " + strings.Repeat("x", 300) + "\n\n",
	strings.Repeat("data: 0123456789\n", 40) + "\n",
	"data: " + strings.Repeat("\xff", 100) + "\n\n",
	strings.Repeat("\r", 200),
}

// FuzzParser checks that the parser never panics and that its memory stays
// within a small multiple of its limits, whatever the input and however it
// is split into reads, when stopping at an oversized event and when
// skipping it.
func FuzzParser(f *testing.F) {
	addVectorSeeds(f, func(in []byte) {
		f.Add(in, []byte{}, false)
		f.Add(in, []byte{0}, true)
	})
	for _, s := range handSeeds {
		f.Add([]byte(s), []byte{2, 0, 5}, false)
		f.Add([]byte(s), []byte{63}, true)
	}
	const maxLine, maxEvent = 64, 256
	f.Fuzz(func(t *testing.T, input, sizes []byte, skip bool) {
		input = input[:min(len(input), maxFuzzInput)]
		r := &chunkReader{chunks: splitReads(input, sizes)}
		p := NewParser(r)
		p.SetLimits(maxLine, maxEvent)
		checkBounds := func(when string) {
			t.Helper()
			for _, b := range []struct {
				name  string
				cap   int
				bound int
			}{
				{"read buffer", cap(p.buf), 2*(maxLine+1) + initialBufSize},
				{"scratch", cap(p.scratch), 3 * maxLine},
				{"data", cap(p.pending.data), 4*maxEvent + 64},
				{"long line", cap(p.long.joined), maxLine},
				{"type", cap(p.pending.typ), 2*maxEvent + 64},
				{"id buffer", cap(p.pending.id), maxEvent},
				{"last event ID", cap(p.lastID), maxEvent},
			} {
				if b.cap > b.bound {
					t.Fatalf("%s: the %s has capacity %d, over its bound %d", when, b.name, b.cap, b.bound)
				}
			}
		}
		if skip {
			p.SkipOversized(func(err error) {
				var le *LimitError
				if !errors.As(err, &le) || (le.Limit != maxLine && le.Limit != maxEvent) {
					t.Errorf("skip report %v is not a *LimitError with one of the limits", err)
				}
				checkBounds("at a skip report")
			})
		}
		p.OnComment(func(text []byte) {
			if !utf8.Valid(text) || bytes.ContainsAny(text, "\r\n") || len(text) > 3*maxLine {
				t.Errorf("bad comment %q", text)
			}
			checkBounds("at a comment")
		})
		for p.Next() {
			ev := p.Event()
			switch {
			case len(ev.Data)+len(ev.ID)+len(ev.Type) > maxEvent+len("message"):
				t.Errorf("event %+q holds more than the limit of %d", ev, maxEvent)
			case ev.Type == "" || !utf8.ValidString(ev.Type) || !utf8.ValidString(ev.Data) || !utf8.ValidString(ev.ID):
				t.Errorf("bad event %+q", ev)
			case strings.ContainsAny(ev.Type+ev.Data+ev.ID, "\r") || strings.ContainsAny(ev.Type+ev.ID, "\n") || strings.Contains(ev.ID, "\x00"):
				t.Errorf("event with a forbidden character %+q", ev)
			}
			checkBounds("after an event")
		}
		checkBounds("at the end")
		err := p.Err()
		var le *LimitError
		switch {
		case skip && err != nil:
			t.Errorf("Err() = %v while skipping oversized events", err)
		case err != nil && !errors.As(err, &le):
			t.Errorf("Err() = %v, want nil or a *LimitError", err)
		case err != nil && le.Limit != maxLine && le.Limit != maxEvent:
			t.Errorf("Err() = %v names neither limit", err)
		}
	})
}

// FuzzDifferential checks that the parser, fed through any split of the
// input into reads, agrees with referenceParse on every event, comment, the
// last event ID and the reconnection time.
func FuzzDifferential(f *testing.F) {
	addVectorSeeds(f, func(in []byte) {
		f.Add(in, []byte{}, "")
		f.Add(in, []byte{0}, "")
		f.Add(in, []byte{2, 0, 7, 1}, "seed")
	})
	for _, s := range handSeeds {
		f.Add([]byte(s), []byte{0, 1, 2}, "")
		f.Add([]byte(s), []byte{4}, "start")
	}
	f.Fuzz(func(t *testing.T, input, sizes []byte, startID string) {
		input = input[:min(len(input), maxFuzzInput)]
		want := referenceParse(input, startID)
		s := parseInput{setup: func(p *Parser) { p.SetLastEventID(startID) }}
		got := runParser(t, &chunkReader{chunks: splitReads(input, sizes)}, s, false)
		if diff := cmp.Diff(want, got, resultOpts); diff != "" {
			t.Errorf("parser and reference disagree on %q in reads of %v (-reference +parser):\n%s", input, sizes, diff)
		}
	})
}

// roundTripPieces are the strings FuzzRoundTrip builds events from, besides
// the fuzzed text: the characters the format treats specially.
var roundTripPieces = []string{
	"", " ", "  ", ":", " : ", "message", "data", "id", "\n", "\n\n", "a\nb", "\r", "\r\n",
	"\x00", "é", "€豆", "🧹", "\uFEFF", "\xff", "\xe2\x82", " lead", "trail ", "x",
}

// FuzzRoundTrip checks that the parser reads back what an Encoder writes:
// every event, comment and reconnection time that the Encoder accepts,
// and that the Encoder refuses only what the format cannot carry.
func FuzzRoundTrip(f *testing.F) {
	addVectorSeeds(f, func(in []byte) {
		f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, string(in))
	})
	f.Add([]byte{}, "")
	f.Add([]byte{0, 0, 0, 0}, "hello")
	f.Add([]byte{1, 7, 24, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13}, "x\ny")
	f.Add([]byte{3, 24, 24, 24, 2, 200, 30, 0, 4, 9, 1, 0}, "a\r\nb\rc")
	f.Add([]byte{5, 0, 0, 1, 0, 9, 9, 9, 1, 5, 5, 5, 4, 3, 0, 0}, " :é")
	f.Fuzz(func(t *testing.T, script []byte, text string) {
		script = script[:min(len(script), maxFuzzInput/4)]
		text = text[:min(len(text), maxFuzzInput/2)]
		pieces := append([]string{text, text + "\n" + text}, roundTripPieces...)
		if n := len(text) / 2; n > 0 {
			pieces = append(pieces, text[:n], text[n:])
		}
		piece := func(b byte) string { return pieces[int(b)%len(pieces)] }

		var wire bytes.Buffer
		enc := NewEncoder(&wire)
		strict := len(text)%2 == 0
		enc.SetStrictIDs(strict)
		var want streamResult
		for ; len(script) >= 4; script = script[4:] {
			op, a, b, c := script[0], script[1], script[2], script[3]
			before := wire.Len()
			var err error
			var ok bool // whether the format can carry the operation
			switch op % 4 {
			case 0, 1: // an event
				ev := Event{Type: piece(a), Data: piece(b), ID: piece(c)}
				if op%4 == 1 {
					ev.ID = want.LastID // the ID in force: no id field
				}
				err = enc.Encode(ev)
				ok = !strings.ContainsAny(ev.Type, "\r\n") && !strings.ContainsAny(ev.ID, "\r\n\x00") &&
					!strings.Contains(ev.Data, "\r") &&
					utf8.ValidString(ev.Type) && utf8.ValidString(ev.ID) && utf8.ValidString(ev.Data) &&
					(!strict || ev.ID == want.LastID || CheckEventID(ev.ID) == nil)
				if ok {
					if ev.Type == "" {
						ev.Type = "message"
					}
					want.Events = append(want.Events, ev)
					want.LastID = ev.ID
				}
			case 2: // a comment
				text := piece(a) + piece(b)
				err = enc.Comment(text)
				ok = utf8.ValidString(text)
				if ok {
					text = strings.ReplaceAll(text, "\r\n", "\n")
					text = strings.ReplaceAll(text, "\r", "\n")
					want.Comments = append(want.Comments, strings.Split(text, "\n")...)
				}
			case 3: // a reconnection time
				d := time.Duration(int8(a)) * time.Duration(b) << (c % 48)
				err = enc.Retry(d)
				ok = d >= 0
				if ok {
					want.Retry, want.HasRetry = d/time.Millisecond*time.Millisecond, true
				}
			}
			switch {
			case ok && err != nil:
				t.Fatalf("operation %v: unexpected error %v", script[:4], err)
			case !ok && !errors.Is(err, ErrUnencodable):
				t.Fatalf("operation %v: error %v, want one wrapping ErrUnencodable", script[:4], err)
			case !ok && wire.Len() != before:
				t.Fatalf("operation %v: failed but wrote %q", script[:4], wire.Bytes()[before:])
			}
		}
		for _, r := range []io.Reader{bytes.NewReader(wire.Bytes()), iotest.OneByteReader(bytes.NewReader(wire.Bytes()))} {
			if diff := cmp.Diff(want, runParser(t, r, parseInput{}, false), resultOpts); diff != "" {
				t.Fatalf("the parser read back something else from %q (-encoded +parsed):\n%s", wire.Bytes(), diff)
			}
		}
	})
}
