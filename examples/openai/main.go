// Command openai streams a chat completion and prints the answer's tokens
// as they arrive.
//
// With no environment it runs offline, against a local stand-in for the
// API that it starts on 127.0.0.1, and then shows how an API error (a 401
// with a JSON body) reaches the caller. With OPENAI_API_KEY set it asks
// the real API:
//
//	go run ./examples/openai
//	OPENAI_API_KEY=sk-... go run ./examples/openai "Explain SSE in one line"
//
// OPENAI_BASE_URL (default https://api.openai.com/v1) and OPENAI_MODEL
// (default gpt-4o-mini) select another endpoint or model; any API that
// speaks OpenAI's chat completions protocol works.
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
		baseURL: getenv("OPENAI_BASE_URL"),
		apiKey:  getenv("OPENAI_API_KEY"),
		model:   getenv("OPENAI_MODEL"),
		prompt:  "What are server-sent events? One sentence.",
	}
	if cfg.baseURL == "" {
		cfg.baseURL = "https://api.openai.com/v1"
	}
	if cfg.model == "" {
		cfg.model = "gpt-4o-mini"
	}
	if len(args) > 0 {
		cfg.prompt = strings.Join(args, " ")
	}
	client := sse.NewClient()
	if cfg.apiKey != "" {
		return complete(ctx, client, cfg, stdout)
	}

	fmt.Fprintln(stderr, "OPENAI_API_KEY is not set: asking a local stand-in for the API.")
	srv := httptest.NewServer(http.HandlerFunc(standIn))
	defer srv.Close()
	cfg.baseURL, cfg.apiKey = srv.URL, localKey
	if err := complete(ctx, client, cfg, stdout); err != nil {
		return err
	}

	fmt.Fprintln(stderr, "\nThe same request with a wrong key fails before any event, with the API's own message:")
	cfg.apiKey = "sk-wrong"
	err := complete(ctx, client, cfg, stdout)
	fmt.Fprintln(stdout, "error:", err)
	var apiErr *apiError
	if !errors.As(err, &apiErr) {
		return fmt.Errorf("want an API error, got %v", err)
	}
	return nil
}

// chunk is the part of a chat completion chunk that this program reads.
type chunk struct {
	Choices []struct {
		Delta struct {
			Content string `json:"content"`
		} `json:"delta"`
	} `json:"choices"`
}

// complete asks for a streamed completion and prints its tokens.
func complete(ctx context.Context, client *sse.Client, cfg config, out io.Writer) error {
	body, err := json.Marshal(map[string]any{
		"model":    cfg.model,
		"stream":   true,
		"messages": []map[string]string{{"role": "user", "content": cfg.prompt}},
	})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, cfg.baseURL+"/chat/completions", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+cfg.apiKey)
	req.Header.Set("Content-Type", "application/json")

	// A POST is sent once: the stream ends with the response, and
	// DecodeJSON stops at the "[DONE]" that the API sends last.
	chunks := sse.DecodeJSON[chunk](client.Events(req), sse.JSONOptions{Done: "[DONE]"})
	for c, err := range chunks {
		if err != nil {
			return explain(err)
		}
		for _, choice := range c.Choices {
			fmt.Fprint(out, choice.Delta.Content)
		}
	}
	fmt.Fprintln(out)
	return nil
}

// apiError is an error that the API explained in its JSON error body.
type apiError struct {
	Status  string // "401 Unauthorized"
	Type    string `json:"type"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

func (e *apiError) Error() string {
	return fmt.Sprintf("the API answered %s (%s): %s", e.Status, e.Code, e.Message)
}

// explain turns a rejected response into the API's own explanation, read
// from the start of the body that the [sse.ResponseError] keeps.
func explain(err error) error {
	var re *sse.ResponseError
	if !errors.As(err, &re) {
		return err
	}
	var body struct {
		Error apiError `json:"error"`
	}
	if json.Unmarshal(re.Body, &body) != nil || body.Error.Message == "" {
		return err
	}
	body.Error.Status = re.Status
	return &body.Error
}

// localKey is the only key the stand-in accepts.
const localKey = "sk-local"

// standIn answers like OpenAI's chat completions endpoint: a 401 with a
// JSON error for a wrong key, otherwise the answer as a stream of chunks,
// one token each, ended by "[DONE]".
func standIn(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/chat/completions" {
		http.NotFound(w, r)
		return
	}
	if key := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "); key != localKey {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprintf(w, `{"error":{"message":"Incorrect API key provided: %s.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}`, key)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	enc := sse.NewEncoder(w)
	tokens := []string{"Server", "-sent", " events", " let", " a", " server", " push", " text", " to", " a", " client", " over", " one", " long", "-lived", " HTTP", " response", "."}
	for _, token := range tokens {
		data := fmt.Sprintf(`{"id":"chatcmpl-local","object":"chat.completion.chunk","model":"local","choices":[{"index":0,"delta":{"content":%q},"finish_reason":null}]}`, token)
		if enc.Encode(sse.Event{Data: data}) != nil {
			return
		}
	}
	enc.Encode(sse.Event{Data: `{"id":"chatcmpl-local","object":"chat.completion.chunk","model":"local","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}`})
	enc.Encode(sse.Event{Data: "[DONE]"})
}
