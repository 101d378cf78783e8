// Command sse is curl for Server-Sent Events: it opens an event stream,
// prints its events as they arrive, and keeps the stream alive across
// failures, resuming with Last-Event-ID.
//
//	sse https://example.com/events
//	sse -H "Authorization: Bearer $KEY" -d @request.json https://api.example.com/v1/chat/completions
//	sse --demo
//
// Run sse -h for the flags.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"syscall"

	"github.com/ssekit/sse"
)

// Exit codes.
const (
	exitOK          = 0   // the stream ended cleanly
	exitError       = 1   // the stream failed, or was truncated (--done)
	exitUsage       = 2   // the command line is wrong
	exitMaxTime     = 28  // --max-time ran out, as curl's "operation timed out"
	exitInterrupted = 130 // Ctrl-C or SIGTERM, as shells report SIGINT
)

// errMaxTime is the cause of the context of a run that --max-time cut.
var errMaxTime = errors.New("sse: --max-time ran out")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		// After the first Ctrl-C the stream closes cleanly; a second
		// one kills the process at once.
		<-ctx.Done()
		stop()
	}()
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run runs the command with its arguments, without the program name, and
// returns the exit code. Cancelling ctx is Ctrl-C.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	a := &app{stdin: stdin, stdout: stdout, stderr: stderr, demo: defaultDemoConfig()}
	return a.run(ctx, args)
}

// app is one run of the command.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	demo           demoConfig // the pace of the --demo server
}

func (a *app) run(ctx context.Context, args []string) int {
	o, err := parseArgs(args)
	var uerr usageError
	switch {
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprint(a.stdout, usage)
		return exitOK
	case errors.As(err, &uerr):
		fmt.Fprintf(a.stderr, "sse: %v\nRun 'sse -h' for usage.\n", err)
		return exitUsage
	case err != nil:
		fmt.Fprintf(a.stderr, "sse: %v\n", err)
		return exitError
	case o.version:
		fmt.Fprintln(a.stdout, version())
		return exitOK
	}
	if o.maxTime > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, o.maxTime, errMaxTime)
		defer cancel()
	}
	if o.demo {
		return a.runDemo(ctx, o)
	}
	return a.stream(ctx, o)
}

// stream opens the stream that o describes and prints its events until it
// ends.
func (a *app) stream(ctx context.Context, o *options) int {
	body, err := readBody(o, a.stdin)
	if err != nil {
		fmt.Fprintf(a.stderr, "sse: %v\n", err)
		return exitError
	}
	var state *stateFile
	if o.state != "" {
		if state, err = loadState(o.state); err != nil {
			fmt.Fprintf(a.stderr, "sse: %v\n", err)
			return exitError
		}
		if id, ok := state.lastID(); ok {
			so := *o
			so.lastEventID, so.hasLastID = id, true
			o = &so
		}
	}
	req, err := newRequest(ctx, o, body)
	if err != nil {
		fmt.Fprintf(a.stderr, "sse: %v\nRun 'sse -h' for usage.\n", err)
		return exitUsage
	}
	out := newPrinter(a.stdout, a.stderr, o)
	var comment func([]byte)
	if o.comments {
		comment = out.comment
	}
	client, closeIdle := newClient(o, a.stderr, comment)
	defer closeIdle()
	s := client.Connect(req)
	defer s.Close()

	done, err := copyEvents(s, out, state, o)
	if err != nil {
		fmt.Fprintf(a.stderr, "sse: %v\n", err)
		return exitError
	}
	err = s.Err()
	switch {
	case done:
		return exitOK
	case errors.Is(context.Cause(ctx), errMaxTime):
		fmt.Fprintf(a.stderr, "sse: stopped after --max-time %v\n", o.maxTime)
		return exitMaxTime
	case ctx.Err() != nil:
		fmt.Fprintln(a.stderr, "interrupted")
		return exitInterrupted
	case err != nil:
		reportError(a.stderr, err, o, s.LastEventID())
		return exitError
	case o.hasDone:
		fmt.Fprintf(a.stderr, "sse: stream truncated: it ended before the event whose data is %q (--done)\n", o.done)
		return exitError
	}
	return exitOK
}

// copyEvents prints the events of s until it ends, or until the --done
// event, and reports whether that event came. After each event it saves
// the last event ID in state, so that the ID is saved only once the event
// is out. The error is one of writing the output or the state; the
// stream's own error is left to [sse.Stream.Err].
func copyEvents(s *sse.Stream, out *printer, state *stateFile, o *options) (done bool, err error) {
	for s.Next() {
		if err := out.commentErr(); err != nil {
			return false, fmt.Errorf("writing a comment to the output: %w", err)
		}
		ev := s.Event()
		if o.hasDone && ev.Data == o.done {
			done = true
			break
		}
		if err := out.print(ev); err != nil {
			return false, fmt.Errorf("writing an event to the output: %w", err)
		}
		if err := state.save(s.LastEventID()); err != nil {
			return false, err
		}
	}
	if err := out.commentErr(); err != nil {
		return false, fmt.Errorf("writing a comment to the output: %w", err)
	}
	// The stream may have moved its last event ID with an "id" field
	// that dispatched no event, and the --done event may carry one.
	return done, state.save(s.LastEventID())
}

// version returns the command's version: the module version it was built
// from, or (devel) for a build from a checkout.
func version() string {
	v := "(devel)"
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		v = bi.Main.Version
	}
	return fmt.Sprintf("sse %s %s", v, runtime.Version())
}
