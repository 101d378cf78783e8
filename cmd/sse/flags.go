package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"mime"
	"net/url"
	"strconv"
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
  --state FILE          keep the last event ID in FILE and resume from it:
                        a second run goes on where the first one stopped
                        (FILE, when it exists, wins over --last-event-id)

Connection:
  --no-reconnect        stop when the connection ends, instead of reconnecting
  --max-retries N       give up after N failed reconnections in a row
                        (default -1: keep trying)
  --retry-post          send a POST (or another request that is not
                        idempotent) again after a failure; by default it is
                        sent once, since sending it again can repeat its work
  --reopen              open the stream again whenever the server ends it,
                        whatever the method, as a GET feed is by default
  --idle-timeout D      reconnect when no byte arrives for D, such as 30s
                        (default 5m0s; 0 turns it off)
  --max-time D          stop the whole run after D, such as 1m, and exit 28
                        (default: no limit)
  --accept-type TYPE    read a response of Content-Type TYPE as an event
                        stream too, such as text/plain (repeatable)
  --max-size SIZE       the longest line, and the most data, type and ID of
                        one event, to accept, such as 64KiB (default 16MiB)
  --skip-oversized      skip an event over --max-size, instead of stopping

Output:
  --event NAME          print only events of type NAME (repeatable)
  --done TEXT           stop at the event whose data is TEXT, such as [DONE],
                        without printing it; a stream that ends before it
                        is truncated: exit 1
  --comments            print comments (": text") as they arrive; with --json
                        as {"comment":"text"}, with --data-only on stderr
  --json                print one JSON object per event: {"type","data","id"}
  --data-only           print only the data of each event
  --json-data           pretty-print data that is JSON (embed it as JSON with --json)
  -v                    show request and response headers on stderr;
                        credentials and query values are shown as ***

Other:
  --demo                run against a demo server started on 127.0.0.1
  --demo-addr ADDR      the demo server's address, such as 127.0.0.1:8080
                        (implies --demo; default: a free port)
  --version             print the version and exit

Progress lines (connected, reconnecting, stream ended) go to stderr, events
to stdout. Exit status: 0 when the stream ended cleanly, 1 on an error
(a truncated stream too), 2 on a usage error, 28 when --max-time ran out,
130 when interrupted (Ctrl-C or SIGTERM).
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
	state       string // the --state file, if not ""
	noReconnect bool
	maxRetries  int // -1: no limit
	retryPost   bool
	reopen      bool
	idleTimeout time.Duration
	maxTime     time.Duration // 0: no limit
	acceptTypes []string      // media types, lower case
	maxSize     int           // 0: the library's default
	skipBig     bool
	events      []string
	done        string // the data that ends the stream, if hasDone
	hasDone     bool
	comments    bool
	jsonOut     bool
	dataOnly    bool
	jsonData    bool
	verbose     bool
	version     bool
	demo        bool
	demoAddr    string
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
	fs := newFlagSet(o)
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
		case "done":
			o.hasDone = true
		case "demo-addr":
			o.demo = true
		}
	})
	if err := o.check(positional); err != nil {
		return nil, err
	}
	return o, nil
}

