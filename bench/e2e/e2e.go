// Package e2e measures Go SSE clients end to end: over a real loopback
// connection, each in a process of its own, so that what one client
// allocates or leaves running cannot weigh on the next, and so that the
// CPU time and memory measured are the client's alone, the server
// running in another process.
//
// Two measurements are made. [Throughput] streams a corpus as fast as the
// server can write it, flushing after every few events, and times each
// client reading it to its final "[DONE]" event: wall time, CPU time (user
// and system, of the client's process) and allocations. [Idle] holds many
// streams open on which the server sends one comment and then nothing, and
// measures the heap and goroutine stacks that each one keeps.
//
// Each client has an adapter in a file of its own; the floor is a bare
// net/http body read with no parsing at all.
//
// The parent process runs the server and starts the clients by running
// its own executable again with an environment variable, [ChildEnv], that
// names the client and the measurement; such a process must call
// [RunChild] before anything else and exit with its result.
package e2e

import (
	"context"
	"net/http"
	"slices"
	"strings"
)

// Kind tells the floor, this module's client and the peers apart.
type Kind int

const (
	// Floor is a bare net/http body read: the least a client can cost.
	Floor Kind = iota
	// Ours is github.com/ssekit/sse.
	Ours
	// Peer is another library.
	Peer
)

// Count is what a client read from a stream: the events it dispatched
// and the bytes of their data, or, for the floor, only the bytes of the
// body.
type Count struct {
	Events    int   `json:"events"`
	DataBytes int64 `json:"dataBytes"`
}

// done is the data of the event that ends the stream, as in OpenAI's
// chat-completion streams.
const done = "[DONE]"

// Client is one way of consuming an event stream over HTTP.
type Client struct {
	// Name is how tables show it.
	Name string
	// Module is the Go module that does the work, empty for the floor.
	Module string
	Kind   Kind
	// Typed is true for a client that decodes each event into a struct
	// (see [Typed]): its Count's DataBytes are of the chunks' content.
	Typed bool
	// Stream reads the event stream at url, with hc, to the event whose
	// data is [DONE] (the floor: to the end of the body), stops the
	// client there, although every peer would reconnect, and returns
	// what it read.
	Stream func(ctx context.Context, hc *http.Client, url string) (Count, error)
	// Hold makes what many streams of the client share, such as a
	// library's client value, and returns a function that opens the event
	// stream at url, with hc, and keeps reading it until ctx is done. That
	// function runs on a goroutine of its own for each stream, as an
	// application would run it. A typed client has none.
	Hold func(hc *http.Client, url string) func(ctx context.Context) error
}

// All returns the floor, this module's Parser on a plain response body,
// its Client through both of its APIs, and every peer, in the order tables
// show them.
func All() []Client {
	return []Client{
		NetHTTP(),
		SSEKitParser(),
		SSEKitRaw(),
		SSEKitEvent(),
		OpenAI(),
		GoSSE(),
		LaunchDarkly(),
		R3Labs(),
	}
}

// Select keeps the floor and the clients whose name holds one of the
// comma-separated substrings in filter; an empty filter keeps all.
func Select(cs []Client, filter string) []Client {
	if filter == "" {
		return cs
	}
	return slices.DeleteFunc(cs, func(c Client) bool {
		if c.Kind == Floor {
			return false
		}
		for _, f := range strings.Split(filter, ",") {
			if f = strings.TrimSpace(f); f != "" && strings.Contains(c.Name, f) {
				return false
			}
		}
		return true
	})
}

// byName returns the client named name.
func byName(name string) (Client, bool) {
	for _, c := range append(All(), Typed()...) {
		if c.Name == name {
			return c, true
		}
	}
	return Client{}, false
}
