package sse_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"time"

	"github.com/ssekit/sse"
)

func ExampleParser() {
	stream := "retry: 3000\n" +
		": comments, such as heartbeats, are not events\n" +
		"data: first\n" +
		"\n" +
		"event: update\n" +
		"id: 7\n" +
		"data: second,\n" +
		"data: on two lines\n" +
		"\n"
	p := sse.NewParser(strings.NewReader(stream))
	for p.Next() {
		ev := p.Event()
		fmt.Printf("type=%s id=%q data=%q\n", ev.Type, ev.ID, ev.Data)
	}
	if err := p.Err(); err != nil {
		fmt.Println("error:", err)
	}
	retry, _ := p.Retry()
	fmt.Println("retry:", retry, "last event ID:", p.LastEventID())
	// Output:
	// type=message id="" data="first"
	// type=update id="7" data="second,\non two lines"
	// retry: 3s last event ID: 7
}

func ExampleRead() {
	// Any io.Reader: a file, a pipe, a response body. CRLF works too.
	r := strings.NewReader("data: {\"n\":1}\r\n\r\ndata: {\"n\":2}\r\n\r\n")
	for ev, err := range sse.Read(r) {
		if err != nil {
			fmt.Println("error:", err)
			return
		}
		fmt.Println(ev.Data)
	}
	// Output:
	// {"n":1}
	// {"n":2}
}

func ExampleEncoder() {
	// On a server, write to the http.ResponseWriter: the Encoder flushes
	// each event to the client.
	enc := sse.NewEncoder(os.Stdout)
	enc.Retry(2 * time.Second)
	enc.Encode(sse.Event{ID: "1", Data: "hello"})
	enc.Encode(sse.Event{Type: "update", ID: "1", Data: "two\nlines"})
	enc.Comment("keep-alive")
	// Output:
	// retry: 2000
	// id: 1
	// data: hello
	//
	// event: update
	// data: two
	// data: lines
	//
	// : keep-alive
}

// A GET stream survives a dropped connection: the Client reconnects and
// sends the last event ID it received, from which the server resumes.
func ExampleClient_Events() {
	srv := httptest.NewServer(http.HandlerFunc(feed))
	defer srv.Close()

	client := sse.NewClient(sse.WithHooks(sse.Hooks{
		OnConnect: func(resp *http.Response) {
			fmt.Printf("connected, Last-Event-ID %q\n", resp.Request.Header.Get("Last-Event-ID"))
		},
		OnDisconnect: func(err error) {
			switch {
			case errors.Is(err, io.EOF):
				fmt.Println("the server ended the stream")
			case errors.Is(err, sse.ErrNoContent):
				fmt.Println("the server has nothing more: 204")
			default:
				fmt.Println("connection lost")
			}
		},
	}))
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/events", nil)
	for ev, err := range client.Events(req) {
		if err != nil {
			fmt.Println("error:", err)
			return
		}
		fmt.Println(ev.ID, ev.Data)
	}
	// The stream ended for good when the server answered 204 No Content.

	// Output:
	// connected, Last-Event-ID ""
	// 1 first
	// 2 second
	// connection lost
	// connected, Last-Event-ID "2"
	// 3 third
	// the server ended the stream
	// the server has nothing more: 204
}

// An LLM completion is a POST whose answer streams back. It is sent once:
// the stream ends with the response.
func ExampleClient_Connect() {
	srv := httptest.NewServer(http.HandlerFunc(chatCompletions))
	defer srv.Close()

	body := `{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"Say hello"}]}`
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/v1/chat/completions", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer sk-example")
	req.Header.Set("Content-Type", "application/json")

	stream := sse.NewClient().Connect(req)
	defer stream.Close()
	for stream.Next() {
		ev := stream.Event()
		if ev.Data == "[DONE]" {
			break
		}
		var chunk struct {
			Choices []struct {
				Delta struct {
					Content string `json:"content"`
				} `json:"delta"`
			} `json:"choices"`
		}
		if err := json.Unmarshal([]byte(ev.Data), &chunk); err != nil {
			fmt.Println("error:", err)
			return
		}
		fmt.Print(chunk.Choices[0].Delta.Content)
	}
	if err := stream.Err(); err != nil {
		fmt.Println("error:", err)
		return
	}
	fmt.Println()
	// Output:
	// Hello, world!
}