// newFlagSet returns the command's flags, which set the fields of o.
func newFlagSet(o *options) *flag.FlagSet {
	fs := flag.NewFlagSet("sse", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	fs.StringVar(&o.method, "X", "", "")
	fs.Var(listFlag{values: &o.headers, check: checkHeader}, "H", "")
	fs.StringVar(&o.data, "d", "", "")
	fs.StringVar(&o.lastEventID, "last-event-id", "", "")
	fs.StringVar(&o.state, "state", "", "")
	fs.BoolVar(&o.noReconnect, "no-reconnect", false, "")
	fs.IntVar(&o.maxRetries, "max-retries", -1, "")
	fs.BoolVar(&o.retryPost, "retry-post", false, "")
	fs.BoolVar(&o.reopen, "reopen", false, "")
	fs.DurationVar(&o.idleTimeout, "idle-timeout", sse.DefaultIdleTimeout, "")
	fs.DurationVar(&o.maxTime, "max-time", 0, "")
	fs.Var(listFlag{values: &o.acceptTypes, check: checkMediaType}, "accept-type", "")
	fs.Var(sizeFlag{&o.maxSize}, "max-size", "")
	fs.BoolVar(&o.skipBig, "skip-oversized", false, "")
	fs.Var(listFlag{values: &o.events}, "event", "")
	fs.StringVar(&o.done, "done", "", "")
	fs.BoolVar(&o.comments, "comments", false, "")
	fs.BoolVar(&o.jsonOut, "json", false, "")
	fs.BoolVar(&o.dataOnly, "data-only", false, "")
	fs.BoolVar(&o.jsonData, "json-data", false, "")
	fs.BoolVar(&o.verbose, "v", false, "")
	fs.BoolVar(&o.version, "version", false, "")
	fs.BoolVar(&o.demo, "demo", false, "")
	fs.StringVar(&o.demoAddr, "demo-addr", "", "")
	return fs
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
	case o.demo && (o.hasDone || o.state != ""):
		return usagef("--demo runs two streams of its own; leave out --done and --state")
	case !o.demo && len(positional) == 0:
		return usagef("missing URL")
	case len(positional) > 1:
		return usagef("unexpected argument %q after the URL %q", positional[1], positional[0])
	case o.jsonOut && o.dataOnly:
		return usagef("--json and --data-only are two output formats; choose one")
	case o.maxRetries < -1:
		return usagef("--max-retries must be 0 or more, or -1 to keep trying, not %d", o.maxRetries)
	case o.idleTimeout < 0:
		return usagef("--idle-timeout must be 0 (off) or more, not %v", o.idleTimeout)
	case o.maxTime < 0:
		return usagef("--max-time must be 0 (no limit) or more, not %v", o.maxTime)
	case o.reopen && o.noReconnect:
		return usagef("--reopen and --no-reconnect contradict each other; choose one")
	case o.hasLastID && sse.CheckEventID(o.lastEventID) != nil:
		return usagef("--last-event-id %q cannot be sent in a Last-Event-ID header: %s", o.lastEventID,
			strings.TrimPrefix(sse.CheckEventID(o.lastEventID).Error(), sse.ErrInvalidLastEventID.Error()+": "))
	case o.hasDone && o.done == "":
		return usagef("--done needs the data of the last event, such as --done '[DONE]'")
	}
	for i, t := range o.acceptTypes {
		o.acceptTypes[i] = mediaType(t)
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

// checkMediaType accepts a media type such as text/plain, without
// parameters.
func checkMediaType(v string) error {
	mt, params, err := mime.ParseMediaType(v)
	if err != nil || len(params) > 0 || !strings.Contains(mt, "/") {
		return errors.New("write a media type such as text/plain, without parameters")
	}
	return nil
}

// sizeFlag is a size in bytes, written as a number of bytes or with a
// unit: 64KiB, 32MiB (KB and MB are taken for KiB and MiB too).
type sizeFlag struct{ n *int }

func (f sizeFlag) String() string {
	if f.n == nil || *f.n == 0 {
		return ""
	}
	return formatSize(*f.n)
}

func (f sizeFlag) Set(v string) error {
	num, unit := v, 1
	for _, u := range []struct {
		suffix string
		size   int
	}{{"KiB", 1 << 10}, {"KB", 1 << 10}, {"K", 1 << 10}, {"MiB", 1 << 20}, {"MB", 1 << 20}, {"M", 1 << 20}, {"GiB", 1 << 30}, {"B", 1}} {
		if n, ok := strings.CutSuffix(v, u.suffix); ok {
			num, unit = n, u.size
			break
		}
	}
	n, err := strconv.Atoi(strings.TrimSpace(num))
	if err != nil || n <= 0 || n > math.MaxInt32/unit {
		return errors.New("write a size such as 65536, 64KiB or 32MiB, less than 2GiB")
	}
	*f.n = n * unit
	return nil
}

// formatSize writes n bytes as the largest unit that divides it.
func formatSize(n int) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return strconv.Itoa(n>>20) + "MiB"
	case n >= 1<<10 && n%(1<<10) == 0:
		return strconv.Itoa(n>>10) + "KiB"
	}
	return strconv.Itoa(n) + "B"
}
