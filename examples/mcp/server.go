package main

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/ssekit/sse"
)

// server is a small MCP server over Streamable HTTP: just what the client
// in main.go needs. It answers initialize as an event stream, tools/list
// in its JSON response mode, and tools/call "count" as an event stream of
// progress notifications and then the result. It drops the first
// tool call's connection after its third event, as a proxy might, and
// replays the rest to a GET with Last-Event-ID.
type server struct {
	mu       sync.Mutex
	sessions map[string]*serverSession
	calls    int // tools/call requests received
	resumes  int // GET requests with a Last-Event-ID
}

// serverSession keeps every event sent on each stream of one session,
// for replay: streams[n] holds the events of stream n, whose IDs are
// "n-0", "n-1" and so on.
type serverSession struct {
	streams [][]sse.Event
	dropped bool // a connection was dropped on purpose already
}

func newServer() *server {
	return &server{sessions: make(map[string]*serverSession)}
}

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/mcp" {
		http.NotFound(w, r)
		return
	}
	switch r.Method {
	case http.MethodPost:
		s.post(w, r)
	case http.MethodGet:
		s.resume(w, r)
	case http.MethodDelete:
		s.mu.Lock()
		delete(s.sessions, r.Header.Get("Mcp-Session-Id"))
		s.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	default:
		w.Header().Set("Allow", "GET, POST, DELETE")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

func (s *server) post(w http.ResponseWriter, r *http.Request) {
	var m message
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&m); err != nil {
		writeJSON(w, http.StatusBadRequest, rpcFailure(nil, -32700, "Parse error"))
		return
	}
	if m.Method == "initialize" {
		id := rand.Text()
		s.mu.Lock()
		s.sessions[id] = &serverSession{}
		s.mu.Unlock()
		w.Header().Set("Mcp-Session-Id", id)
		s.stream(w, r, id, []message{rpcResult(m.ID, map[string]any{
			"protocolVersion": protocolVersion,
			"capabilities":    map[string]any{"tools": map[string]any{}},
			"serverInfo":      map[string]string{"name": "example-mcp-server", "version": "0.1.0"},
		})})
		return
	}
	sess := s.session(r.Header.Get("Mcp-Session-Id"))
	switch {
	case sess == nil:
		writeJSON(w, http.StatusNotFound, rpcFailure(m.ID, -32001, "Session not found: initialize first"))
	case m.ID == nil: // a notification
		w.WriteHeader(http.StatusAccepted)
	case m.Method == "tools/list":
		writeJSON(w, http.StatusOK, rpcResult(m.ID, map[string]any{"tools": toolList()}))
	case m.Method == "tools/call":
		s.mu.Lock()
		s.calls++
		s.mu.Unlock()
		var p struct {
			Name      string `json:"name"`
			Arguments struct {
				To int `json:"to"`
			} `json:"arguments"`
			Meta struct {
				ProgressToken any `json:"progressToken"`
			} `json:"_meta"`
		}
		if json.Unmarshal(m.Params, &p) != nil || p.Name != "count" || p.Arguments.To < 1 || p.Arguments.To > 100 {
			writeJSON(w, http.StatusOK, rpcFailure(m.ID, -32602, `Unknown tool or bad arguments: call "count" with {"to": 1..100}`))
			return
		}
		var msgs []message
		for i := 1; i <= p.Arguments.To; i++ {
			msgs = append(msgs, notification("notifications/progress", map[string]any{
				"progressToken": p.Meta.ProgressToken, "progress": i, "total": p.Arguments.To, "message": "counted " + strconv.Itoa(i),
			}))
		}
		msgs = append(msgs, rpcResult(m.ID, map[string]any{
			"content": []map[string]string{{"type": "text", "text": fmt.Sprintf("counted to %d", p.Arguments.To)}},
		}))
		s.stream(w, r, r.Header.Get("Mcp-Session-Id"), msgs)
	default:
		writeJSON(w, http.StatusOK, rpcFailure(m.ID, -32601, "Method not found: "+m.Method))
	}
}

