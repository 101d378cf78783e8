package sse

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"os"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp/cmpopts"
)

// vector is one case of testdata/vectors.json, the conformance vectors.
type vector struct {
	Name     string `json:"name"`
	Source   string `json:"source"`
	Input    string `json:"input"`
	InputHex string `json:"input_hex"` // authoritative
	Events   []struct {
		Type string `json:"type"`
		Data string `json:"data"`
		ID   string `json:"id"`
	} `json:"events"`
	RetryMs     *int64   `json:"retry_ms"` // nil: no valid retry field
	LastEventID *string  `json:"last_event_id"`
	Chunks      []string `json:"chunks"` // for reading; chunks_hex is authoritative
	ChunksHex   []string `json:"chunks_hex"`
	Note        string   `json:"note"`
}

// loadVectors reads the conformance vectors, refusing a file with a field
// that vector does not know; input and want decode and check each one.
func loadVectors(tb testing.TB) []vector {
	tb.Helper()
	b, err := os.ReadFile("testdata/vectors.json")
	if err != nil {
		tb.Fatal(err)
	}
	var vs []vector
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&vs); err != nil {
		tb.Fatalf("testdata/vectors.json: %v", err)
	}
	return vs
}

// input returns the vector's input bytes and its read boundaries, if it
// has any, decoded from input_hex and chunks_hex and checked against
// input and each other.
func (v vector) input(tb testing.TB) ([]byte, [][]byte) {
	tb.Helper()
	in, err := hex.DecodeString(v.InputHex)
	if err != nil {
		tb.Fatalf("%s: input_hex: %v", v.Name, err)
	}
	if utf8.Valid(in) && string(in) != v.Input {
		tb.Fatalf("%s: input_hex is valid UTF-8 but differs from input", v.Name)
	}
	var chunks [][]byte
	for i, h := range v.ChunksHex {
		c, err := hex.DecodeString(h)
		if err != nil {
			tb.Fatalf("%s: chunks_hex[%d]: %v", v.Name, i, err)
		}
		chunks = append(chunks, c)
	}
	if chunks != nil && !bytes.Equal(bytes.Join(chunks, nil), in) {
		tb.Fatalf("%s: chunks_hex do not add up to input_hex", v.Name)
	}
	return in, chunks
}

// want returns the result the vector expects.
func (v vector) want(tb testing.TB) streamResult {
	tb.Helper()
	if v.LastEventID == nil {
		tb.Fatalf("%s: no last_event_id", v.Name)
	}
	want := streamResult{LastID: *v.LastEventID}
	for _, e := range v.Events {
		want.Events = append(want.Events, Event{Type: e.Type, Data: e.Data, ID: e.ID})
	}
	if v.RetryMs != nil {
		want.HasRetry = true
		want.Retry = time.Duration(*v.RetryMs) * time.Millisecond
	}
	return want
}

func TestConformance(t *testing.T) {
	vs := loadVectors(t)
	if len(vs) < 99 {
		t.Fatalf("testdata/vectors.json holds %d vectors, want at least 99", len(vs))
	}
	names := make(map[string]bool)
	for _, v := range vs {
		if names[v.Name] {
			t.Fatalf("two vectors named %q", v.Name)
		}
		names[v.Name] = true
		t.Run(v.Name, func(t *testing.T) {
			in, chunks := v.input(t)
			s := parseInput{input: string(in)}
			if chunks != nil {
				s.chunks = [][][]byte{chunks}
			}
			want := v.want(t)
			checkDeliveries(t, s, want, cmpopts.IgnoreFields(streamResult{}, "Comments"))
			if t.Failed() && v.Note != "" {
				t.Logf("note: %s", v.Note)
			}
		})
	}
}
