package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

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
