// Command mcp is a client of the Model Context Protocol over its
// Streamable HTTP transport, built on the sse package alone. It
//
//   - sends initialize as a POST that accepts both answers
//     (Accept: application/json, text/event-stream), and keeps the
//     Mcp-Session-Id header of the response for every later request;
//   - sends the initialized notification, which the server accepts with
//     202 Accepted and no body;
//   - lists the tools, which the server answers in its JSON response mode:
//     one application/json answer instead of an event stream;
//   - calls a tool with a progress token: the progress notifications and
//     then the result stream back as events. When the connection drops
//     before the result, it resumes with a GET that carries the last
//     event ID in Last-Event-ID, and the server replays the rest.
//
// With no environment it runs offline, against a small MCP server of its
// own on 127.0.0.1 (server.go), which drops the tool call's first
// connection on purpose. With MCP_URL set it talks to that server
// instead; MCP_TOOL and MCP_TOOL_ARGS (a JSON object) name a tool to call:
//
//	go run ./examples/mcp
//	MCP_URL=http://127.0.0.1:3000/mcp MCP_TOOL=echo MCP_TOOL_ARGS='{"message":"hi"}' go run ./examples/mcp
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
	"strconv"
	"strings"

	"github.com/ssekit/sse"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}

// protocolVersion is the MCP revision that this client speaks.
const protocolVersion = "2025-06-18"

func run(ctx context.Context, getenv func(string) string, stdout, stderr io.Writer) error {
	url := getenv("MCP_URL")
	tool, args := getenv("MCP_TOOL"), getenv("MCP_TOOL_ARGS")
	if url == "" {
		fmt.Fprintln(stderr, "MCP_URL is not set: talking to a local MCP server.")
		srv := httptest.NewServer(newServer())
		defer srv.Close()
		url, tool, args = srv.URL+"/mcp", "count", `{"to":5}`
	}
	// A JSON answer arrives whole in the ResponseError's Body, up to this
	// limit; the default (4 KiB) is made for error messages.
	// A resumed GET stream reconnects by itself; five failed attempts in a
	// row end it. A POST is never sent again.
	client := sse.NewClient(sse.WithMaxErrorBodySize(4<<20), sse.WithRetryPolicy(sse.RetryPolicy{MaxAttempts: 5}))
	c := &session{client: client, url: url, out: stdout}

	var init struct {
		ProtocolVersion string `json:"protocolVersion"`
		ServerInfo      struct {
			Name    string `json:"name"`
			Version string `json:"version"`
		} `json:"serverInfo"`
	}
	err := c.call(ctx, "initialize", map[string]any{
		"protocolVersion": protocolVersion,
		"capabilities":    map[string]any{},
		"clientInfo":      map[string]string{"name": "sse-example", "version": "1.0.0"},
	}, &init)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "  server %s %s, protocol %s; Mcp-Session-Id received: %v\n",
		init.ServerInfo.Name, init.ServerInfo.Version, init.ProtocolVersion, c.sessionID != "")
	c.version = init.ProtocolVersion
	defer c.end(context.WithoutCancel(ctx))

	if err := c.notify(ctx, "notifications/initialized"); err != nil {
		return err
	}

	var list struct {
		Tools []struct {
			Name string `json:"name"`
		} `json:"tools"`
	}
	if err := c.call(ctx, "tools/list", map[string]any{}, &list); err != nil {
		return err
	}
	names := make([]string, len(list.Tools))
	for i, t := range list.Tools {
		names[i] = t.Name
	}
	fmt.Fprintf(stdout, "  %d tools: %s\n", len(names), shorten(strings.Join(names, ", "), 60))

	if tool == "" {
		return nil
	}
	if args == "" {
		args = "{}"
	}
	var result struct {
		Content []struct {
			Type string `json:"type"`
			Text string `json:"text"`
		} `json:"content"`
		IsError bool `json:"isError"`
	}
	err = c.call(ctx, "tools/call", map[string]any{
		"name":      tool,
		"arguments": json.RawMessage(args),
		"_meta":     map[string]any{"progressToken": "call-1"},
	}, &result)
	if err != nil {
		return err
	}
	for _, part := range result.Content {
		fmt.Fprintf(stdout, "  result: %s %q (isError %v)\n", part.Type, part.Text, result.IsError)
	}
	return nil
}

// session is a client's MCP session with one server.
type session struct {
	client    *sse.Client
	url       string
	sessionID string // the server's Mcp-Session-Id, once initialize has answered
	version   string // the negotiated protocol version
	lastID    int    // the ID of the latest request
	out       io.Writer
}

// message is a JSON-RPC message: a request, a notification or a response.
type message struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id,omitempty"`
	Method  string          `json:"method,omitempty"`
	Params  json.RawMessage `json:"params,omitempty"`
	Result  json.RawMessage `json:"result,omitempty"`
	Error   *rpcError       `json:"error,omitempty"`
}

type rpcError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

func (e *rpcError) Error() string { return fmt.Sprintf("MCP error %d: %s", e.Code, e.Message) }

// newRequest returns an HTTP request to the server with the session's
// headers.
func (c *session) newRequest(ctx context.Context, method string, body []byte) (*http.Request, error) {
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.url, r)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
		// The server chooses: one JSON answer, or an event stream.
		req.Header.Set("Accept", "application/json, text/event-stream")
	}
	if c.sessionID != "" {
		req.Header.Set("Mcp-Session-Id", c.sessionID)
	}
	if c.version != "" {
		req.Header.Set("MCP-Protocol-Version", c.version)
	}
	return req, nil
}

