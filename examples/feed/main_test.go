package main

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// TestOffline runs the example against its local feed, which it kills and
// restarts mid-stream: every event must arrive once, in order.
func TestOffline(t *testing.T) {
	var stdout, stderr bytes.Buffer
	noEnv := func(string) string { return "" }
	if err := run(context.Background(), noEnv, &stdout, &stderr); err != nil {
		t.Fatalf("run: %v\nstderr:\n%s", err, stderr.String())
	}
	var want strings.Builder
	for i := 1; i <= events; i++ {
		fmt.Fprintf(&want, "%d tick: event %d of %d\n", i, i, events)
	}
	if diff := cmp.Diff(want.String(), stdout.String()); diff != "" {
		t.Errorf("stdout (-want +got):\n%s", diff)
	}
	// How many attempts the reconnection takes depends on timing; what
	// matters is the order of what happened. The client may see the
	// dropped connection, and say it reconnects, before the server's
	// goroutine says it was killed: those two lines come in either order.
	log := stderr.String()
	if !strings.Contains(log, "server killed; back in 300ms") {
		t.Fatalf("stderr lacks the kill:\n%s", log)
	}
	steps := []string{
		`connected (200 OK), Last-Event-ID ""`,
		"reconnecting in ",
		"server restarted",
		`connected (200 OK), Last-Event-ID "4"`,
	}
	rest := log
	for _, step := range steps {
		i := strings.Index(rest, step)
		if i < 0 {
			t.Fatalf("stderr lacks %q after the steps before it:\n%s", step, log)
		}
		rest = rest[i+len(step):]
	}
}
