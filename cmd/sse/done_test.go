package main

import (
	"context"
	"io"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// chunks streams two JSON chunks, then, if done, the [DONE] marker after
// which the connection stays open, as a slow proxy may keep it.
func chunks(done bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		eventStream(w)
		io.WriteString(w, "data: {\"n\":1}\n\ndata: {\"n\":2}\n\n")
		if !done {
			return
		}
		io.WriteString(w, "data: [DONE]\n\n")
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	}
}

func TestDone(t *testing.T) {
	tests := []struct {
		name    string
		handler http.HandlerFunc
		args    []string
		want    result
	}{{
		name:    "finished, data only",
		handler: chunks(true),
		args:    []string{"-d", "{}", "--done", "[DONE]", "--data-only"},
		want: result{Code: exitOK, Stdout: "{\"n\":1}\n{\"n\":2}\n",
			Stderr: "connected (HTTP/1.1 200)\n"},
	}, {
		name:    "finished, JSON with JSON data: every line parses",
		handler: chunks(true),
		args:    []string{"-d", "{}", "--done", "[DONE]", "--json", "--json-data"},
		want: result{Code: exitOK, Stdout: `{"type":"message","data":{"n":1},"id":""}` + "\n" + `{"type":"message","data":{"n":2},"id":""}` + "\n",
			Stderr: "connected (HTTP/1.1 200)\n"},
	}, {
		name:    "finished GET feed: the marker ends it, with no reconnection",
		handler: chunks(true),
		args:    []string{"--done", "[DONE]"},
		want: result{Code: exitOK, Stdout: "data: {\"n\":1}\n\ndata: {\"n\":2}\n\n",
			Stderr: "connected (HTTP/1.1 200)\n"},
	}, {
		name:    "the marker whatever its type, and whatever --event leaves out",
		handler: fixed("event: delta\ndata: a\n\nevent: end\ndata: [DONE]\n\n"),
		args:    []string{"--done", "[DONE]", "--event", "delta", "--no-reconnect"},
		want:    result{Code: exitOK, Stdout: "event: delta\ndata: a\n\n", Stderr: "connected (HTTP/1.1 200)\n"},
	}, {
		name:    "truncated POST",
		handler: chunks(false),
		args:    []string{"-d", "{}", "--done", "[DONE]", "--data-only"},
		want: result{Code: exitError, Stdout: "{\"n\":1}\n{\"n\":2}\n",
			Stderr: "connected (HTTP/1.1 200)\nstream ended\nsse: stream truncated: it ended before the event whose data is \"[DONE]\" (--done)\n"},
	}, {
		name:    "truncated GET that ends with --no-reconnect",
		handler: chunks(false),
		args:    []string{"--done", "[DONE]", "--no-reconnect", "--data-only"},
		want: result{Code: exitError, Stdout: "{\"n\":1}\n{\"n\":2}\n",
			Stderr: "connected (HTTP/1.1 200)\nstream ended\nsse: stream truncated: it ended before the event whose data is \"[DONE]\" (--done)\n"},
	}, {
		name:    "without --done the end is clean, and [DONE] is data",
		handler: chunks(true),
		args:    []string{"-d", "{}", "--data-only", "--max-time", "200ms"},
		want: result{Code: exitMaxTime, Stdout: "{\"n\":1}\n{\"n\":2}\n[DONE]\n",
			Stderr: "connected (HTTP/1.1 200)\nsse: stopped after --max-time 200ms\n"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url := serve(t, tt.handler)
			args := append(tt.args, url)
			got := runCLI(t, context.Background(), "", args...)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("run %q (-want +got):\n%s", args, diff)
			}
		})
	}
}
