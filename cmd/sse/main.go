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
)

// Exit codes.
const (
	exitOK          = 0   // the stream ended cleanly
	exitError       = 1   // the stream failed
	exitUsage       = 2   // the command line is wrong
	exitInterrupted = 130 // Ctrl-C, as shells report SIGINT
)

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
	case o.demo:
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
	req, err := newRequest(ctx, o, body)
	if err != nil {
		fmt.Fprintf(a.stderr, "sse: %v\nRun 'sse -h' for usage.\n", err)
		return exitUsage
	}
	client, closeIdle := newClient(o, a.stderr)
	defer closeIdle()
	s := client.Connect(req)
	defer s.Close()

	out := newPrinter(a.stdout, o)
	for s.Next() {
		if err := out.print(s.Event()); err != nil {
			fmt.Fprintf(a.stderr, "sse: writing an event to the output: %v\n", err)
			return exitError
		}
	}
	err = s.Err()
	switch {
	case ctx.Err() != nil:
		fmt.Fprintln(a.stderr, "interrupted")
		return exitInterrupted
	case err != nil:
		reportError(a.stderr, err)
		return exitError
	}
	return exitOK
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