// stream answers with an event stream of msgs, after a priming event (an
// ID and empty data) that lets the client resume from the start. The
// session's first stream of more than three messages is cut after its
// third event.
func (s *server) stream(w http.ResponseWriter, r *http.Request, sessionID string, msgs []message) {
	s.mu.Lock()
	sess := s.sessions[sessionID]
	n := len(sess.streams)
	events := []sse.Event{{ID: fmt.Sprintf("%d-0", n)}}
	for i, m := range msgs {
		data, _ := json.Marshal(m)
		events = append(events, sse.Event{ID: fmt.Sprintf("%d-%d", n, i+1), Data: string(data)})
	}
	sess.streams = append(sess.streams, events)
	drop := !sess.dropped && len(msgs) > 3
	sess.dropped = sess.dropped || drop
	s.mu.Unlock()

	w.Header().Set("Content-Type", "text/event-stream")
	enc := sse.NewEncoder(w)
	for i, ev := range events {
		if drop && i == 3 {
			// The rest stays in the session, for a resume.
			panic(http.ErrAbortHandler)
		}
		if err := enc.Encode(ev); err != nil {
			return
		}
	}
}

// resume replays, on a GET, the events of a stream after the one named
// by Last-Event-ID, and then holds the stream open until the client goes.
func (s *server) resume(w http.ResponseWriter, r *http.Request) {
	sess := s.session(r.Header.Get("Mcp-Session-Id"))
	if sess == nil {
		http.Error(w, "session not found", http.StatusNotFound)
		return
	}
	streamPart, eventPart, _ := strings.Cut(r.Header.Get("Last-Event-ID"), "-")
	n, err1 := strconv.Atoi(streamPart)
	after, err2 := strconv.Atoi(eventPart)
	s.mu.Lock()
	s.resumes++
	var events []sse.Event
	if err1 == nil && err2 == nil && n >= 0 && n < len(sess.streams) && after >= 0 && after < len(sess.streams[n]) {
		events = sess.streams[n][after+1:]
	}
	s.mu.Unlock()
	if events == nil {
		// This server offers no stream of its own beyond replays.
		w.Header().Set("Allow", "POST, DELETE")
		http.Error(w, "no stream to resume", http.StatusMethodNotAllowed)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	enc := sse.NewEncoder(w)
	for _, ev := range events {
		if err := enc.Encode(ev); err != nil {
			return
		}
	}
	<-r.Context().Done()
}

func (s *server) session(id string) *serverSession {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sessions[id]
}

// toolList returns the server's tools: "count", and enough others that
// the answer is larger than a ResponseError keeps by default.
func toolList() []map[string]any {
	tools := []map[string]any{{
		"name":        "count",
		"description": "Counts from 1 to the given number, reporting progress.",
		"inputSchema": map[string]any{
			"type":       "object",
			"properties": map[string]any{"to": map[string]any{"type": "integer", "minimum": 1, "maximum": 100}},
			"required":   []string{"to"},
		},
	}}
	for i := 1; i <= 30; i++ {
		tools = append(tools, map[string]any{
			"name":        fmt.Sprintf("lookup_%02d", i),
			"description": fmt.Sprintf("Looks up record %d of a catalogue that this example does not have; it is here to make the list long.", i),
			"inputSchema": map[string]any{"type": "object", "properties": map[string]any{"key": map[string]any{"type": "string"}}},
		})
	}
	return tools
}

func rpcResult(id json.RawMessage, result any) message {
	data, _ := json.Marshal(result)
	return message{JSONRPC: "2.0", ID: id, Result: data}
}

func rpcFailure(id json.RawMessage, code int, msg string) message {
	return message{JSONRPC: "2.0", ID: id, Error: &rpcError{Code: code, Message: msg}}
}

func notification(method string, params any) message {
	data, _ := json.Marshal(params)
	return message{JSONRPC: "2.0", Method: method, Params: data}
}

func writeJSON(w http.ResponseWriter, code int, m message) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(m)
}
