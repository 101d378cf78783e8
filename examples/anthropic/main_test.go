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
	want := "Named events tell a client what each piece of the stream is.\n" +
		"Named events tell\n" +
		"error: the API reported overloaded_error: Overloaded\n"
	if diff := cmp.Diff(want, stdout.String()); diff != "" {
		t.Errorf("stdout (-want +got):\n%s", diff)
	}
	wantErr := "ANTHROPIC_API_KEY is not set: asking a local stand-in for the API.\n" +
		"[claude-3-5-haiku-latest]\n" +
		"[stop reason end_turn, 13 output tokens]\n" +
		"\nWhen the API is overloaded mid-answer, an error event ends the stream:\n" +
		"[local-overloaded]\n"
	if diff := cmp.Diff(wantErr, stderr.String()); diff != "" {
		t.Errorf("stderr (-want +got):\n%s", diff)
	}
}
