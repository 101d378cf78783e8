package sse

import (
	"errors"
	"io"
	"iter"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"
)

type chunk struct {
	Type  string `json:"type"`
	Delta string `json:"delta"`
}

// decoded is one pair yielded by DecodeJSON, for comparison.
type decoded struct {
	Chunk chunk
	Err   string
}

func decodeAll(events iter.Seq2[Event, error], opts JSONOptions) []decoded {
	var out []decoded
	for v, err := range DecodeJSON[chunk](events, opts) {
		d := decoded{Chunk: v}
		if err != nil {
			d.Err = err.Error()
		}
		out = append(out, d)
	}
	return out
}

func TestDecodeJSON(t *testing.T) {
	tests := []struct {
		name   string
		stream string
		opts   JSONOptions
		want   []decoded
	}{
		{
			name:   "OpenAI chunks end at [DONE]",
			stream: "data: {\"delta\":\"Hel\"}\n\ndata: {\"delta\":\"lo\"}\n\ndata: [DONE]\n\ndata: {\"delta\":\"never\"}\n\n",
			opts:   JSONOptions{Done: "[DONE]"},
			want:   []decoded{{Chunk: chunk{Delta: "Hel"}}, {Chunk: chunk{Delta: "lo"}}},
		},
		{
			name: "Anthropic named events skip ping",
			stream: "event: message_start\ndata: {\"type\":\"message_start\"}\n\n" +
				"event: ping\ndata: {\"type\": \"ping\"}\n\n" +
				"event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"delta\":\"Hi\"}\n\n",
			opts: JSONOptions{Skip: []string{"ping"}},
			want: []decoded{{Chunk: chunk{Type: "message_start"}}, {Chunk: chunk{Type: "content_block_delta", Delta: "Hi"}}},
		},
		{
			name:   "only the listed types",
			stream: "event: a\ndata: {\"delta\":\"1\"}\n\nevent: b\ndata: {\"delta\":\"2\"}\n\ndata: not json\n\n",
			opts:   JSONOptions{Types: []string{"b"}},
			want:   []decoded{{Chunk: chunk{Delta: "2"}}},
		},
		{
			name:   "error event becomes an EventError and iteration goes on",
			stream: "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\"}}\n\ndata: {\"delta\":\"x\"}\n\n",
			want: []decoded{
				{Err: `sse: the server sent an error in a "error" event: {"type":"error","error":{"type":"overloaded_error"}}`},
				{Chunk: chunk{Delta: "x"}},
			},
		},
		{
			name:   "custom error type, and error events decoded when none",
			stream: "event: error\ndata: {\"delta\":\"e\"}\n\nevent: fault\ndata: oops\n\n",
			opts:   JSONOptions{ErrorType: "fault"},
			want:   []decoded{{Chunk: chunk{Delta: "e"}}, {Err: `sse: the server sent an error in a "fault" event: oops`}},
		},
		{
			name:   "bad JSON names the event",
			stream: "id: 7\nevent: delta\ndata: {oops\n\ndata: {\"delta\":\"ok\"}\n\n",
			want: []decoded{
				{Err: `sse: decoding the data of a "delta" event (ID "7") as JSON: invalid character 'o' looking for beginning of object key string`},
				{Chunk: chunk{Delta: "ok"}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := decodeAll(Read(strings.NewReader(tt.stream)), tt.opts)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("decoded (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDecodeJSONStreamErrorIsLast(t *testing.T) {
	r := io.MultiReader(strings.NewReader("data: {\"delta\":\"a\"}\n\n"), iotest.ErrReader(errors.New("connection reset")))
	got := decodeAll(Read(r), JSONOptions{})
	want := []decoded{{Chunk: chunk{Delta: "a"}}, {Err: "connection reset"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("decoded (-want +got):\n%s", diff)
	}
}

func TestDecodeJSONTruncated(t *testing.T) {
	tests := []struct {
		name   string
		stream string
		opts   JSONOptions
		want   []decoded
	}{
		{
			name:   "the stream ends before [DONE]",
			stream: "data: {\"delta\":\"Hel\"}\n\ndata: {\"delta\":\"lo\"}\n\n",
			opts:   JSONOptions{Done: "[DONE]"},
			want: []decoded{
				{Chunk: chunk{Delta: "Hel"}},
				{Chunk: chunk{Delta: "lo"}},
				{Err: `sse: stream truncated: unexpected EOF: the stream ended after 2 events without the data "[DONE]" that ends it, so the answer is incomplete (the server or a proxy cut it); send the request again`},
			},
		},
		{
			name:   "an empty stream",
			stream: "",
			opts:   JSONOptions{Done: "[DONE]"},
			want: []decoded{
				{Err: `sse: stream truncated: unexpected EOF: the stream ended after 0 events without the data "[DONE]" that ends it, so the answer is incomplete (the server or a proxy cut it); send the request again`},
			},
		},
		{
			name:   "no marker set: the end of the stream is the end",
			stream: "data: {\"delta\":\"a\"}\n\n",
			want:   []decoded{{Chunk: chunk{Delta: "a"}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := decodeAll(Read(strings.NewReader(tt.stream)), tt.opts)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("decoded (-want +got):\n%s", diff)
			}
		})
	}
}

func TestErrTruncatedIs(t *testing.T) {
	var last error
	for _, err := range DecodeJSON[chunk](Read(strings.NewReader("data: {}\n\n")), JSONOptions{Done: "[DONE]"}) {
		last = err
	}
	if !errors.Is(last, ErrTruncated) || !errors.Is(last, io.ErrUnexpectedEOF) {
		t.Errorf("errors.Is(%v, ErrTruncated / io.ErrUnexpectedEOF) = %v / %v, want true / true",
			last, errors.Is(last, ErrTruncated), errors.Is(last, io.ErrUnexpectedEOF))
	}
}

func TestDecodeJSONStreamErrorIsNotTruncated(t *testing.T) {
	r := io.MultiReader(strings.NewReader("data: {}\n\n"), iotest.ErrReader(errors.New("connection reset")))
	var errs []string
	for _, err := range DecodeJSON[chunk](Read(r), JSONOptions{Done: "[DONE]"}) {
		if err != nil {
			errs = append(errs, err.Error())
		}
	}
	if diff := cmp.Diff([]string{"connection reset"}, errs); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}
}

func TestDecodeJSONBreakStopsEvents(t *testing.T) {
	pulled := 0
	events := func(yield func(Event, error) bool) {
		for range 10 {
			pulled++
			if !yield(Event{Type: "message", Data: `{"delta":"x"}`}, nil) {
				return
			}
		}
	}
	for range DecodeJSON[chunk](events, JSONOptions{}) {
		break
	}
	if pulled != 1 {
		t.Errorf("the source yielded %d events after a break, want 1", pulled)
	}
}
