// Package parsers adapts each Go SSE library under comparison, and the
// floors that bound what any of them can do, to one shape: a function that
// reads an event stream from an io.Reader to its end and reports what it
// found, so that one harness can time and check them all.
//
// Each library has its own file. An adapter calls the library the way its
// documentation shows for reading a stream, and maps the library's
// representation of an event to the standard's, so that a correct parse
// tallies the same as the generator: an event without an "event" field has
// the type "message" (several libraries report ""), and the ID of an event
// is the last event ID in force when it was dispatched. Whatever else the
// library returns is counted as it is: an empty event for a block without
// data, a missing ID, an error.
package parsers

import (
	"io"

	"github.com/ssekit/sse/internal/corpus"
)

// Kind tells a floor from a parser.
type Kind int

// The kinds of Parser.
const (
	// Floor is a lower bound: it reads or splits the bytes and does no
	// other work.
	Floor Kind = iota
	// Ours is github.com/ssekit/sse.
	Ours
	// Peer is another library.
	Peer
	// Bound is a minimal parser written for the benchmark: the least that
	// a parser doing some of the work (making strings) can cost. It is
	// checked like a parser, and always runs, like a floor.
	Bound
)

// Result is what a Parse found.
type Result struct {
	Events    int   // events dispatched; lines, for a floor that splits lines
	DataBytes int64 // their data; bytes read, for a floor
}

// Parser is one way of reading an event stream.
type Parser struct {
	// Name is how tables show it.
	Name string
	// Module is the Go module that does the work, empty for a floor.
	Module string
	Kind   Kind
	// HasLimit is true when the library has a size limit that the
	// limit argument of the adapter's constructor sets.
	HasLimit bool
	// Parse reads r to its end. When t is not nil it adds every event to
	// t; timed runs pass nil so that only the library's own work counts.
	Parse func(r io.Reader, t *corpus.Tally) (Result, error)
}

// All returns the floors, the string floor, this module's parser through both of its APIs,
// and every peer, in the order tables show them. limit is the largest
// event or line, in bytes, that a library with a configurable limit is
// told to accept; zero leaves every library at its default.
func All(limit int) []Parser {
	return []Parser{
		Copy(),
		IndexByte(),
		ReadSlice(),
		Strings(),
		SSEKitRaw(limit),
		SSEKitEvent(limit),
		OpenAI(),
		GoSSE(limit),
		LaunchDarkly(),
		R3Labs(limit),
	}
}