// DecodeJSON turns a stream of JSON events into typed values.
func ExampleDecodeJSON() {
	srv := httptest.NewServer(http.HandlerFunc(chatCompletions))
	defer srv.Close()

	body := `{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"Say hello"}]}`
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/v1/chat/completions", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer sk-example")
	req.Header.Set("Content-Type", "application/json")

	type Chunk struct {
		Choices []struct {
			Delta struct {
				Content string `json:"content"`
			} `json:"delta"`
		} `json:"choices"`
	}
	chunks := sse.DecodeJSON[Chunk](sse.NewClient().Events(req), sse.JSONOptions{Done: "[DONE]"})
	for chunk, err := range chunks {
		if err != nil {
			fmt.Println("error:", err)
			return
		}
		fmt.Print(chunk.Choices[0].Delta.Content)
	}
	fmt.Println()
	// Output:
	// Hello, world!
}

// A rejected response ends the stream with a *ResponseError, which keeps
// the status, the headers and the body; its message names the server's
// reason, without the request's own credentials, which APIs echo.
func ExampleResponseError() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprintf(w, `{"error":{"message":"Incorrect API key provided: %s.","code":"invalid_api_key"}}`, key)
	}))
	defer srv.Close()

	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/v1/chat/completions", strings.NewReader(`{}`))
	req.Header.Set("Authorization", "Bearer sk-wrong-key")
	for _, err := range sse.NewClient().Events(req) {
		fmt.Println(strings.Replace(err.Error(), srv.URL, "URL", 1))
		var re *sse.ResponseError
		if errors.As(err, &re) {
			fmt.Println(re.StatusCode, errors.Is(err, sse.ErrUnexpectedStatus))
			fmt.Println(string(re.Body))
		}
	}
	// Output:
	// sse: POST URL/v1/chat/completions: unexpected status 401 Unauthorized; the server said: Incorrect API key provided: ***.
	// 401 true
	// {"error":{"message":"Incorrect API key provided: sk-wrong-key.","code":"invalid_api_key"}}
}

// A server may answer with one JSON document instead of an event stream,
// as an MCP server does in its JSON response mode. The answer is not lost:
// the *ResponseError that wraps ErrNotEventStream holds it whole, up to
// the limit that WithMaxErrorBodySize sets, and Stream.Response holds its
// headers.
func ExampleResponseError_jsonAnswer() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Mcp-Session-Id", "session-1")
		io.WriteString(w, `{"jsonrpc":"2.0","id":1,"result":{"tools":[{"name":"count"}]}}`)
	}))
	defer srv.Close()

	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/mcp", strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"tools/list"}`))
	req.Header.Set("Accept", "application/json, text/event-stream")
	stream := sse.NewClient(sse.WithMaxErrorBodySize(1 << 20)).Connect(req)
	type Message struct {
		Method string          `json:"method"`
		Result json.RawMessage `json:"result"`
	}
	for msg, err := range sse.DecodeJSONEvents[Message](stream.All(), sse.JSONOptions{}) {
		var re *sse.ResponseError
		if errors.As(err, &re) && errors.Is(err, sse.ErrNotEventStream) && !re.BodyTruncated {
			// The JSON response mode: the answer is the whole body.
			var answer Message
			if err := json.Unmarshal(re.Body, &answer); err != nil {
				fmt.Println("error:", err)
				return
			}
			fmt.Println("JSON answer:", string(answer.Result))
			break
		}
		if err != nil {
			fmt.Println("error:", err)
			return
		}
		fmt.Println("event:", msg.Value.Method, string(msg.Value.Result))
	}
	fmt.Println("session:", stream.Response().Header.Get("Mcp-Session-Id"))
	// Output:
	// JSON answer: {"tools":[{"name":"count"}]}
	// session: session-1
}

