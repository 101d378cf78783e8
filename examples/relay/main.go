// Command relay is an LLM gateway in miniature: it takes a question from a
// browser, asks an upstream chat completions API with a key that the
// browser never sees, and re-serves the answer to the browser as an event
// stream, with sse.Encoder, token by token as it arrives.
//
// The browser gets "token" events, whose data is {"text": "..."}, then a
// "done" event, or an "error" event, whose data is {"message": "..."}: when
// the upstream fails, and when its answer ends before "[DONE]", since a
// truncated answer must not pass for a finished one. While the upstream
// is silent, a comment every 5 s keeps proxies from cutting the idle
// connection; a "retry" field asks browsers to wait 15 s before they
// reconnect, since a reconnect asks the upstream the question again.
//
// With no environment it runs offline: it starts a local stand-in for the
// upstream API and the gateway on 127.0.0.1, asks the gateway a question
// as a browser's EventSource would, prints the events it receives, and
// exits. With RELAY_ADDR set it serves browsers on that address until
// Ctrl-C, with a page at / to try it; with OPENAI_API_KEY also set, the
// upstream is OpenAI's API (or OPENAI_BASE_URL, with OPENAI_MODEL):
//
//	go run ./examples/relay
//	RELAY_ADDR=127.0.0.1:8080 go run ./examples/relay
//	RELAY_ADDR=127.0.0.1:8080 OPENAI_API_KEY=sk-... go run ./examples/relay
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
	"net/url"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/ssekit/sse"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Getenv, os.Stdout, os.Stderr); err != nil && !errors.Is(err, context.Canceled) {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, getenv func(string) string, stdout, stderr io.Writer) error {
	gw := &gateway{
		client:    sse.NewClient(),
		heartbeat: heartbeat,
		upstream:  getenv("OPENAI_BASE_URL"),
		key:       getenv("OPENAI_API_KEY"),
		model:     getenv("OPENAI_MODEL"),
	}
	if gw.upstream == "" {
		gw.upstream = "https://api.openai.com/v1"
	}
	if gw.model == "" {
		gw.model = "gpt-4o-mini"
	}
	if gw.key == "" {
		fmt.Fprintln(stderr, "OPENAI_API_KEY is not set: the upstream is a local stand-in for the API.")
		up := httptest.NewServer(http.HandlerFunc(standIn))
		defer up.Close()
		gw.upstream, gw.key = up.URL, localKey
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /chat", gw.chat)
	mux.HandleFunc("GET /{$}", page)

	if addr := getenv("RELAY_ADDR"); addr != "" {
		srv := &http.Server{Addr: addr, Handler: mux}
		go func() {
			<-ctx.Done()
			srv.Close()
		}()
		fmt.Fprintf(stderr, "open http://%s/ in a browser; Ctrl-C to stop\n", addr)
		if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return ctx.Err()
	}

	srv := httptest.NewServer(mux)
	defer srv.Close()
	return browse(ctx, srv.URL+"/chat?q="+url.QueryEscape("What does a relay do?"), stdout)
}

// browse asks the gateway as a browser's EventSource would, and prints the
// events it receives until "done" or "error".
func browse(ctx context.Context, url string, out io.Writer) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	for ev, err := range sse.NewClient().Events(req) {
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "%s %s\n", ev.Type, ev.Data)
		if ev.Type == "done" || ev.Type == "error" {
			// As in a browser, close the stream at the end of the
			// answer: a GET stream would otherwise be opened again.
			return nil
		}
	}
	return nil
}

// gateway relays answers from an upstream chat completions API.
type gateway struct {
	client    *sse.Client
	upstream  string // base URL, as https://api.openai.com/v1
	key       string
	model     string
	heartbeat time.Duration // of upstream silence before a comment; 0 for none
}

const (
	// heartbeat is short enough for a proxy with an idle timeout of a few
	// seconds, and costs three bytes.
	heartbeat = 5 * time.Second
	// reconnectDelay is the "retry" the gateway sends. Its answers cannot
	// be resumed: a browser that reconnects (after a dropped connection,
	// or after the end of an answer if the page does not close its
	// EventSource) asks the question again, which costs an upstream
	// completion and starts the answer over. So it should not do so every
	// 3 s, the browsers' default.
	reconnectDelay = 15 * time.Second
)

