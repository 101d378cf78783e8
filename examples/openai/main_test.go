package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// TestOffline runs the example against its local stand-in for the API.
func TestOffline(t *testing.T) {
	var stdout, stderr bytes.Buffer
	noEnv := func(string) string { return "" }
	if err := run(context.Background(), nil, noEnv, &stdout, &stderr); err != nil {
		t.Fatalf("run: %v\nstderr:\n%s", err, stderr.String())
	}
	want := "Server-sent events let a server push text to a client over one long-lived HTTP response.\n" +
		"error: the API answered 401 Unauthorized (invalid_api_key): Incorrect API key provided: sk-wrong.\n"
	if diff := cmp.Diff(want, stdout.String()); diff != "" {
		t.Errorf("stdout (-want +got):\n%s", diff)
	}
	wantErr := "OPENAI_API_KEY is not set: asking a local stand-in for the API.\n" +
		"\nThe same request with a wrong key fails before any event, with the API's own message:\n"
	if diff := cmp.Diff(wantErr, stderr.String()); diff != "" {
		t.Errorf("stderr (-want +got):\n%s", diff)
	}
}