// Stream.Response holds the response of the latest connection, also after
// the stream has ended: an iterator over the Stream the caller holds gives
// the events, and the Stream the headers.
func ExampleStream_Response() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Request-Id", "req-42")
		chatCompletions(w, r)
	}))
	defer srv.Close()

	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/v1/chat/completions", strings.NewReader(`{"stream":true}`))
	stream := sse.NewClient().Connect(req)
	chunks := sse.DecodeJSON[openAIChunk](stream.All(), sse.JSONOptions{Done: "[DONE]"})
	for chunk, err := range chunks {
		if err != nil {
			fmt.Println("error:", err)
			return
		}
		fmt.Print(chunk.Choices[0].Delta.Content)
	}
	fmt.Println()
	if resp := stream.Response(); resp != nil {
		fmt.Println(resp.Status, resp.Header.Get("X-Request-Id"))
	}
	// Output:
	// Hello, world!
	// 200 OK req-42
}

// Only the application protocol can tell a finished answer from a cut
// one: a proxy's timeout ends a response as cleanly as the server does.
// With JSONOptions.Done (or Stop) set, an answer that ends without its
// marker ends with ErrTruncated.
func ExampleErrTruncated() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		io.WriteString(w, "data: {\"choices\":[{\"delta\":{\"content\":\"Hello\"}}]}\n\n")
		// ... and the connection ends cleanly, without "data: [DONE]".
	}))
	defer srv.Close()

	req, _ := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader(`{"stream":true}`))
	chunks := sse.DecodeJSON[openAIChunk](sse.NewClient().Events(req), sse.JSONOptions{Done: "[DONE]"})
	for chunk, err := range chunks {
		if errors.Is(err, sse.ErrTruncated) {
			fmt.Println()
			fmt.Println("truncated; also io.ErrUnexpectedEOF:", errors.Is(err, io.ErrUnexpectedEOF))
			fmt.Println(err)
			return
		}
		fmt.Print(chunk.Choices[0].Delta.Content)
	}
	// Output:
	// Hello
	// truncated; also io.ErrUnexpectedEOF: true
	// sse: stream truncated: unexpected EOF: the stream ended after 1 event without the data "[DONE]", which ends the answer, so the answer is incomplete (the server or a proxy cut it); send the request again
}

// OpenAI's Responses API names each event; the answer ends with
// "response.completed". DecodeJSONEvents gives each value with its event's
// type, to dispatch on without decoding a type field again.
func ExampleDecodeJSONEvents() {
	srv := httptest.NewServer(http.HandlerFunc(openAIResponses))
	defer srv.Close()

	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/v1/responses", strings.NewReader(`{"model":"gpt-4o-mini","input":"Say hello","stream":true}`))
	type Event struct {
		Delta    string `json:"delta"`
		Response struct {
			Status string `json:"status"`
		} `json:"response"`
	}
	events := sse.DecodeJSONEvents[Event](sse.NewClient().Events(req), sse.JSONOptions{
		Stop: []string{"response.completed", "response.failed", "response.incomplete"},
	})
	for ev, err := range events {
		if err != nil {
			fmt.Println("error:", err)
			return
		}
		switch ev.Type {
		case "response.output_text.delta":
			fmt.Print(ev.Value.Delta)
		case "response.completed":
			fmt.Println("\nstatus:", ev.Value.Response.Status)
		}
	}
	// Output:
	// Hello!
	// status: completed
}

// Anthropic's Messages API sends named events, pings, and "event: error";
// "message_stop" ends the answer. Stop matters most for a GET stream,
// which the Client opens again after a clean end, as EventSource does:
// without it, a finished answer served over GET is read again and again.
func ExampleDecodeJSONEvents_anthropic() {
	srv := httptest.NewServer(http.HandlerFunc(anthropicMessages))
	defer srv.Close()

	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/v1/messages", strings.NewReader(`{"model":"claude-3-5-haiku-latest","stream":true}`))
	req.Header.Set("X-Api-Key", "sk-ant-example")
	req.Header.Set("Anthropic-Version", "2023-06-01")
	type Event struct {
		Delta struct {
			Text string `json:"text"`
		} `json:"delta"`
	}
	events := sse.DecodeJSONEvents[Event](sse.NewClient().Events(req), sse.JSONOptions{
		Skip: []string{"ping"},
		Stop: []string{"message_stop"},
	})
	for ev, err := range events {
		var apiErr *sse.EventError
		if errors.As(err, &apiErr) {
			fmt.Println("API error:", apiErr.Event.Data)
			return
		}
		if err != nil {
			fmt.Println("error:", err)
			return
		}
		if ev.Type == "content_block_delta" {
			fmt.Print(ev.Value.Delta.Text)
		}
	}
	fmt.Println()
	// Output:
	// Hi there!
}

