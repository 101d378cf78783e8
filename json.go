package sse

import (
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"slices"
)

// ErrTruncated is wrapped by the error that [DecodeJSON] yields last when
// the stream ends cleanly before the event that marks the end of the
// answer ([JSONOptions].Done) arrived. It wraps [io.ErrUnexpectedEOF] too.
//
// Only the application protocol can tell a finished stream from a cut
// one: a proxy whose read timeout ends a response, or a server that closes
// a response early, ends it as cleanly as a finished one. Set Done, so
// that an LLM answer cut in half is an error rather than a short answer.
var ErrTruncated = fmt.Errorf("sse: stream truncated: %w", io.ErrUnexpectedEOF)

// JSONOptions says which events [DecodeJSON] decodes and when it stops.
// The zero value decodes the data of every event except "error" events,
// which become [*EventError]s.
type JSONOptions struct {
	// Done is a data value that ends the stream cleanly, such as the
	// "[DONE]" that OpenAI's API sends last. When it is set, a stream that
	// ends without it yields an error that wraps [ErrTruncated]. Empty
	// means none: the stream's own end ends the iteration.
	Done string
	// Types, if not empty, lists the only event types to decode; events of
	// other types are passed over.
	Types []string
	// Skip lists event types to pass over, such as Anthropic's "ping".
	Skip []string
	// ErrorType is the event type that carries an error from the server.
	// Empty means "error"; "-" means none.
	ErrorType string
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
	return fmt.Sprintf("sse: the server sent an error in a %q event: %s", e.Event.Type, data)
}

// DecodeJSON returns an iterator that decodes the data of each event from
// events as JSON into a new T. Iteration ends at the first error of events,
// which is yielded last, or cleanly at an event whose data is opts.Done.
// When opts.Done is set and events end without it, the last pair is a zero
// T and an error that wraps [ErrTruncated].
// An event that fails to decode yields a zero T and an error that names
// the event's type; an error event yields a zero T and an [*EventError].
// Iteration goes on after both; break out of the loop to stop, which also
// closes a [Stream] iterated through [Stream.All].
//
//	chunks := sse.DecodeJSON[Chunk](stream.All(), sse.JSONOptions{Done: "[DONE]"})
//	for chunk, err := range chunks {
//		if err != nil {
//			return err
//		}
//		fmt.Print(chunk.Choices[0].Delta.Content)
//	}
func DecodeJSON[T any](events iter.Seq2[Event, error], opts JSONOptions) iter.Seq2[T, error] {
	errType := opts.ErrorType
	if errType == "" {
		errType = "error"
	}
	return func(yield func(T, error) bool) {
		n := 0 // events seen
		for ev, err := range events {
			n++
			var v T
			switch {
			case err != nil:
				yield(v, err)
				return
			case opts.Done != "" && ev.Data == opts.Done:
				return
			case ev.Type == errType:
				if !yield(v, &EventError{Event: ev}) {
					return
				}
				continue
			case len(opts.Types) > 0 && !slices.Contains(opts.Types, ev.Type),
				slices.Contains(opts.Skip, ev.Type):
				continue
			}
			if err := json.Unmarshal([]byte(ev.Data), &v); err != nil {
				err = fmt.Errorf("sse: decoding the data of a %q event (ID %q) as JSON: %w", ev.Type, ev.ID, err)
				if !yield(v, err) {
					return
				}
				continue
			}
			if !yield(v, nil) {
				return
			}
		}
		if opts.Done != "" {
			var v T
			yield(v, truncated(n, fmt.Sprintf("data %q", opts.Done)))
		}
	}
}

// truncated returns the error of a stream that ended cleanly after n
// events, before the end marker that want describes arrived.
func truncated(n int, want string) error {
	return fmt.Errorf("%w: the stream ended after %d events without the %s that ends it, so the answer is incomplete (the server or a proxy cut it); send the request again", ErrTruncated, n, want)
}
