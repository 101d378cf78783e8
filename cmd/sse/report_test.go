package main

import (
	"context"
	"flag"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ssekit/sse"
)

var (
	// flagRE finds what reads as a flag in a hint: -X, --max-retries.
	flagRE = regexp.MustCompile(`(?:^|[\s(])(--?[A-Za-z][a-z-]*)`)
	// goAPIRE finds what reads as a Go API, which a user of the command
	// cannot use: WithValidator, Parser.SetLimits, Request.GetBody.
	goAPIRE = regexp.MustCompile(`\bWith[A-Z]\w*|\b(?:Parser|Request|Client|Stream|Encoder|ResponseError)\.[A-Z]|\bSet[A-Z]\w*\(|\(true\)|\b(?:Max|Default)\w*Size\b|\bErr[A-Z]\w*`)
)

// TestHintsNameFlags runs the command into each failure it explains, and
// checks that every hint names a flag that exists and that nothing on
// stderr names a Go API.
func TestHintsNameFlags(t *testing.T) {
	status := func(code int) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(code) }
	}
	idle := hold("")
	tests := []struct {
		name    string
		handler http.HandlerFunc // nil: nothing listens
		args    []string
		hints   int // how many hint lines
	}{
		{"401", status(401), nil, 1},
		{"403", status(403), nil, 1},
		{"404", status(404), nil, 1},
		{"405", status(405), nil, 1},
		{"400 on a POST", status(400), []string{"-d", "{}"}, 1},
		{"415", status(415), []string{"-d", "{}"}, 1},
		{"503, no retries left", status(503), []string{"--max-retries", "0"}, 1},
		{"503 on a POST", status(503), []string{"-d", "{}"}, 1},
		{"429 on a PATCH", status(429), []string{"-X", "PATCH", "-d", "{}"}, 1},
		{"503 with --no-reconnect", status(503), []string{"--no-reconnect"}, 1},
		{"not an event stream", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, "{}")
		}, nil, 1},
		{"idle, --no-reconnect", idle, []string{"--idle-timeout", "20ms", "--no-reconnect"}, 2},
		{"idle POST", idle, []string{"--idle-timeout", "20ms", "-d", "x"}, 2},
		{"idle, no retries left", idle, []string{"--idle-timeout", "20ms", "--max-retries", "0"}, 1},
		{"idle, a retry shown whole by -v", idle, []string{"-v", "--idle-timeout", "20ms", "--max-retries", "1"}, 1},
		{"refused, --no-reconnect", nil, []string{"--no-reconnect"}, 1},
		{"refused POST", nil, []string{"-d", "x"}, 1},
		{"connection lost in a POST", func(w http.ResponseWriter, r *http.Request) {
			eventStream(w)
			io.WriteString(w, "data: cut")
			w.(http.Flusher).Flush()
			panic(http.ErrAbortHandler)
		}, []string{"-d", "x"}, 1},
		{"line too long", fixed("data: " + strings.Repeat("x", 100) + "\n\n"), []string{"--max-size", "50"}, 1},
		{"event too large", fixed(strings.Repeat("data: xxxxxxxxxx\n", 10) + "\n"), []string{"--max-size", "50"}, 1},
		{"an ID a header cannot carry", fixed("retry: 1\nid: a\x01b\ndata: x\n\n"), nil, 1},
		{"an ID too long to send back", fixed("retry: 1\nid: " + strings.Repeat("i", sse.MaxEventIDSize+1) + "\ndata: x\n\n"), []string{"--state", "STATE"}, 1},
	}
	flags := newFlagSet(&options{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url := serveOrRefuse(t, tt.handler)
			args := append(tt.args, url+"/x")
			for i, a := range args {
				if a == "STATE" {
					args[i] = filepath.Join(t.TempDir(), "state")
				}
			}
			got := runCLI(t, context.Background(), "", args...)
			if got.Code != exitError {
				t.Fatalf("run = %+v, want exit %d", got, exitError)
			}
			t.Logf("stderr:\n%s", got.Stderr)
			if m := goAPIRE.FindString(got.Stderr); m != "" {
				t.Errorf("stderr names the Go API %q, which a user of sse cannot use:\n%s", m, got.Stderr)
			}
			var hints []string
			for line := range strings.SplitSeq(got.Stderr, "\n") {
				if h, ok := strings.CutPrefix(line, "hint: "); ok {
					hints = append(hints, h)
				}
			}
			if len(hints) != tt.hints {
				t.Errorf("got %d hints, want %d:\n%s", len(hints), tt.hints, got.Stderr)
			}
			for _, h := range hints {
				named := flagRE.FindAllStringSubmatch(h, -1)
				if len(named) == 0 {
					t.Errorf("hint %q names no flag", h)
				}
				for _, m := range named {
					if flags.Lookup(strings.TrimLeft(m[1], "-")) == nil {
						t.Errorf("hint %q names %s, which is no flag", h, m[1])
					}
				}
			}
		})
	}
}

// TestUsageListsEveryFlag checks that -h documents each flag, and that
// the defaults it states are the library's.
func TestUsageListsEveryFlag(t *testing.T) {
	newFlagSet(&options{}).VisitAll(func(f *flag.Flag) {
		dash := "--"
		if len(f.Name) == 1 {
			dash = "-"
		}
		if !regexp.MustCompile(`(?m)^  ` + regexp.QuoteMeta(dash+f.Name) + `\b`).MatchString(usage) {
			t.Errorf("usage does not list %s%s", dash, f.Name)
		}
	})
	for _, def := range []string{
		"(default " + formatSize(sse.DefaultMaxLineSize) + ")",
		"(default " + sse.DefaultIdleTimeout.String() + ";",
	} {
		if !strings.Contains(usage, def) {
			t.Errorf("usage does not say %q", def)
		}
	}
	if sse.DefaultMaxLineSize != sse.DefaultMaxEventSize {
		t.Errorf("--max-size sets both limits, whose defaults differ: %d and %d", sse.DefaultMaxLineSize, sse.DefaultMaxEventSize)
	}
}
