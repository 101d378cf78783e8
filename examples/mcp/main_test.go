package main

import (
	"bytes"
	"context"
	"net/http/httptest"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

const wantOutput = `→ initialize
  answered in an event stream, event 0-1
  server example-mcp-server 0.1.0, protocol 2025-06-18; Mcp-Session-Id received: true
→ notifications/initialized
  202 Accepted
→ tools/list
  answered in JSON: 6510 bytes of application/json
  31 tools: count, lookup_01, lookup_02, lookup_03, lookup_04, lookup_05…
→ tools/call
  progress 1/5: counted 1 (event 1-1)
  progress 2/5: counted 2 (event 1-2)
  connection lost after event 1-2; resuming with GET and Last-Event-ID: 1-2
  progress 3/5: counted 3 (event 1-3)
  progress 4/5: counted 4 (event 1-4)
  progress 5/5: counted 5 (event 1-5)
  answered in an event stream, event 1-6
  result: text "counted to 5" (isError false)
→ DELETE (end the session)
  204 No Content
`

// TestOffline runs the example against its own MCP server.
func TestOffline(t *testing.T) {
	var stdout, stderr bytes.Buffer
	noEnv := func(string) string { return "" }
	if err := run(context.Background(), noEnv, &stdout, &stderr); err != nil {
		t.Fatalf("run: %v\nstdout:\n%s", err, stdout.String())
	}
	if diff := cmp.Diff(wantOutput, stdout.String()); diff != "" {
		t.Errorf("stdout (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff("MCP_URL is not set: talking to a local MCP server.\n", stderr.String()); diff != "" {
		t.Errorf("stderr (-want +got):\n%s", diff)
	}
}

// TestMCPURL runs the example as MCP_URL makes it run, against a server
// that the test can inspect: the tool call was sent once, and resumed
// once with a GET.
func TestMCPURL(t *testing.T) {
	mcp := newServer()
	srv := httptest.NewServer(mcp)
	defer srv.Close()
	env := map[string]string{"MCP_URL": srv.URL + "/mcp", "MCP_TOOL": "count", "MCP_TOOL_ARGS": `{"to":5}`}
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), func(k string) string { return env[k] }, &stdout, &stderr); err != nil {
		t.Fatalf("run: %v\nstdout:\n%s", err, stdout.String())
	}
	if diff := cmp.Diff(wantOutput, stdout.String()); diff != "" {
		t.Errorf("stdout (-want +got):\n%s", diff)
	}
	mcp.mu.Lock()
	defer mcp.mu.Unlock()
	if mcp.calls != 1 || mcp.resumes != 1 || len(mcp.sessions) != 0 {
		t.Errorf("server saw %d tools/call, %d resumes, %d open sessions; want 1, 1, 0", mcp.calls, mcp.resumes, len(mcp.sessions))
	}
}

// TestToolError: a JSON-RPC error in the answer ends run with it.
func TestToolError(t *testing.T) {
	srv := httptest.NewServer(newServer())
	defer srv.Close()
	env := map[string]string{"MCP_URL": srv.URL + "/mcp", "MCP_TOOL": "nope"}
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), func(k string) string { return env[k] }, &stdout, &stderr)
	want := `tools/call: MCP error -32602: Unknown tool or bad arguments: call "count" with {"to": 1..100}`
	if err == nil || err.Error() != want {
		t.Errorf("run() = %v, want %s", err, want)
	}
}
