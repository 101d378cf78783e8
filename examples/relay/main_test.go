package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/ssekit/sse"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// TestOffline runs the example: the gateway relays the local stand-in's
// answer to a client that reads it as a browser would.
func TestOffline(t *testing.T) {
	var stdout, stderr bytes.Buffer
	noEnv := func(string) string { return "" }
	if err := run(context.Background(), noEnv, &stdout, &stderr); err != nil {
		t.Fatalf("run: %v\nstderr:\n%s", err, stderr.String())
	}
	want := `token {"text":"It "}` + "\n" +
		`token {"text":"reads "}` + "\n" +
		`token {"text":"one "}` + "\n" +
		`token {"text":"stream "}` + "\n" +
		`token {"text":"and "}` + "\n" +
		`token {"text":"writes "}` + "\n" +
		`token {"text":"another."}` + "\n" +
		"done {}\n"
	if diff := cmp.Diff(want, stdout.String()); diff != "" {
		t.Errorf("stdout (-want +got):\n%s", diff)
	}
}

// TestUpstreamRejected checks that an upstream error reaches the browser
// as an error event, without the upstream's details.
func TestUpstreamRejected(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(standIn))
	defer up.Close()
	gw := &gateway{client: sse.NewClient(), upstream: up.URL, key: "sk-wrong", model: "m"}
	srv := httptest.NewServer(http.HandlerFunc(gw.chat))
	defer srv.Close()
	var out bytes.Buffer
	if err := browse(context.Background(), srv.URL+"/chat?q=hi", &out); err != nil {
		t.Fatal(err)
	}
	want := `error {"message":"the upstream API failed: 401 Unauthorized"}` + "\n"
	if diff := cmp.Diff(want, out.String()); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
}

// upstream is a test stand-in for the API whose handler writes what play
// says, with an Encoder.
func upstream(t *testing.T, play func(enc *sse.Encoder)) *gateway {
	t.Helper()
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		enc := sse.NewEncoder(w)
		enc.SetLastEventID("")
		play(enc)
	}))
	t.Cleanup(up.Close)
	return &gateway{client: sse.NewClient(), upstream: up.URL, key: "k", model: "m"}
}

// TestHeartbeatAndRetryOnTheWire reads the gateway's answer as bytes, as
// a browser gets them: a "retry" field first, then the events, and a
// heartbeat comment while the upstream pauses between two tokens.
func TestHeartbeatAndRetryOnTheWire(t *testing.T) {
	release := make(chan struct{})
	gw := upstream(t, func(enc *sse.Encoder) {
		enc.Encode(chunkEvent("Hello "))
		<-release // the upstream thinks, until the test has seen a heartbeat
		enc.Encode(chunkEvent("world"))
		enc.Encode(sse.Event{Data: "[DONE]"})
	})
	gw.heartbeat = 10 * time.Millisecond
	srv := httptest.NewServer(http.HandlerFunc(gw.chat))
	defer srv.Close()
	defer func() {
		select {
		case <-release:
		default:
			close(release)
		}
	}()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/chat?q=hi", nil)
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	br := bufio.NewReader(resp.Body)
	var wire strings.Builder
	first := `data: {"text":"Hello "}` + "\n"
	seen := false // the first token
	for {
		line, err := br.ReadString('\n')
		wire.WriteString(line)
		if err != nil {
			t.Fatalf("no heartbeat during the upstream's pause: %v; read %q", err, wire.String())
		}
		seen = seen || line == first
		if seen && line == ": \n" {
			break
		}
	}
	close(release)
	rest, err := io.ReadAll(br)
	if err != nil {
		t.Fatal(err)
	}
	wire.Write(rest)
	got := wire.String()
	// The pause is the one after the first token: the heartbeat comes
	// right after it, as nothing else is written there.
	if !strings.Contains(got, first+"\n: \n") {
		t.Errorf("no heartbeat right after the first token in %q", got)
	}
	// Heartbeats may come anywhere else too, as the machine is slow or
	// fast (while the relay connects upstream, say): without them, the
	// wire holds the retry and the events.
	got = strings.ReplaceAll(got, ": \n", "")
	want := "retry: 15000\n" +
		"event: token\n" + first + "\n" +
		"event: token\ndata: {\"text\":\"world\"}\n\n" +
		"event: done\ndata: {}\n\n"
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("wire without heartbeats (-want +got):\n%s", diff)
	}
}

// TestTruncatedAnswerIsAnError checks that an upstream answer that ends
// cleanly before "[DONE]" reaches the browser as an error event, not as
// a finished answer.
func TestTruncatedAnswerIsAnError(t *testing.T) {
	gw := upstream(t, func(enc *sse.Encoder) {
		enc.Encode(chunkEvent("Half "))
		enc.Encode(chunkEvent("an "))
	})
	srv := httptest.NewServer(http.HandlerFunc(gw.chat))
	defer srv.Close()
	var out bytes.Buffer
	if err := browse(context.Background(), srv.URL+"/chat?q=hi", &out); err != nil {
		t.Fatal(err)
	}
	want := `token {"text":"Half "}` + "\n" +
		`token {"text":"an "}` + "\n" +
		`error {"message":"the upstream API failed: the answer ended before [DONE], cut short"}` + "\n"
	if diff := cmp.Diff(want, out.String()); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
}
