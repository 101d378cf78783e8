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

// A response that is not an event stream ends the stream with a
// *ResponseError, which keeps the status, the headers and the start of the
// body: APIs explain their errors there.
func ExampleResponseError() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, `{"error":{"message":"Incorrect API key provided"}}`)
	}))
	defer srv.Close()

	req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
	for _, err := range sse.NewClient().Events(req) {
		var re *sse.ResponseError
		if errors.As(err, &re) {
			fmt.Println(re.Status, errors.Is(err, sse.ErrUnexpectedStatus))
			fmt.Println(string(re.Body))
		}
	}
	// Output:
	// 401 Unauthorized true
	// {"error":{"message":"Incorrect API key provided"}}
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

// chatCompletions answers like OpenAI's chat completions API.
func chatCompletions(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/event-stream")
	enc := sse.NewEncoder(w)
	for _, token := range []string{"Hello", ",", " world", "!"} {
		enc.Encode(sse.Event{Data: fmt.Sprintf(`{"choices":[{"index":0,"delta":{"content":%q}}]}`, token)})
	}
	enc.Encode(sse.Event{Data: "[DONE]"})
}
