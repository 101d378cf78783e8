// Package corpus builds the event streams that the benchmarks parse: each
// generator is deterministic, so every run and every parser sees the same
// bytes, and returns with the bytes a [Tally] of what it wrote, so that a
// benchmark can check that a parser read back exactly that.
//
// The corpora model real traffic: [LLM] is an OpenAI chat-completion
// stream, [Anthropic] a Messages API stream with named events and pings,
// [Big] carries 64 KiB events over many data lines, [Feed] is a CRLF news
// feed with IDs and keep-alive comments, [Tiny] is the smallest possible
// event, and [Line] is one event on a single very long line. [Reader]
// delivers a corpus a few bytes per Read, as a network connection does.
package corpus

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"maps"
	"slices"
	"strings"
)

// Corpus is a generated event stream and what a parser must find in it.
type Corpus struct {
	// Name is a short name for tables: "llm", "anthropic", "big", "feed",
	// "tiny" or "line".
	Name string
	// Data is the stream, in the event stream format.
	Data []byte
	// Want is the tally of the events a conforming parser dispatches.
	Want Tally
}

// Tally sums up a sequence of dispatched events: their number, their data
// size, how many of each type, how many carried an ID, and a digest of all
// of it in order. Two parsers that dispatch the same events have equal
// tallies. The zero Tally is empty and ready to use.
type Tally struct {
	// Events is the number of events.
	Events int
	// DataBytes is the sum of the lengths of the events' data.
	DataBytes int64
	// Types counts the events of each type.
	Types map[string]int
	// IDs counts the events that had a non-empty last event ID.
	IDs int
	// LastID is the ID of the last event.
	LastID string
	// Digest is a checksum of every event's type, data and ID, in order.
	Digest uint32
}

// Add counts one event. An empty typ counts as "message", the type the
// standard gives an event without an "event" field, so that a parser
// that reports the default type as "" tallies the same.
func (t *Tally) Add(typ, data, id []byte) {
	if len(typ) == 0 {
		typ = []byte("message")
	}
	t.Events++
	t.DataBytes += int64(len(data))
	if t.Types == nil {
		t.Types = make(map[string]int)
	}
	t.Types[string(typ)]++
	if len(id) > 0 {
		t.IDs++
	}
	if string(id) != t.LastID {
		t.LastID = string(id)
	}
	tab := crc32.MakeTable(crc32.Castagnoli)
	for _, field := range [][]byte{typ, data, id} {
		var n [4]byte
		binary.LittleEndian.PutUint32(n[:], uint32(len(field)))
		t.Digest = crc32.Update(t.Digest, tab, n[:])
		t.Digest = crc32.Update(t.Digest, tab, field)
	}
}

// AddString is [Tally.Add] for string fields.
func (t *Tally) AddString(typ, data, id string) {
	t.Add([]byte(typ), []byte(data), []byte(id))
}

// Equal reports whether t and u sum up the same events.
func (t Tally) Equal(u Tally) bool {
	return t.Events == u.Events && t.DataBytes == u.DataBytes &&
		maps.Equal(t.Types, u.Types) && t.IDs == u.IDs &&
		t.LastID == u.LastID && t.Digest == u.Digest
}

// Diff describes how got differs from the tally t that was wanted, in a
// few words for a table cell, or returns "" when they are equal.
func (t Tally) Diff(got Tally) string {
	var d []string
	if got.Events != t.Events {
		d = append(d, fmt.Sprintf("%d events, want %d", got.Events, t.Events))
	}
	if got.DataBytes != t.DataBytes {
		d = append(d, fmt.Sprintf("%d data bytes, want %d", got.DataBytes, t.DataBytes))
	}
	if !maps.Equal(got.Types, t.Types) {
		d = append(d, fmt.Sprintf("types %s, want %s", formatTypes(got.Types), formatTypes(t.Types)))
	}
	if got.IDs != t.IDs {
		d = append(d, fmt.Sprintf("%d events with an ID, want %d", got.IDs, t.IDs))
	}
	if got.LastID != t.LastID {
		d = append(d, fmt.Sprintf("last ID %q, want %q", got.LastID, t.LastID))
	}
	if len(d) == 0 && got.Digest != t.Digest {
		d = append(d, "same counts but different content")
	}
	return strings.Join(d, "; ")
}

// formatTypes writes a type count map in a stable order.
func formatTypes(m map[string]int) string {
	keys := slices.Sorted(maps.Keys(m))
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s:%d", k, m[k])
	}
	return "{" + strings.Join(parts, " ") + "}"
}

// rng is a small deterministic pseudo-random generator (SplitMix64), so
// that a corpus does not depend on the standard library's generators.
type rng struct{ s uint64 }

// next returns the next number of the sequence.
func (r *rng) next() uint64 {
	r.s += 0x9E3779B97F4A7C15
	z := r.s
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	return z ^ (z >> 31)
}

// intn returns a number in [0, n).
func (r *rng) intn(n int) int {
	return int(r.next() % uint64(n))
}