// A stream that cannot reconnect within its RetryPolicy ends with a
// *RetryError that wraps ErrGaveUp and the last failure.
func ExampleRetryError() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer srv.Close()

	client := sse.NewClient(sse.WithRetryPolicy(sse.RetryPolicy{
		BaseDelay:   time.Millisecond,
		MinDelay:    time.Millisecond, // lowers the 500 ms floor, for this example
		MaxAttempts: 3,
	}))
	req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
	stream := client.Connect(req)
	defer stream.Close()
	for stream.Next() {
	}
	err := stream.Err()
	var retryErr *sse.RetryError
	var respErr *sse.ResponseError
	if errors.As(err, &retryErr) && errors.As(err, &respErr) {
		fmt.Println(errors.Is(err, sse.ErrGaveUp), retryErr.Attempts, respErr.StatusCode)
	}
	// Output:
	// true 3 503
}

// feed serves events 1 to 3. The first connection breaks in the middle
// of event 3; a request that resumes after event 3 gets 204 No Content.
func feed(w http.ResponseWriter, r *http.Request) {
	switch r.Header.Get("Last-Event-ID") {
	case "":
		w.Header().Set("Content-Type", "text/event-stream")
		io.WriteString(w, "retry: 1\n\nid: 1\ndata: first\n\nid: 2\ndata: second\n\nid: 3\ndata: thi")
		w.(http.Flusher).Flush()
		panic(http.ErrAbortHandler) // drop the connection
	case "2":
		w.Header().Set("Content-Type", "text/event-stream")
		io.WriteString(w, "retry: 1\n\nid: 3\ndata: third\n\n")
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}

// openAIChunk is the part of a chat completion chunk that the examples
// read.
type openAIChunk struct {
	Choices []struct {
		Delta struct {
			Content string `json:"content"`
		} `json:"delta"`
	} `json:"choices"`
}

// openAIResponses answers like OpenAI's Responses API.
func openAIResponses(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/event-stream")
	enc := sse.NewEncoder(w)
	enc.Encode(sse.Event{Type: "response.created", Data: `{"type":"response.created","response":{"status":"in_progress"}}`})
	for _, d := range []string{"Hel", "lo!"} {
		enc.Encode(sse.Event{Type: "response.output_text.delta", Data: fmt.Sprintf(`{"type":"response.output_text.delta","delta":%q}`, d)})
	}
	enc.Encode(sse.Event{Type: "response.completed", Data: `{"type":"response.completed","response":{"status":"completed"}}`})
}

// anthropicMessages answers like Anthropic's Messages API.
func anthropicMessages(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/event-stream")
	enc := sse.NewEncoder(w)
	enc.Encode(sse.Event{Type: "message_start", Data: `{"type":"message_start","message":{"id":"msg_1"}}`})
	enc.Encode(sse.Event{Type: "ping", Data: `{"type": "ping"}`})
	for _, t := range []string{"Hi", " there!"} {
		enc.Encode(sse.Event{Type: "content_block_delta", Data: fmt.Sprintf(`{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":%q}}`, t)})
	}
	enc.Encode(sse.Event{Type: "message_delta", Data: `{"type":"message_delta","delta":{"stop_reason":"end_turn"}}`})
	enc.Encode(sse.Event{Type: "message_stop", Data: `{"type":"message_stop"}`})
}

// chatCompletions answers like OpenAI's chat completions API.
func chatCompletions(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/event-stream")
	enc := sse.NewEncoder(w)
	for _, token := range []string{"Hello", ",", " world", "!"} {
		enc.Encode(sse.Event{Data: fmt.Sprintf(`{"choices":[{"index":0,"delta":{"content":%q}}]}`, token)})
	}
	enc.Encode(sse.Event{Data: "[DONE]"})
}
