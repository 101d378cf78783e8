package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/ssekit/sse/internal/corpus"
)

// Config says how to run a measurement.
type Config struct {
	// Clients are the clients to measure, the floor among them.
	Clients []Client
	// Runs is how many times each client is measured: in each run every
	// client runs once, in turn, so that a change in the machine's load
	// falls on all of them alike.
	Runs int
	// Timeout bounds one child process.
	Timeout time.Duration
	// Progress, if not nil, is told what is being done.
	Progress func(format string, args ...any)
}

func (c Config) progress(format string, args ...any) {
	if c.Progress != nil {
		c.Progress(format, args...)
	}
}

// Sample is one client's read of the whole stream, in a child process.
type Sample struct {
	Wall    time.Duration // from the request to the [DONE] event
	CPU     time.Duration // user + system CPU time of the child meanwhile
	Mallocs uint64        // heap allocations meanwhile
	Bytes   uint64        // bytes allocated meanwhile
	Reads   int64         // calls to the body's Read meanwhile
}

// IdleSample is what one child's idle streams held, per stream.
type IdleSample struct {
	Heap       float64 // bytes of live heap, after a collection
	Stack      float64 // bytes of goroutine stacks in use
	Goroutines float64
}

// Result is what one client did over the runs of one measurement.
type Result struct {
	Client Client
	// Status is empty when every run went right, and otherwise says what
	// went wrong: an error, or counts that differ from the corpus.
	Status string
	// Failed is true when a run ended with an error; the result then has
	// no samples.
	Failed bool
	// Samples holds one Sample per run of the throughput measurement.
	Samples []Sample
	// Idle holds one IdleSample per run of the idle measurement.
	Idle []IdleSample
}

// Setting is how the server sends the corpus.
type Setting struct {
	// Flush is the number of events after which a net/http server
	// flushes: each flush sends one chunk of the chunked transfer coding.
	Flush int
	// Ahead sends the same bytes, chunk for chunk, written ahead of the
	// client in large writes, so that the client never waits for the
	// server: what is measured is then the client alone, running flat out.
	// Otherwise a net/http handler writes and flushes as fast as it can,
	// and a client as fast as the server waits for it between reads.
	Ahead bool
}

func (s Setting) url(srv *Server) string {
	if s.Ahead {
		return srv.AheadURL(s.Flush)
	}
	return srv.StreamURL(s.Flush)
}

// Throughput serves c, which must end with a "[DONE]" event and separate
// events with "\n\n", on 127.0.0.1, in each of the settings, and has every
// client read it to [DONE] cfg.Runs times, each time in a child process.
// It returns the results by setting, then by client in the order of
// cfg.Clients.
func Throughput(ctx context.Context, c corpus.Corpus, settings []Setting, cfg Config) ([][]Result, error) {
	if !bytes.HasSuffix(c.Data, []byte("data: "+done+"\n\n")) {
		return nil, fmt.Errorf("the corpus %s does not end with a %s event", c.Name, done)
	}
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	want := wanted{events: c.Want.Events, dataBytes: c.Want.DataBytes}
	if slices.ContainsFunc(cfg.Clients, func(cl Client) bool { return cl.Typed }) {
		if want.content, err = ContentBytes(c); err != nil {
			return nil, fmt.Errorf("the corpus %s is not made of chat-completion chunks: %v", c.Name, err)
		}
	}
	srv, err := NewServer(c.Data)
	if err != nil {
		return nil, err
	}
	defer srv.Close()
	out := make([][]Result, len(settings))
	for si, set := range settings {
		rs := make([]Result, len(cfg.Clients))
		for i, cl := range cfg.Clients {
			rs[i].Client = cl
		}
		for run := range cfg.Runs {
			cfg.progress("e2e, %s: run %d of %d", set.url(srv), run+1, cfg.Runs)
			for i := range rs {
				r := &rs[i]
				if r.Failed {
					continue
				}
				j := job{Mode: "stream", Client: r.Client.Name, Base: srv.URL, URL: set.url(srv), Timeout: cfg.Timeout}
				rep, err := runChild(ctx, exe, j)
				if err == nil && rep.Err != "" {
					err = errors.New(rep.Err)
				}
				if err != nil {
					r.Failed, r.Status, r.Samples = true, err.Error(), nil
					continue
				}
				if d := want.diff(r.Client, len(c.Data), rep.Count); d != "" && r.Status == "" {
					r.Status = d
				}
				r.Samples = append(r.Samples, Sample{Wall: rep.Wall, CPU: rep.CPU, Mallocs: rep.Mallocs, Bytes: rep.Bytes, Reads: rep.Reads})
			}
		}
		out[si] = rs
	}
	return out, nil
}

// wanted is what a client must read from a corpus: its events, their
// data bytes, and the bytes of the chunks' content, which a typed client
// counts instead.
type wanted struct {
	events             int
	dataBytes, content int64
}

// diff says how what cl read from a corpus of size bytes differs from w,
// or returns "".
func (w wanted) diff(cl Client, size int, got Count) string {
	if cl.Kind == Floor {
		if got.DataBytes != int64(size) {
			return fmt.Sprintf("read %d bytes, want %d", got.DataBytes, size)
		}
		return ""
	}
	what, want := "data", w.dataBytes
	if cl.Typed {
		what, want = "content", w.content
	}
	switch {
	case got.Events != w.events && got.DataBytes != want:
		return fmt.Sprintf("%d events, want %d; %d %s bytes, want %d", got.Events, w.events, got.DataBytes, what, want)
	case got.Events != w.events:
		return fmt.Sprintf("%d events, want %d", got.Events, w.events)
	case got.DataBytes != want:
		return fmt.Sprintf("%d %s bytes, want %d", got.DataBytes, what, want)
	}
	return ""
}

// Idle has every client hold streams idle streams open at once, on
// 127.0.0.1, cfg.Runs times, each time in a child process, and returns
// what each held per stream, by client in the order of cfg.Clients. The
// server runs in this process, so that only the clients' memory counts.
func Idle(ctx context.Context, streams int, cfg Config) ([]Result, error) {
	if limit, ok := openFileLimit(); ok && limit < uint64(streams)+256 {
		return nil, fmt.Errorf("%d idle streams need more open files than the limit of %d; raise it with ulimit -n", streams, limit)
	}
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	srv, err := NewServer(nil)
	if err != nil {
		return nil, err
	}
	defer srv.Close()
	rs := make([]Result, len(cfg.Clients))
	for i, cl := range cfg.Clients {
		rs[i].Client = cl
	}
	for run := range cfg.Runs {
		cfg.progress("idle, %d streams: run %d of %d", streams, run+1, cfg.Runs)
		for i := range rs {
			r := &rs[i]
			if r.Failed {
				continue
			}
			j := job{Mode: "idle", Client: r.Client.Name, Base: srv.URL, URL: srv.IdleURL(), Streams: streams, Timeout: cfg.Timeout}
			rep, err := runChild(ctx, exe, j)
			if err == nil && rep.Err != "" {
				err = errors.New(rep.Err)
			}
			if err != nil {
				r.Failed, r.Status, r.Idle = true, err.Error(), nil
				continue
			}
			n := float64(streams)
			r.Idle = append(r.Idle, IdleSample{
				Heap:       float64(rep.Heap) / n,
				Stack:      float64(rep.Stack) / n,
				Goroutines: float64(rep.Goroutines) / n,
			})
		}
	}
	return rs, nil
}
