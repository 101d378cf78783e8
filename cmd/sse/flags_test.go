package main

import (
	"errors"
	"flag"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/ssekit/sse"
)

func TestParseArgs(t *testing.T) {
	// defaults returns the options of "sse URL" changed by set.
	defaults := func(set func(o *options)) *options {
		o := &options{url: "http://x/e", maxRetries: -1, idleTimeout: sse.DefaultIdleTimeout}
		if set != nil {
			set(o)
		}
		return o
	}
	tests := []struct {
		name string
		args []string
		want *options
	}{{
		name: "URL only",
		args: []string{"http://x/e"},
		want: defaults(nil),
	}, {
		name: "flags before and after the URL",
		args: []string{"-v", "http://x/e", "--json", "-H", "A: 1", "-H", "B: 2"},
		want: defaults(func(o *options) {
			o.verbose, o.jsonOut = true, true
			o.headers = []string{"A: 1", "B: 2"}
		}),
	}, {
		name: "every flag",
		args: []string{"-X", "PATCH", "-d", "@-", "--last-event-id", "", "--no-reconnect",
			"--max-retries", "3", "--idle-timeout", "30s", "--event", "a", "--event=b",
			"--data-only", "--json-data", "http://x/e"},
		want: defaults(func(o *options) {
			o.method = "PATCH"
			o.data, o.hasData = "@-", true
			o.hasLastID = true
			o.noReconnect = true
			o.maxRetries = 3
			o.idleTimeout = 30 * time.Second
			o.events = []string{"a", "b"}
			o.dataOnly, o.jsonData = true, true
		}),
	}, {
		name: "the flags of this release",
		args: []string{"--state", "f", "--retry-post", "--reopen", "--max-time", "1m",
			"--accept-type", "Text/Plain", "--accept-type=application/x-ndjson", "--max-size", "64KiB", "--skip-oversized",
			"--done", "[DONE]", "--comments", "http://x/e"},
		want: defaults(func(o *options) {
			o.state = "f"
			o.retryPost, o.reopen = true, true
			o.maxTime = time.Minute
			o.acceptTypes = []string{"text/plain", "application/x-ndjson"}
			o.maxSize, o.skipBig = 64<<10, true
			o.done, o.hasDone = "[DONE]", true
			o.comments = true
		}),
	}, {
		name: "--demo-addr implies --demo",
		args: []string{"--demo-addr", "127.0.0.1:8080"},
		want: defaults(func(o *options) { o.url, o.demo, o.demoAddr = "", true, "127.0.0.1:8080" }),
	}, {
		name: "-- ends the flags",
		args: []string{"-v", "--", "http://x/e"},
		want: defaults(func(o *options) { o.verbose = true }),
	}, {
		name: "-- as the value of -d",
		args: []string{"-d", "--", "http://x/e"},
		want: defaults(func(o *options) { o.data, o.hasData = "--", true }),
	}, {
		name: "demo",
		args: []string{"--demo", "-v"},
		want: defaults(func(o *options) { o.url, o.demo, o.verbose = "", true, true }),
	}, {
		name: "version needs no URL",
		args: []string{"--version"},
		want: defaults(func(o *options) { o.url, o.version = "", true }),
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseArgs(tt.args)
			if err != nil {
				t.Fatalf("parseArgs(%q): %v", tt.args, err)
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(options{})); diff != "" {
				t.Errorf("parseArgs(%q) (-want +got):\n%s", tt.args, diff)
			}
		})
	}
}

func TestParseArgsErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"-d", "x", "--demo"}, "--demo makes its own requests; leave out -d and -X"},
		{[]string{"http://x", "--", "-v"}, `unexpected argument "-v" after the URL "http://x"`},
		{[]string{"-H", ": no name", "http://x"}, `invalid value ": no name" for flag -H: write a header as 'Name: value'`},
		{[]string{"-H", "Bad Name: v", "http://x"}, `invalid value "Bad Name: v" for flag -H: write a header as 'Name: value'`},
		{[]string{"-H", "X: a\x00b", "http://x"}, `invalid value "X: a\x00b" for flag -H: the value of header "X" has a control character`},
		{[]string{"--idle-timeout", "-1s", "http://x"}, "--idle-timeout must be 0 (off) or more, not -1s"},
		{[]string{"http://"}, `"http://" is not an http:// or https:// URL`},
		{[]string{"--last-event-id", " 5", "http://x"}, `--last-event-id " 5" cannot be sent in a Last-Event-ID header: the event ID " 5" starts with a space or tab, which HTTP trims from the header`},
		{[]string{"--max-time", "-1s", "http://x"}, "--max-time must be 0 (no limit) or more, not -1s"},
		{[]string{"--reopen", "--no-reconnect", "http://x"}, "--reopen and --no-reconnect contradict each other; choose one"},
		{[]string{"--done", "", "http://x"}, "--done needs the data of the last event, such as --done '[DONE]'"},
		{[]string{"--demo", "--done", "[DONE]"}, "--demo runs two streams of its own; leave out --done and --state"},
		{[]string{"--demo-addr", "127.0.0.1:1", "--state", "f"}, "--demo runs two streams of its own; leave out --done and --state"},
		{[]string{"--accept-type", "text", "http://x"}, `invalid value "text" for flag -accept-type: write a media type such as text/plain, without parameters`},
		{[]string{"--accept-type", "text/plain; charset=utf-8", "http://x"}, `invalid value "text/plain; charset=utf-8" for flag -accept-type: write a media type such as text/plain, without parameters`},
		{[]string{"--max-size", "big", "http://x"}, `invalid value "big" for flag -max-size: write a size such as 65536, 64KiB or 32MiB, less than 2GiB`},
	}
	for _, tt := range tests {
		_, err := parseArgs(tt.args)
		var uerr usageError
		if !errors.As(err, &uerr) {
			t.Errorf("parseArgs(%q) = %v, want a usage error", tt.args, err)
			continue
		}
		if diff := cmp.Diff(tt.want, err.Error()); diff != "" {
			t.Errorf("parseArgs(%q) (-want +got):\n%s", tt.args, diff)
		}
	}
	if _, err := parseArgs([]string{"-h"}); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("parseArgs(-h) = %v, want flag.ErrHelp", err)
	}
}
