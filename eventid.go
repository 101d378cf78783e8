package sse

import (
	"errors"
	"fmt"
	"unicode/utf8"
)

// MaxEventIDSize is the longest event ID, in bytes, that [CheckEventID]
// accepts: 4 KiB. An ID travels back to the server in the Last-Event-ID
// header of every reconnect, and a header line that a server or proxy
// refuses (nginx allows 8 KiB per header line by default, Node.js 16 KiB
// for all of a request's headers) ends the stream with a 431 that no retry
// mends. 4 KiB fits both with room for the request's other headers.
const MaxEventIDSize = 4 << 10

// ErrInvalidLastEventID is wrapped by the errors of [CheckEventID]: an
// event ID that a Last-Event-ID header cannot carry back unchanged. A
// [Stream] whose last event ID is such an ID ends with it when it must
// send the ID (see [Client.Connect]); an [Encoder] refuses to write one.
var ErrInvalidLastEventID = errors.New("sse: the last event ID cannot be sent")

// CheckEventID returns nil when id can make the whole trip of an event ID:
// from a server's "id" field to a reader, and back to the server unchanged
// in the Last-Event-ID header of a reconnect. The empty ID is valid: it
// means that no header is sent.
//
// Otherwise it returns an error wrapping [ErrInvalidLastEventID] that says
// why:
//   - a control character other than tab (such as NUL, CR, LF or 0x01),
//     which a header cannot carry; Chromium's EventSource, given one, never
//     reconnects at all;
//   - a space or tab at the start or the end, which HTTP trims from a
//     header value, so that the server gets another ID back and replays
//     events the reader already has;
//   - more than [MaxEventIDSize] bytes;
//   - invalid UTF-8, which a reader decodes with U+FFFD replacement, so
//     that it never holds the ID the server wrote.
//
// A [Client] checks the last event ID in this way before each request (see
// [Client.Connect]), and an [Encoder] refuses to write an ID that fails
// (see [Encoder.SetStrictIDs]). A server can use it on the IDs it makes;
// a reader of a [Parser] can use it on [Parser.LastEventID].
func CheckEventID(id string) error {
	if reason := eventIDProblem(id); reason != "" {
		return fmt.Errorf("%w: %s", ErrInvalidLastEventID, reason)
	}
	return nil
}

// eventIDProblem says what keeps id from travelling back in a header, or
// returns "" when nothing does.
func eventIDProblem(id string) string {
	if len(id) > MaxEventIDSize {
		return fmt.Sprintf("the event ID is %d bytes long, over MaxEventIDSize (%d), and a server may refuse a header that long", len(id), MaxEventIDSize)
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; (c < ' ' && c != '\t') || c == 0x7f {
			return fmt.Sprintf("the event ID %s has a control character (0x%02x) at byte %d, which a header cannot carry", quoteID(id), c, i)
		}
	}
	if id != "" {
		if c := id[0]; c == ' ' || c == '\t' {
			return fmt.Sprintf("the event ID %s starts with a space or tab, which HTTP trims from the header", quoteID(id))
		}
		if c := id[len(id)-1]; c == ' ' || c == '\t' {
			return fmt.Sprintf("the event ID %s ends with a space or tab, which HTTP trims from the header", quoteID(id))
		}
	}
	if !utf8.ValidString(id) {
		return fmt.Sprintf("the event ID %s is not valid UTF-8, which a reader replaces with U+FFFD", quoteID(id))
	}
	return ""
}

// quoteID quotes id for an error message, cut short if it is long.
func quoteID(id string) string {
	const shown = 64
	if len(id) <= shown {
		return fmt.Sprintf("%q", id)
	}
	return fmt.Sprintf("%q…", id[:shown])
}
