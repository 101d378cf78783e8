package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestMaxTime(t *testing.T) {
	tests := []struct {
		name    string
		handler http.HandlerFunc
		args    []string
		want    result
	}{{
		name:    "while reading an open stream",
		handler: hold("data: first\n\n"),
		want: result{Code: exitMaxTime, Stdout: "data: first\n\n",
			Stderr: "connected (HTTP/1.1 200)\nsse: stopped after --max-time 300ms\n"},
	}, {
		name: "while waiting for the response",
		handler: func(w http.ResponseWriter, r *http.Request) {
			<-r.Context().Done()
		},
		want: result{Code: exitMaxTime, Stderr: "sse: stopped after --max-time 300ms\n"},
	}, {
		name: "while waiting to reconnect",
		handler: func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Header().Set("Retry-After", "60")
		},
		want: result{Code: exitMaxTime,
			Stderr: "reconnecting in D (attempt 1): HTTP 503 Service Unavailable\nsse: stopped after --max-time 300ms\n"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url := serve(t, tt.handler)
			got := runCLI(t, context.Background(), "", "--max-time", "300ms", url)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("run (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRetryPost(t *testing.T) {
	for _, retry := range []bool{false, true} {
		t.Run(fmt.Sprint("--retry-post ", retry), func(t *testing.T) {
			var requests atomic.Int32
			url := serve(t, func(w http.ResponseWriter, r *http.Request) {
				body, _ := io.ReadAll(r.Body)
				if requests.Add(1) == 1 {
					// The first answer breaks before its event ends.
					eventStream(w)
					io.WriteString(w, "retry: 1\ndata: cut")
					w.(http.Flusher).Flush()
					panic(http.ErrAbortHandler)
				}
				eventStream(w)
				fmt.Fprintf(w, "data: %s\n\n", body)
			})
			args := []string{"-d", "again", url}
			want := result{Code: exitError,
				Stderr: "connected (HTTP/1.1 200)\n" +
					"sse: connection to URL lost: unexpected EOF\n" +
					"hint: a POST is sent once, since sending it again could repeat its work; add --retry-post to send it again after a failure\n"}
			if retry {
				args = append(args, "--retry-post")
				want = result{Code: exitOK, Stdout: "data: again\n\n",
					Stderr: "connected (HTTP/1.1 200)\nreconnecting in D (attempt 1): connection lost\nconnected (HTTP/1.1 200)\nstream ended\n"}
			}
			got := runCLI(t, context.Background(), "", args...)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("run %q (-want +got):\n%s", args, diff)
			}
		})
	}
}

func TestReopen(t *testing.T) {
	for _, reopen := range []bool{false, true} {
		t.Run(fmt.Sprint("--reopen ", reopen), func(t *testing.T) {
			var lastIDs []string // one request at a time
			url := serve(t, func(w http.ResponseWriter, r *http.Request) {
				lastIDs = append(lastIDs, r.Header.Get("Last-Event-ID"))
				if len(lastIDs) > 1 {
					w.WriteHeader(http.StatusNoContent)
					return
				}
				eventStream(w)
				io.WriteString(w, "retry: 1\nid: 1\ndata: one\n\n")
			})
			args := []string{"-X", "REPORT", url}
			want := result{Code: exitOK, Stdout: "id: 1\ndata: one\n\n", Stderr: "connected (HTTP/1.1 200)\nstream ended\n"}
			wantIDs := []string{""}
			if reopen {
				args = append(args, "--reopen")
				want.Stderr += "reconnecting in D (attempt 1)\nstream ended (HTTP/1.1 204 No Content)\n"
				wantIDs = []string{"", "1"}
			}
			got := runCLI(t, context.Background(), "", args...)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("run %q (-want +got):\n%s", args, diff)
			}
			if diff := cmp.Diff(wantIDs, lastIDs); diff != "" {
				t.Errorf("Last-Event-ID of each request (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAcceptType(t *testing.T) {
	url := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "Text/Plain; charset=utf-8")
		io.WriteString(w, "data: plain but SSE\n\n")
	})
	tests := []struct {
		args []string
		want result
	}{{
		args: []string{"--accept-type", "text/plain"},
		want: result{Code: exitOK, Stdout: "data: plain but SSE\n\n", Stderr: "connected (HTTP/1.1 200)\nstream ended\n"},
	}, {
		args: []string{"--accept-type", "application/json", "--accept-type", "TEXT/plain"},
		want: result{Code: exitOK, Stdout: "data: plain but SSE\n\n", Stderr: "connected (HTTP/1.1 200)\nstream ended\n"},
	}, {
		args: []string{"--accept-type", "application/json"},
		want: result{Code: exitError, Stderr: "sse: GET URL: 200 OK: the response is not an event stream: its Content-Type is \"Text/Plain; charset=utf-8\"\n" +
			"response body:\ndata: plain but SSE\n" +
			"hint: check the URL, and whether the API needs to be asked to stream (as with \"stream\": true in -d); to read this response as an event stream anyway, add --accept-type text/plain\n"},
	}}
	for _, tt := range tests {
		args := append(tt.args, "--no-reconnect", url)
		got := runCLI(t, context.Background(), "", args...)
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("run %q (-want +got):\n%s", args, diff)
		}
	}
}

func TestMaxSize(t *testing.T) {
	long := strings.Repeat("x", 100)
	url := serve(t, fixed("data: short\n\ndata: "+long+"\n\ndata: after\n\n"))
	tests := []struct {
		args []string
		want result
	}{{
		args: []string{"--max-size", "200"},
		want: result{Code: exitOK, Stdout: "data: short\n\ndata: " + long + "\n\ndata: after\n\n", Stderr: "connected (HTTP/1.1 200)\nstream ended\n"},
	}, {
		args: []string{"--max-size", "64"},
		want: result{Code: exitError, Stdout: "data: short\n\n",
			Stderr: "connected (HTTP/1.1 200)\n" +
				"sse: a line exceeds the limit of --max-size 64B\n" +
				"hint: raise the limit with --max-size, or skip such events with --skip-oversized\n"},
	}, {
		args: []string{"--max-size", "64", "--skip-oversized"},
		want: result{Code: exitOK, Stdout: "data: short\n\ndata: after\n\n",
			Stderr: "connected (HTTP/1.1 200)\nskipped an event: a line exceeds the limit of --max-size 64B\nstream ended\n"},
	}}
	for _, tt := range tests {
		args := append(tt.args, "--no-reconnect", url)
		got := runCLI(t, context.Background(), "", args...)
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("run %q (-want +got):\n%s", args, diff)
		}
	}
}
