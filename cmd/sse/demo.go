package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/ssekit/sse"
)

// demoConfig sets the pace of the demo server.
type demoConfig struct {
	tokenDelay time.Duration // before each token of the answer
	eventDelay time.Duration // before each event of the feed
	retry      time.Duration // the reconnection time the feed asks for
}

func defaultDemoConfig() demoConfig {
	return demoConfig{
		tokenDelay: 60 * time.Millisecond,
		eventDelay: 250 * time.Millisecond,
		retry:      500 * time.Millisecond,
	}
}

// runDemo starts the demo server and runs two streams against it, with
// o's output flags: an LLM-style answer over POST, and a feed that drops
// its connection once and resumes with Last-Event-ID.
func (a *app) runDemo(ctx context.Context, o *options) int {
	srv, err := startDemoServer(a.demo, o.demoAddr)
	if err != nil {
		fmt.Fprintf(a.stderr, "sse: starting the demo server: %v\nhint: choose another address with --demo-addr, or leave it out for a free port\n", err)
		return exitError
	}
	defer srv.close()

	const prompt = `{"model":"demo","stream":true,"messages":[{"role":"user","content":"What are server-sent events?"}]}`
	steps := []struct {
		title   string
		headers []string
		data    string
		done    string
		path    string
	}{
		{
			title:   "an LLM-style answer, streamed token by token in answer to a POST, up to its [DONE]",
			headers: []string{"Authorization: Bearer demo-key"},
			data:    prompt,
			done:    "[DONE]",
			path:    "/v1/chat/completions",
		},
		{
			title: "a feed with event IDs: the server drops the connection in the middle of event 4, and the stream resumes after event 3 with Last-Event-ID",
			path:  "/feed",
		},
	}
	for i, step := range steps {
		so := *o
		so.demo = false
		so.url = srv.url + step.path
		so.headers = append(step.headers, o.headers...)
		so.data, so.hasData = step.data, step.data != ""
		so.done, so.hasDone = step.done, step.done != ""
		if i > 0 {
			fmt.Fprintln(a.stderr)
		}
		fmt.Fprintf(a.stderr, "== demo %d/%d: %s\n$ %s\n", i+1, len(steps), step.title, commandLine(&so))
		if code := a.stream(ctx, &so); code != exitOK {
			return code
		}
	}
	fmt.Fprintf(a.stderr, "\nDemo done. Now point sse at a stream of your own: sse [flags] URL (sse -h for the flags).\n")
	return exitOK
}

// commandLine returns the sse command that runs o's stream, quoted for a
// shell.
func commandLine(o *options) string {
	args := []string{"sse"}
	for _, h := range o.headers {
		args = append(args, "-H", shellQuote(h))
	}
	if o.hasData {
		args = append(args, "-d", shellQuote(o.data))
	}
	if o.hasDone {
		args = append(args, "--done", shellQuote(o.done))
	}
	args = append(args, o.url)
	return strings.Join(args, " ")
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !strings.ContainsRune("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:@=,+", r)
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// demoServer serves the demo's two streams on 127.0.0.1.
type demoServer struct {
	cfg     demoConfig
	url     string
	srv     *http.Server
	served  chan struct{} // closed when srv.Serve has returned
	dropped atomic.Bool   // the feed has dropped its connection once
}

// startDemoServer starts the demo server at addr, or on a free port of
// 127.0.0.1 if addr is "".
func startDemoServer(cfg demoConfig, addr string) (*demoServer, error) {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	d := &demoServer{cfg: cfg, url: "http://" + ln.Addr().String(), served: make(chan struct{})}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/chat/completions", d.chat)
	mux.HandleFunc("GET /feed", d.feed)
	d.srv = &http.Server{
		Handler: mux,
		// The feed aborts a connection on purpose; that is no news.
		ErrorLog: log.New(io.Discard, "", 0),
	}
	go func() {
		defer close(d.served)
		d.srv.Serve(ln)
	}()
	return d, nil
}

// close stops the server: it waits a moment for running handlers, whose
// clients have gone, then closes every connection.
func (d *demoServer) close() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if d.srv.Shutdown(ctx) != nil {
		d.srv.Close()
	}
	<-d.served
}

// pause waits for delay, and returns false if the client went away.
func pause(ctx context.Context, delay time.Duration) bool {
	if delay <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(delay)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// demoAnswer is the answer that the chat endpoint streams, token by token.
func demoAnswer() []string {
	return []string{"Server", "-sent", " events", " stream", " text", " from", " server", " to", " client", " over", " one", " HTTP", " response", "."}
}

// chat streams an answer as OpenAI's chat completions API does: one JSON
// chunk per token, then [DONE].
func (d *demoServer) chat(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	if !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") {
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, `{"error":{"message":"No API key: send one with the header Authorization: Bearer <key>","type":"invalid_request_error"}}`)
		return
	}
	var req struct {
		Messages []json.RawMessage `json:"messages"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&req); err != nil || len(req.Messages) == 0 {
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, `{"error":{"message":"The body must be a JSON chat request with messages","type":"invalid_request_error"}}`)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	enc := sse.NewEncoder(w)
	type delta struct {
		Content string `json:"content"`
	}
	type choice struct {
		Delta delta `json:"delta"`
	}
	for _, token := range demoAnswer() {
		if !pause(r.Context(), d.cfg.tokenDelay) {
			return
		}
		chunk, _ := json.Marshal(struct {
			Choices []choice `json:"choices"`
		}{[]choice{{delta{token}}}})
		if enc.Encode(sse.Event{Data: string(chunk)}) != nil {
			return
		}
	}
	enc.Encode(sse.Event{Data: "[DONE]"})
}

// demoFeed is the feed's items; an item's event ID is its position,
// counted from 1.
func demoFeed() []string {
	return []string{
		"The parser follows the WHATWG spec to the letter",
		"Comments keep idle connections alive",
		"Every event can carry an ID",
		"A client that lost its connection sends the last ID back",
		"The server resumes right after it",
		"No event lost, none repeated",
	}
}

// feed streams demoFeed from the event after the request's Last-Event-ID.
// The first connection breaks in the middle of event 4; when every event
// has been sent, the answer is 204 No Content, which ends the stream.
func (d *demoServer) feed(w http.ResponseWriter, r *http.Request) {
	items := demoFeed()
	next := 0
	if id := r.Header.Get("Last-Event-ID"); id != "" {
		n, err := strconv.Atoi(id)
		if err != nil || n < 0 || n > len(items) {
			http.Error(w, fmt.Sprintf("unknown Last-Event-ID %q", id), http.StatusBadRequest)
			return
		}
		next = n
	}
	if next == len(items) {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	enc := sse.NewEncoder(w)
	if enc.Retry(d.cfg.retry) != nil {
		return
	}
	drop := d.dropped.CompareAndSwap(false, true)
	for i := next; i < len(items); i++ {
		if !pause(r.Context(), d.cfg.eventDelay) {
			return
		}
		if drop && i == 3 {
			// Half an event, then the connection breaks, as when a
			// network fails: the client discards the half event.
			fmt.Fprintf(w, "event: headline\nid: %d\ndata: %s", i+1, items[i][:10])
			w.(http.Flusher).Flush()
			panic(http.ErrAbortHandler)
		}
		ev := sse.Event{Type: "headline", ID: strconv.Itoa(i + 1), Data: items[i]}
		if enc.Encode(ev) != nil {
			return
		}
	}
}
