package sse

import (
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"slices"
	"strings"
)

// ErrTruncated is wrapped by the error that [DecodeJSON] and
// [DecodeJSONEvents] yield last when the stream ends cleanly before the
// event that marks the end of the answer ([JSONOptions].Done or one of
// [JSONOptions].Stop) arrived. It wraps [io.ErrUnexpectedEOF] too.
//
// Only the application protocol can tell a finished stream from a cut
// one: a proxy whose read timeout ends a response, or a server that closes
// a response early, ends it as cleanly as a finished one. Set Done or
// Stop, so that an LLM answer cut in half is an error rather than a short
// answer. A [Stream] user stepping through events checks the same way:
// the answer is whole only if its last event was the marker.
var ErrTruncated = fmt.Errorf("sse: stream truncated: %w", io.ErrUnexpectedEOF)

// JSONOptions says which events [DecodeJSON] and [DecodeJSONEvents]
// decode and when they stop. The zero value decodes the data of every
// event except "error" events, which become [*EventError]s, and events
// with empty data, which are passed over; the iteration ends with the
// stream.
type JSONOptions struct {
	// Done is a data value that ends the stream cleanly, such as the
	// "[DONE]" that OpenAI's chat completions API sends last; the event
	// that carries it is not decoded. Empty means none.
	Done string
	// Stop lists event types that end the answer, such as Anthropic's
	// "message_stop" or OpenAI Responses' "response.completed": such an
	// event is decoded and yielded, and then the iteration ends cleanly,
	// without waiting for the stream to end. It counts even if Types does
	// not list it.
	//
	// When Done or Stop is set, a stream that ends before a marker yields
	// a last error that wraps [ErrTruncated].
	Stop []string
	// Types, if not empty, lists the only event types to decode; events of
	// other types are passed over.
	Types []string
	// Skip lists event types to pass over, such as Anthropic's "ping".
	Skip []string
	// ErrorType is the event type that carries an error from the server.
	// Empty means "error"; "-" means none.
	ErrorType string
	// KeepEmpty yields events with empty data, such as the event with
	// only an ID with which an MCP server primes a stream, as a zero value
	// and a nil error, instead of passing over them: use it with
	// [DecodeJSONEvents] to see their IDs. Empty data is not JSON, so by
	// default such events are passed over.
	KeepEmpty bool
}

// JSONEvent is a value that [DecodeJSONEvents] decoded, with the type and
// ID of the event whose data it was.
type JSONEvent[T any] struct {
	Type  string // the event's type: "message" unless the server named one
	ID    string // the last event ID when the event arrived
	Value T      // the event's data, decoded
}

// EventError reports an event in which the server sent an error, such as
// Anthropic's "event: error". The raw event is kept, so that its data can
// be decoded into the API's own error type.
type EventError struct {
	Event Event
}

func (e *EventError) Error() string {
	data := e.Event.Data
	if len(data) > 512 {
		data = data[:512] + "…"
	}
	return fmt.Sprintf("sse: the server sent an error (event type %q): %s", e.Event.Type, data)
}

// DecodeJSON returns an iterator that decodes the data of each event from
// events as JSON into a new T. Iteration ends at the first error of events,
// which is yielded last; cleanly at an event whose data is opts.Done, or
// after an event whose type opts.Stop lists; and, when opts.Done or
// opts.Stop is set and events end before a marker, with a zero T and an
// error that wraps [ErrTruncated]. An event that fails to decode yields a
// zero T and an error that names the event's type; an error event yields
// a zero T and an [*EventError]. Iteration goes on after both; break out
// of the loop to stop, which also closes a [Stream] iterated through
// [Stream.All]. Use [DecodeJSONEvents] to get each value with its event's
// type and ID.
//
//	chunks := sse.DecodeJSON[Chunk](stream.All(), sse.JSONOptions{Done: "[DONE]"})
//	for chunk, err := range chunks {
//		if err != nil {
//			return err
//		}
//		fmt.Print(chunk.Choices[0].Delta.Content)
//	}
func DecodeJSON[T any](events iter.Seq2[Event, error], opts JSONOptions) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		for ev, err := range DecodeJSONEvents[T](events, opts) {
			if !yield(ev.Value, err) {
				return
			}
		}
	}
}

// DecodeJSONEvents is [DecodeJSON] that yields each value with the type
// and ID of its event, for code that dispatches on named events, such as
// Anthropic's or OpenAI Responses', without decoding a type field again.
// With an error, the type and ID are those of the event that caused it,
// if any.
func DecodeJSONEvents[T any](events iter.Seq2[Event, error], opts JSONOptions) iter.Seq2[JSONEvent[T], error] {
	errType := opts.ErrorType
	if errType == "" {
		errType = "error"
	}
	return func(yield func(JSONEvent[T], error) bool) {
		n := 0 // events seen
		for ev, err := range events {
			if err != nil {
				yield(JSONEvent[T]{}, err)
				return
			}
			n++
			out := JSONEvent[T]{Type: ev.Type, ID: ev.ID}
			stop := slices.Contains(opts.Stop, ev.Type)
			switch {
			case opts.Done != "" && ev.Data == opts.Done:
				return
			case ev.Type == errType:
				if !yield(out, &EventError{Event: ev}) {
					return
				}
				continue
			case !stop && (len(opts.Types) > 0 && !slices.Contains(opts.Types, ev.Type) ||
				slices.Contains(opts.Skip, ev.Type)):
				continue
			case ev.Data == "":
				if stop || (opts.KeepEmpty && !yield(out, nil)) {
					return
				}
				continue
			}
			if err := json.Unmarshal([]byte(ev.Data), &out.Value); err != nil {
				err = fmt.Errorf("sse: decoding the data of a %q event (ID %q) as JSON: %w", ev.Type, ev.ID, err)
				if !yield(JSONEvent[T]{Type: ev.Type, ID: ev.ID}, err) || stop {
					return
				}
				continue
			}
			if !yield(out, nil) || stop {
				return
			}
		}
		if marker := endMarker(opts); marker != "" {
			yield(JSONEvent[T]{}, truncated(n, marker))
		}
	}
}

// endMarker describes what ends an answer under opts, or returns "" if
// nothing does but the stream's end.
func endMarker(opts JSONOptions) string {
	var parts []string
	if opts.Done != "" {
		parts = append(parts, fmt.Sprintf("the data %q", opts.Done))
	}
	if len(opts.Stop) > 0 {
		types := make([]string, len(opts.Stop))
		for i, t := range opts.Stop {
			types[i] = fmt.Sprintf("%q", t)
		}
		parts = append(parts, "an event of type "+strings.Join(types, " or "))
	}
	return strings.Join(parts, " or ")
}

// truncated returns the error of a stream that ended cleanly after n
// events, before the end marker that marker describes arrived.
func truncated(n int, marker string) error {
	events := "events"
	if n == 1 {
		events = "event"
	}
	return fmt.Errorf("%w: the stream ended after %d %s without %s, which ends the answer, so the answer is incomplete (the server or a proxy cut it); send the request again", ErrTruncated, n, events, marker)
}
