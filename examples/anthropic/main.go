// Command anthropic streams a message from Anthropic's Messages API, whose
// stream uses named events: message_start, content_block_start, ping,
// content_block_delta, content_block_stop, message_delta, message_stop,
// and error.
//
// With no environment it runs offline, against a local stand-in for the
// API that it starts on 127.0.0.1, and then shows an error event arriving
// in the middle of an answer. With ANTHROPIC_API_KEY set it asks the real
// API:
//
//	go run ./examples/anthropic
//	ANTHROPIC_API_KEY=sk-ant-... go run ./examples/anthropic "Explain SSE in one line"
//
// ANTHROPIC_BASE_URL (default https://api.anthropic.com) and
// ANTHROPIC_MODEL (default claude-3-5-haiku-latest) select another
// endpoint or model.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/signal"
	"strings"

	"github.com/ssekit/sse"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}

// config says where to send the request and what to ask.
type config struct {
	baseURL, apiKey, model, prompt string
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg := config{
		baseURL: getenv("ANTHROPIC_BASE_URL"),
		apiKey:  getenv("ANTHROPIC_API_KEY"),
		model:   getenv("ANTHROPIC_MODEL"),
		prompt:  "What are server-sent events? One sentence.",
	}
	if cfg.baseURL == "" {
		cfg.baseURL = "https://api.anthropic.com"
	}
	if cfg.model == "" {
		cfg.model = "claude-3-5-haiku-latest"
	}
	if len(args) > 0 {
		cfg.prompt = strings.Join(args, " ")
	}
	client := sse.NewClient()
	if cfg.apiKey != "" {
		return message(ctx, client, cfg, stdout, stderr)
	}

	fmt.Fprintln(stderr, "ANTHROPIC_API_KEY is not set: asking a local stand-in for the API.")
	srv := httptest.NewServer(http.HandlerFunc(standIn))
	defer srv.Close()
	cfg.baseURL, cfg.apiKey = srv.URL, "sk-ant-local"
	if err := message(ctx, client, cfg, stdout, stderr); err != nil {
		return err
	}

	fmt.Fprintln(stderr, "\nWhen the API is overloaded mid-answer, an error event ends the stream:")
	cfg.model = overloadedModel
	err := message(ctx, client, cfg, stdout, stderr)
	fmt.Fprintln(stdout, "error:", err)
	var apiErr *apiError
	if !errors.As(err, &apiErr) {
		return fmt.Errorf("want an API error, got %v", err)
	}
	return nil
}

// streamEvent is the data of every event of the stream: each event type
// fills some of its fields.
type streamEvent struct {
	Type    string `json:"type"`
	Message struct {
		Model string `json:"model"`
	} `json:"message"` // message_start
	Delta struct {
		Type       string `json:"type"`        // content_block_delta: "text_delta"
		Text       string `json:"text"`        // content_block_delta
		StopReason string `json:"stop_reason"` // message_delta
	} `json:"delta"`
	Usage struct {
		OutputTokens int `json:"output_tokens"`
	} `json:"usage"` // message_delta
}

// message asks for a streamed message and prints its text as it arrives,
// and a summary on stderr at its end.
func message(ctx context.Context, client *sse.Client, cfg config, stdout, stderr io.Writer) error {
	body, err := json.Marshal(map[string]any{
		"model":      cfg.model,
		"max_tokens": 256,
		"stream":     true,
		"messages":   []map[string]string{{"role": "user", "content": cfg.prompt}},
	})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, cfg.baseURL+"/v1/messages", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("X-Api-Key", cfg.apiKey)
	req.Header.Set("Anthropic-Version", "2023-06-01")
	req.Header.Set("Content-Type", "application/json")

	// Pings keep the connection alive and carry nothing: pass over them.
	// An "error" event comes out as an *sse.EventError.
	events := sse.DecodeJSON[streamEvent](client.Events(req), sse.JSONOptions{Skip: []string{"ping"}})
	for ev, err := range events {
		if err != nil {
			fmt.Fprintln(stdout)
			return explain(err)
		}
		switch ev.Type {
		case "message_start":
			fmt.Fprintf(stderr, "[%s]\n", ev.Message.Model)
		case "content_block_delta":
			fmt.Fprint(stdout, ev.Delta.Text)
		case "content_block_stop":
			fmt.Fprintln(stdout)
		case "message_delta":
			fmt.Fprintf(stderr, "[stop reason %s, %d output tokens]\n", ev.Delta.StopReason, ev.Usage.OutputTokens)
		case "message_stop":
			return nil
		}
	}
	return nil
}

// apiError is an error that the API sent, in an error event or in the
// JSON body of a rejected request.
type apiError struct {
	Type    string `json:"type"`
	Message string `json:"message"`
}

func (e *apiError) Error() string {
	return fmt.Sprintf("the API reported %s: %s", e.Type, e.Message)
}

// explain returns the API's own explanation of err when it has one: the
// data of an error event, or the body of a rejected response.
func explain(err error) error {
	var data []byte
	var ee *sse.EventError
	var re *sse.ResponseError
	switch {
	case errors.As(err, &ee):
		data = []byte(ee.Event.Data)
	case errors.As(err, &re):
		data = re.Body
	default:
		return err
	}
	var body struct {
		Error apiError `json:"error"`
	}
	if json.Unmarshal(data, &body) != nil || body.Error.Type == "" {
		return err
	}
	return &body.Error
}

// overloadedModel makes the stand-in fail in the middle of its answer.
const overloadedModel = "local-overloaded"

// standIn answers like the Messages API with "stream": true.
func standIn(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/v1/messages" {
		http.NotFound(w, r)
		return
	}
	var req struct {
		Model string `json:"model"`
	}
	if r.Header.Get("X-Api-Key") == "" || json.NewDecoder(r.Body).Decode(&req) != nil {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, `{"type":"error","error":{"type":"invalid_request_error","message":"an API key and a JSON body are required"}}`)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	enc := sse.NewEncoder(w)
	send := func(typ, data string) bool {
		return enc.Encode(sse.Event{Type: typ, Data: data}) == nil
	}
	send("message_start", fmt.Sprintf(`{"type":"message_start","message":{"id":"msg_local","type":"message","role":"assistant","model":%q,"content":[],"stop_reason":null,"usage":{"input_tokens":14,"output_tokens":1}}}`, req.Model))
	send("content_block_start", `{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}`)
	send("ping", `{"type": "ping"}`)
	words := []string{"Named", " events", " tell", " a", " client", " what", " each", " piece", " of", " the", " stream", " is", "."}
	for i, word := range words {
		if req.Model == overloadedModel && i == 3 {
			send("error", `{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`)
			return
		}
		if !send("content_block_delta", fmt.Sprintf(`{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":%q}}`, word)) {
			return
		}
	}
	send("content_block_stop", `{"type":"content_block_stop","index":0}`)
	send("message_delta", fmt.Sprintf(`{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":%d}}`, len(words)))
	send("message_stop", `{"type":"message_stop"}`)
}