// call sends a request and decodes its result into result. It reads the
// answer in either form the transport allows, prints the progress
// notifications that stream before it, and resumes the stream once if
// the connection drops before the answer.
func (c *session) call(ctx context.Context, method string, params, result any) error {
	c.lastID++
	id := strconv.Itoa(c.lastID)
	fmt.Fprintf(c.out, "→ %s\n", method)
	body, err := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": c.lastID, "method": method, "params": params})
	if err != nil {
		return err
	}
	req, err := c.newRequest(ctx, http.MethodPost, body)
	if err != nil {
		return err
	}
	// A POST is sent once: a Client never repeats it, since that would
	// run the tool again.
	stream := c.client.Connect(req)
	answer, err := c.read(stream, id)
	// The response stays reachable after the stream has ended, the
	// rejected one of the JSON response mode too.
	if resp := stream.Response(); resp != nil && method == "initialize" {
		c.sessionID = resp.Header.Get("Mcp-Session-Id")
	}
	lastEventID := stream.LastEventID()
	var re *sse.ResponseError
	if err != nil && !errors.As(err, &re) && lastEventID != "" && ctx.Err() == nil {
		// The connection dropped after events with IDs: ask the server
		// to replay what followed, on a GET stream.
		fmt.Fprintf(c.out, "  connection lost after event %s; resuming with GET and Last-Event-ID: %s\n", lastEventID, lastEventID)
		answer, err = c.resume(ctx, id, lastEventID)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	if answer.Error != nil {
		return fmt.Errorf("%s: %w", method, answer.Error)
	}
	return json.Unmarshal(answer.Result, result)
}

// resume reads the answer to request id from a GET stream that starts
// after lastEventID. The GET stream reconnects by itself if it drops too.
func (c *session) resume(ctx context.Context, id, lastEventID string) (message, error) {
	req, err := c.newRequest(ctx, http.MethodGet, nil)
	if err != nil {
		return message{}, err
	}
	req.Header.Set("Last-Event-ID", lastEventID)
	return c.read(c.client.Connect(req), id)
}

// read returns the response to request id from stream: from its events,
// printing the progress notifications before it, or from the body of a
// JSON answer. The stream is closed when read returns.
func (c *session) read(stream *sse.Stream, id string) (message, error) {
	for ev, err := range sse.DecodeJSONEvents[message](stream.All(), sse.JSONOptions{}) {
		var re *sse.ResponseError
		switch {
		case errors.As(err, &re) && errors.Is(err, sse.ErrNotEventStream):
			// The JSON response mode: the answer is the whole body.
			if re.BodyTruncated {
				return message{}, fmt.Errorf("a JSON answer over %d bytes: raise WithMaxErrorBodySize", len(re.Body))
			}
			fmt.Fprintf(c.out, "  answered in JSON: %d bytes of %s\n", len(re.Body), re.Header.Get("Content-Type"))
			var m message
			err := json.Unmarshal(re.Body, &m)
			return m, err
		case err != nil:
			return message{}, err
		}
		m := ev.Value
		switch {
		case m.Method == "notifications/progress":
			var p struct {
				Progress float64 `json:"progress"`
				Total    float64 `json:"total"`
				Message  string  `json:"message"`
			}
			json.Unmarshal(m.Params, &p)
			fmt.Fprintf(c.out, "  progress %v/%v: %s (event %s)\n", p.Progress, p.Total, p.Message, ev.ID)
		case m.Method == "" && string(m.ID) == id:
			fmt.Fprintf(c.out, "  answered in an event stream, event %s\n", ev.ID)
			return m, nil
		}
	}
	// Only the protocol knows that the answer is missing: the stream
	// ended cleanly without it.
	return message{}, fmt.Errorf("%w: the stream ended before the response to request %s", sse.ErrTruncated, id)
}

// notify sends a notification, which the server accepts with 202 Accepted.
func (c *session) notify(ctx context.Context, method string) error {
	body, err := json.Marshal(map[string]any{"jsonrpc": "2.0", "method": method})
	if err != nil {
		return err
	}
	req, err := c.newRequest(ctx, http.MethodPost, body)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.out, "→ %s\n", method)
	stream := c.client.Connect(req)
	defer stream.Close()
	for stream.Next() {
	}
	// 202 is not an event stream, so the Client rejects it: that is the
	// answer a notification expects.
	var re *sse.ResponseError
	if errors.As(stream.Err(), &re) && re.StatusCode == http.StatusAccepted {
		fmt.Fprintf(c.out, "  %s\n", re.Status)
		return nil
	}
	return fmt.Errorf("%s: want 202 Accepted, got %w", method, stream.Err())
}

// end ends the session with a DELETE, as the transport asks of a client
// that is done. A server may refuse (405): the session then ends when it
// expires.
func (c *session) end(ctx context.Context) {
	if c.sessionID == "" {
		return
	}
	req, err := c.newRequest(ctx, http.MethodDelete, nil)
	if err != nil {
		return
	}
	fmt.Fprintln(c.out, "→ DELETE (end the session)")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Fprintf(c.out, "  %v\n", err)
		return
	}
	resp.Body.Close()
	fmt.Fprintf(c.out, "  %s\n", resp.Status)
}

// shorten cuts s to about n characters.
func shorten(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}
