package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"

	"github.com/ssekit/sse"
	"github.com/ssekit/sse/internal/corpus"
)

// Chunk is an OpenAI chat-completion chunk as an application declares
// it: the fields of the API's reference, the optional ones left out of
// the llm corpus included.
type Chunk struct {
	ID                string        `json:"id"`
	Object            string        `json:"object"`
	Created           int64         `json:"created"`
	Model             string        `json:"model"`
	SystemFingerprint string        `json:"system_fingerprint,omitempty"`
	ServiceTier       string        `json:"service_tier,omitempty"`
	Choices           []ChunkChoice `json:"choices"`
	Usage             *Usage        `json:"usage,omitempty"`
}

// ChunkChoice is one choice of a [Chunk].
type ChunkChoice struct {
	Index        int             `json:"index"`
	Delta        Delta           `json:"delta"`
	FinishReason *string         `json:"finish_reason"`
	Logprobs     json.RawMessage `json:"logprobs,omitempty"`
}

// Delta is what a [ChunkChoice] adds to the message.
type Delta struct {
	Role      string          `json:"role,omitempty"`
	Content   string          `json:"content,omitempty"`
	Refusal   string          `json:"refusal,omitempty"`
	ToolCalls []ToolCallDelta `json:"tool_calls,omitempty"`
}

// ToolCallDelta is a piece of a tool call in a [Delta].
type ToolCallDelta struct {
	Index    int    `json:"index"`
	ID       string `json:"id,omitempty"`
	Type     string `json:"type,omitempty"`
	Function struct {
		Name      string `json:"name,omitempty"`
		Arguments string `json:"arguments,omitempty"`
	} `json:"function"`
}

// Usage is the token count that a last [Chunk] may carry.
type Usage struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
	TotalTokens      int `json:"total_tokens"`
}

// completionRequest is the body of the completion request that both
// typed clients send; the server does not read it.
const completionRequest = `{"messages":[{"content":"Say hello","role":"user"}],"model":"gpt-4o","stream":true}`

// Typed returns the clients that decode each chunk of the llm corpus into
// a struct: this module's Client through DecodeJSON, and the openai-go
// SDK's typed stream. Their counts are of chunks and of the bytes of the
// deltas' content (see [ContentBytes]); the [DONE] event that ends the
// stream counts as an event, as it does for the other clients.
func Typed() []Client {
	return []Client{SSEKitJSON(), OpenAITyped()}
}

// SSEKitJSON is github.com/ssekit/sse's Client, with its defaults,
// decoding each event into a [Chunk] with sse.DecodeJSON over
// Stream.All, as the library's documentation shows; the request is the
// POST that an SDK sends.
func SSEKitJSON() Client {
	return Client{Name: "ssekit/sse Client DecodeJSON[Chunk]", Module: "github.com/ssekit/sse", Kind: Ours, Typed: true,
		Stream: func(ctx context.Context, hc *http.Client, url string) (Count, error) {
			var c Count
			req, err := http.NewRequestWithContext(ctx, http.MethodPost, url+"/chat/completions", strings.NewReader(completionRequest))
			if err != nil {
				return c, err
			}
			req.Header.Set("Authorization", "Bearer test")
			req.Header.Set("Content-Type", "application/json")
			s := sse.NewClient(sse.WithHTTPClient(hc)).Connect(req)
			for chunk, err := range sse.DecodeJSON[Chunk](s.All(), sse.JSONOptions{Done: done}) {
				if err != nil {
					return c, err
				}
				c.add(chunk.Choices)
			}
			c.Events++ // [DONE], or the end of a stream without it, which the count shows
			return c, nil
		}}
}

// OpenAITyped is the openai-go SDK's typed stream:
// Chat.Completions.NewStreaming with the server as its base URL, no
// retries, and Stream.Next and Stream.Current for each chunk.
func OpenAITyped() Client {
	return Client{Name: "openai-go Chat.Completions.NewStreaming", Module: "github.com/openai/openai-go/v3", Kind: Peer, Typed: true,
		Stream: func(ctx context.Context, hc *http.Client, url string) (Count, error) {
			var c Count
			client := openai.NewClient(option.WithBaseURL(url), option.WithHTTPClient(hc),
				option.WithAPIKey("test"), option.WithMaxRetries(0))
			stream := client.Chat.Completions.NewStreaming(ctx, openai.ChatCompletionNewParams{
				Model:    "gpt-4o",
				Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("Say hello")},
			})
			defer stream.Close()
			for stream.Next() {
				chunk := stream.Current()
				c.Events++
				for _, ch := range chunk.Choices {
					c.DataBytes += int64(len(ch.Delta.Content))
				}
			}
			if err := stream.Err(); err != nil {
				return c, err
			}
			c.Events++ // [DONE], which ends Next
			return c, nil
		}}
}

// add counts one chunk.
func (c *Count) add(choices []ChunkChoice) {
	c.Events++
	for _, ch := range choices {
		c.DataBytes += int64(len(ch.Delta.Content))
	}
}

// ContentBytes is what a typed client's count of data bytes must be on
// c: the bytes of the content of every chunk's deltas.
func ContentBytes(c corpus.Corpus) (int64, error) {
	var n int64
	p := sse.NewParser(bytes.NewReader(c.Data))
	p.SetLimits(len(c.Data), len(c.Data))
	for p.Next() {
		data := p.Raw().Data
		if string(data) == done {
			continue
		}
		var chunk Chunk
		if err := json.Unmarshal(data, &chunk); err != nil {
			return 0, err
		}
		for _, ch := range chunk.Choices {
			n += int64(len(ch.Delta.Content))
		}
	}
	return n, p.Err()
}
