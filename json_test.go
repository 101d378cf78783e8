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
				{Err: `sse: the server sent an error (event type "error"): {"type":"error","error":{"type":"overloaded_error"}}`},
				{Chunk: chunk{Delta: "x"}},
			},
		},
		{
			name:   "custom error type, and error events decoded when none",
			stream: "event: error\ndata: {\"delta\":\"e\"}\n\nevent: fault\ndata: oops\n\n",
			opts:   JSONOptions{ErrorType: "fault"},
			want:   []decoded{{Chunk: chunk{Delta: "e"}}, {Err: `sse: the server sent an error (event type "fault"): oops`}},
		},
		{
			name: "a stop type is decoded and yielded, then the iteration ends",
			stream: "event: content_block_delta\ndata: {\"delta\":\"Hi\"}\n\n" +
				"event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n" +
				"event: content_block_delta\ndata: {\"delta\":\"again\"}\n\n",
			opts: JSONOptions{Stop: []string{"message_stop"}},
			want: []decoded{{Chunk: chunk{Delta: "Hi"}}, {Chunk: chunk{Type: "message_stop"}}},
		},
		{
			name:   "a stop type counts though Types does not list it",
			stream: "event: a\ndata: {\"delta\":\"1\"}\n\nevent: end\ndata: {\"delta\":\"2\"}\n\nevent: a\ndata: {\"delta\":\"3\"}\n\n",
			opts:   JSONOptions{Types: []string{"a"}, Stop: []string{"end"}},
			want:   []decoded{{Chunk: chunk{Delta: "1"}}, {Chunk: chunk{Delta: "2"}}},
		},
		{
			name:   "a stop type with empty data ends the iteration",
			stream: "data: {\"delta\":\"1\"}\n\nevent: end\ndata:\n\ndata: {\"delta\":\"2\"}\n\n",
			opts:   JSONOptions{Stop: []string{"end"}},
			want:   []decoded{{Chunk: chunk{Delta: "1"}}},
		},
		{
			name:   "a stop type that fails to decode ends the iteration after its error",
			stream: "event: end\ndata: {oops\n\ndata: {\"delta\":\"2\"}\n\n",
			opts:   JSONOptions{Stop: []string{"end"}},
			want:   []decoded{{Err: `sse: decoding the data of a "end" event (ID "") as JSON: invalid character 'o' looking for beginning of object key string`}},
		},
		{
			name:   "empty data is passed over: MCP's priming event",
			stream: "id: 0\ndata:\n\nid: 1\ndata: {\"delta\":\"a\"}\n\n",
			want:   []decoded{{Chunk: chunk{Delta: "a"}}},
		},
		{
			name:   "KeepEmpty yields empty data as a zero value",
			stream: "id: 0\ndata:\n\nid: 1\ndata: {\"delta\":\"a\"}\n\n",
			opts:   JSONOptions{KeepEmpty: true},
			want:   []decoded{{}, {Chunk: chunk{Delta: "a"}}},
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

func TestDecodeJSONEvents(t *testing.T) {
	stream := "id: p\ndata:\n\n" +
		"event: response.output_text.delta\nid: 1\ndata: {\"delta\":\"Hi\"}\n\n" +
		"event: ping\ndata: {}\n\n" +
		"event: response.output_text.delta\nid: 2\ndata: {oops\n\n" +
		"event: response.completed\nid: 3\ndata: {\"type\":\"response.completed\"}\n\n" +
		"data: {\"delta\":\"never\"}\n\n"
	type got struct {
		Event JSONEvent[chunk]
		Err   string
	}
	var all []got
	opts := JSONOptions{Skip: []string{"ping"}, Stop: []string{"response.completed"}, KeepEmpty: true}
	for ev, err := range DecodeJSONEvents[chunk](Read(strings.NewReader(stream)), opts) {
		g := got{Event: ev}
		if err != nil {
			g.Err = err.Error()
		}
		all = append(all, g)
	}
	want := []got{
		{Event: JSONEvent[chunk]{Type: "message", ID: "p"}},
		{Event: JSONEvent[chunk]{Type: "response.output_text.delta", ID: "1", Value: chunk{Delta: "Hi"}}},
		{
			Event: JSONEvent[chunk]{Type: "response.output_text.delta", ID: "2"},
			Err:   `sse: decoding the data of a "response.output_text.delta" event (ID "2") as JSON: invalid character 'o' looking for beginning of object key string`,
		},
		{Event: JSONEvent[chunk]{Type: "response.completed", ID: "3", Value: chunk{Type: "response.completed"}}},
	}
	if diff := cmp.Diff(want, all); diff != "" {
		t.Errorf("decoded (-want +got):\n%s", diff)
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
				{Err: `sse: stream truncated: unexpected EOF: the stream ended after 2 events without the data "[DONE]", which ends the answer, so the answer is incomplete (the server or a proxy cut it); send the request again`},
			},
		},
		{
			name:   "an empty stream",
			stream: "",
			opts:   JSONOptions{Done: "[DONE]"},
			want: []decoded{
				{Err: `sse: stream truncated: unexpected EOF: the stream ended after 0 events without the data "[DONE]", which ends the answer, so the answer is incomplete (the server or a proxy cut it); send the request again`},
			},
		},
		{
			name:   "the stream ends before a stop type",
			stream: "event: message_start\ndata: {\"type\":\"message_start\"}\n\n",
			opts:   JSONOptions{Stop: []string{"message_stop", "error_stop"}},
			want: []decoded{
				{Chunk: chunk{Type: "message_start"}},
				{Err: `sse: stream truncated: unexpected EOF: the stream ended after 1 event without an event of type "message_stop" or "error_stop", which ends the answer, so the answer is incomplete (the server or a proxy cut it); send the request again`},
			},
		},
		{
			name:   "both markers are named",
			stream: "",
			opts:   JSONOptions{Done: "[DONE]", Stop: []string{"response.completed"}},
			want: []decoded{
				{Err: `sse: stream truncated: unexpected EOF: the stream ended after 0 events without the data "[DONE]" or an event of type "response.completed", which ends the answer, so the answer is incomplete (the server or a proxy cut it); send the request again`},
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

// TestDecodeJSONStopEndsAGetStream: a GET stream reopens after a clean
// end, so an answer served over GET would be read again and again; a stop
// type ends it after the first answer, and closes the stream.
func TestDecodeJSONStopEndsAGetStream(t *testing.T) {
	srv := newScript(t, serveStream("event: content_block_delta\ndata: {\"delta\":\"Hi\"}\n\nevent: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"))
	stream := NewClient(WithHTTPClient(srv.srv.Client()), NewFakeClock().Option()).Connect(newGet(t, srv.srv.URL))
	got := decodeAll(stream.All(), JSONOptions{Stop: []string{"message_stop"}})
	want := []decoded{{Chunk: chunk{Delta: "Hi"}}, {Chunk: chunk{Type: "message_stop"}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("decoded (-want +got):\n%s", diff)
	}
	if n := len(srv.requests()); n != 1 {
		t.Errorf("%d requests, want 1: the answer is not read again", n)
	}
}