// chunk is the part of a chat completion chunk that the gateway reads.
type chunk struct {
	Choices []struct {
		Delta struct {
			Content string `json:"content"`
		} `json:"delta"`
	} `json:"choices"`
}

// chat answers GET /chat?q=question with an event stream of the answer.
func (g *gateway) chat(w http.ResponseWriter, r *http.Request) {
	body, _ := json.Marshal(map[string]any{
		"model":    g.model,
		"stream":   true,
		"messages": []map[string]string{{"role": "user", "content": r.URL.Query().Get("q")}},
	})
	// The upstream request lives as long as the browser's: when the
	// browser goes away, the upstream stream is closed too.
	req, err := http.NewRequestWithContext(r.Context(), http.MethodPost, g.upstream+"/chat/completions", bytes.NewReader(body))
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	req.Header.Set("Authorization", "Bearer "+g.key)
	req.Header.Set("Content-Type", "application/json")

	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	enc := sse.NewEncoder(w) // flushes each event to the browser
	// The answer carries no IDs: a browser that resumes after one holds
	// it, and this tells the Encoder so.
	enc.SetLastEventID(r.Header.Get("Last-Event-ID"))
	if enc.Retry(reconnectDelay) != nil {
		return // the browser went away
	}
	// Heartbeats while the upstream thinks; stopped before the handler
	// returns, after which w must not be written.
	defer enc.KeepAlive(g.heartbeat)()
	send := func(typ string, v any) error {
		data, err := json.Marshal(v)
		if err != nil {
			return err
		}
		return enc.Encode(sse.Event{Type: typ, Data: string(data)})
	}

	chunks := sse.DecodeJSON[chunk](g.client.Events(req), sse.JSONOptions{Done: "[DONE]"})
	for c, err := range chunks {
		if err != nil {
			// The browser learns that the answer failed, but not the
			// upstream's details, which may name the key.
			send("error", map[string]string{"message": "the upstream API failed: " + upstreamStatus(err)})
			return
		}
		for _, choice := range c.Choices {
			if choice.Delta.Content == "" {
				continue
			}
			if send("token", map[string]string{"text": choice.Delta.Content}) != nil {
				return // the browser went away
			}
		}
	}
	send("done", struct{}{})
}

// upstreamStatus says briefly what went wrong upstream.
func upstreamStatus(err error) string {
	var re *sse.ResponseError
	switch {
	case errors.As(err, &re):
		return re.Status
	case errors.Is(err, sse.ErrTruncated):
		return "the answer ended before [DONE], cut short"
	}
	return "the stream broke off"
}

// page is a minimal browser client of the gateway.
func page(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	io.WriteString(w, `<!doctype html>
<title>relay</title>
<form id=f><input id=q size=60 value="What are server-sent events?"> <button>Ask</button></form>
<p id=answer></p>
<script>
f.onsubmit = e => {
  e.preventDefault();
  answer.textContent = "";
  const es = new EventSource("/chat?q=" + encodeURIComponent(q.value));
  es.addEventListener("token", e => answer.textContent += JSON.parse(e.data).text);
  es.addEventListener("done", () => es.close());
  es.addEventListener("error", e => { es.close(); if (e.data) answer.textContent += " [" + JSON.parse(e.data).message + "]"; });
};
</script>
`)
}

// localKey is the only key the stand-in accepts.
const localKey = "sk-local"

// standIn answers like OpenAI's chat completions endpoint, one token per
// chunk, ended by "[DONE]".
func standIn(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "Bearer "+localKey {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, `{"error":{"message":"Incorrect API key provided.","type":"invalid_request_error","code":"invalid_api_key"}}`)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	enc := sse.NewEncoder(w)
	for _, token := range strings.SplitAfter("It reads one stream and writes another.", " ") {
		if enc.Encode(chunkEvent(token)) != nil {
			return
		}
	}
	enc.Encode(sse.Event{Data: "[DONE]"})
}

// chunkEvent is the stand-in's chunk of one token.
func chunkEvent(token string) sse.Event {
	return sse.Event{Data: fmt.Sprintf(`{"object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":%q}}]}`, token)}
}
