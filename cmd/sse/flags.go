package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/ssekit/sse"
)

// usage is the text that -h prints.
const usage = `Usage: sse [flags] URL
       sse --demo [flags]

sse opens a Server-Sent Events stream and prints its events as they arrive.
A GET stream reconnects after failures and resumes with Last-Event-ID;
a POST (-d) is sent once. Flags may come before or after the URL.

Request:
  -X METHOD             request method (default GET, or POST with -d)
  -H 'Name: value'      add a request header (repeatable)
  -d DATA               request body; -d @file reads a file, -d @- reads stdin
                        (Content-Type: application/json is set for a JSON body
                        unless -H sets one)
  --last-event-id ID    resume the stream after the event with this ID

Connection:
  --no-reconnect        stop when the connection ends, instead of reconnecting
  --max-retries N       give up after N failed reconnections in a row
                        (default: keep trying)
  --idle-timeout D      reconnect when no byte arrives for D, such as 30s
                        (default 5m0s; 0 turns it off)

Output:
  --event NAME          print only events of type NAME (repeatable)
  --json                print one JSON object per event: {"type","data","id"}
  --data-only           print only the data of each event
  --json-data           pretty-print data that is JSON (embed it as JSON with --json)
  -v                    show request and response headers on stderr;
                        credentials are shown as ***

Other:
  --demo                run against a demo server started on 127.0.0.1
  --version             print the version and exit

Progress lines (connected, reconnecting, stream ended) go to stderr, events
to stdout. Exit status: 0 when the stream ended cleanly, 1 on an error,
2 on a usage error, 130 when interrupted.
`

// options is what the command line asks for.
type options struct {
	url         string
	method      string
	headers     []string // "Name: value"
	data        string   // DATA, @file or @-, if hasData
	hasData     bool
	lastEventID string
	hasLastID   bool
	noReconnect bool
	maxRetries  int // -1: no limit
	idleTimeout time.Duration
	events      []string
	jsonOut     bool
	dataOnly    bool
	jsonData    bool
	verbose     bool
	version     bool
	demo        bool
}

// usageError is a mistake in the command line, which exits with 2.
type usageError string

func (e usageError) Error() string { return string(e) }

func usagef(format string, args ...any) error {
	return usageError(fmt.Sprintf(format, args...))
}

// listFlag is a flag that may be given many times; it keeps every value.
type listFlag struct {
	values *[]string
	check  func(string) error
}

func (f listFlag) String() string {
	if f.values == nil {
		return ""
	}
	return strings.Join(*f.values, ", ")
}

func (f listFlag) Set(v string) error {
	if f.check != nil {
		if err := f.check(v); err != nil {
			return err
		}
	}
	*f.values = append(*f.values, v)
	return nil
}

// checkHeader accepts "Name: value" with a name of visible ASCII
// characters and a value without control characters but tab.
func checkHeader(h string) error {
	name, value, ok := strings.Cut(h, ":")
	if !ok || name == "" || strings.IndexFunc(name, func(r rune) bool { return r <= ' ' || r >= 0x7f }) >= 0 {
		return errors.New("write a header as 'Name: value'")
	}
	if strings.IndexFunc(value, func(r rune) bool { return (r < ' ' && r != '\t') || r == 0x7f }) >= 0 {
		return fmt.Errorf("the value of header %q has a control character", name)
	}
	return nil
}

// parseArgs reads the command line. Flags may come before and after the
// URL; "--" ends the flags. -h returns flag.ErrHelp.
func parseArgs(args []string) (*options, error) {
	o := &options{maxRetries: -1, idleTimeout: sse.DefaultIdleTimeout}
	fs := flag.NewFlagSet("sse", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	fs.StringVar(&o.method, "X", "", "")
	fs.Var(listFlag{values: &o.headers, check: checkHeader}, "H", "")
	fs.StringVar(&o.data, "d", "", "")
	fs.StringVar(&o.lastEventID, "last-event-id", "", "")
	fs.BoolVar(&o.noReconnect, "no-reconnect", false, "")
	fs.IntVar(&o.maxRetries, "max-retries", -1, "")
	fs.DurationVar(&o.idleTimeout, "idle-timeout", sse.DefaultIdleTimeout, "")
	fs.Var(listFlag{values: &o.events}, "event", "")
	fs.BoolVar(&o.jsonOut, "json", false, "")
	fs.BoolVar(&o.dataOnly, "data-only", false, "")
	fs.BoolVar(&o.jsonData, "json-data", false, "")
	fs.BoolVar(&o.verbose, "v", false, "")
	fs.BoolVar(&o.version, "version", false, "")
	fs.BoolVar(&o.demo, "demo", false, "")

	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			msg := err.Error()
			if name, ok := strings.CutPrefix(msg, "flag provided but not defined: "); ok {
				msg = "unknown flag " + name
			}
			return nil, usageError(msg)
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		if endedFlags(fs, args, rest) {
			positional = append(positional, rest...)
			break
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "d":
			o.hasData = true
		case "last-event-id":
			o.hasLastID = true
		}
	})
	if err := o.check(positional); err != nil {
		return nil, err
	}
	return o, nil
}

// endedFlags reports whether fs stopped parsing args at a "--", after
// which every argument, rest, is positional.
func endedFlags(fs *flag.FlagSet, args, rest []string) bool {
	i := len(args) - len(rest)
	if i < 1 || args[i-1] != "--" {
		return false
	}
	if i >= 2 {
		// "-d --" gives -d the value "--": that is not the end of flags.
		prev := args[i-2]
		name := strings.TrimLeft(prev, "-")
		if strings.HasPrefix(prev, "-") && !strings.Contains(name, "=") {
			if f := fs.Lookup(name); f != nil {
				b, ok := f.Value.(interface{ IsBoolFlag() bool })
				if !ok || !b.IsBoolFlag() {
					return false
				}
			}
		}
	}
	return true
}

// check validates the options and takes the URL from the positional
// arguments.
func (o *options) check(positional []string) error {
	if o.version {
		return nil
	}
	switch {
	case o.demo && len(positional) > 0:
		return usagef("--demo takes no URL, but got %q", positional[0])
	case o.demo && (o.hasData || o.method != ""):
		return usagef("--demo makes its own requests; leave out -d and -X")
	case !o.demo && len(positional) == 0:
		return usagef("missing URL")
	case len(positional) > 1:
		return usagef("unexpected argument %q after the URL %q", positional[1], positional[0])
	case o.jsonOut && o.dataOnly:
		return usagef("--json and --data-only are two output formats; choose one")
	case o.maxRetries < -1:
		return usagef("--max-retries must be 0 or more, not %d", o.maxRetries)
	case o.idleTimeout < 0:
		return usagef("--idle-timeout must be 0 (off) or more, not %v", o.idleTimeout)
	}
	if o.demo {
		return nil
	}
	o.url = positional[0]
	u, err := url.Parse(o.url)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		if !strings.Contains(o.url, "://") {
			return usagef("%q is not an http:// or https:// URL; did you mean \"http://%s\"?", o.url, o.url)
		}
		return usagef("%q is not an http:// or https:// URL", o.url)
	}
	return nil
}
