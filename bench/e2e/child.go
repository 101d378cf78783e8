package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"sync/atomic"
	"time"

	"github.com/ssekit/sse/internal/memstat"
)

// ChildEnv is the environment variable that makes a process a child of
// the benchmark: it holds, as JSON, which client runs which measurement
// against which URL.
const ChildEnv = "SSEBENCH_E2E_CHILD"

// ProfileEnv, when set to a directory, makes each child write a profile
// there: a CPU profile of the read of a stream, or a heap profile of the
// idle streams with every allocation sampled, for go tool pprof
// (-sample_index=inuse_space). Files are named after the mode, the client
// and the process.
const ProfileEnv = "SSEBENCH_E2E_PROFILE"

// job is what a child process is told to do.
type job struct {
	Mode    string        `json:"mode"` // "stream" or "idle"
	Client  string        `json:"client"`
	Base    string        `json:"base"` // the server's base URL
	URL     string        `json:"url"`
	Streams int           `json:"streams,omitempty"` // idle streams to hold
	Timeout time.Duration `json:"timeout"`
}

// report is what a child process found, written as one line of JSON on
// its standard output.
type report struct {
	Err string `json:"error,omitempty"`

	// Stream.
	Count
	Wall    time.Duration `json:"wall"`
	CPU     time.Duration `json:"cpu"` // user + system, of the whole process
	Mallocs uint64        `json:"mallocs"`
	Bytes   uint64        `json:"bytes"`
	Reads   int64         `json:"reads"` // calls to the response body's Read

	// Idle: what all the streams added, over the figures before the
	// first one opened.
	Heap       int64 `json:"heap"`
	Stack      int64 `json:"stack"`
	Goroutines int   `json:"goroutines"`
}

// IsChild reports whether this process was started as a child of the
// benchmark, in which case it must call [RunChild] and exit with its result.
func IsChild() bool {
	return os.Getenv(ChildEnv) != ""
}

// RunChild does what [ChildEnv] says, writes the report to w, and returns
// the exit status for the process: 0 when the report was written, even if
// it tells of a client that failed.
func RunChild(w io.Writer) int {
	var j job
	if err := json.Unmarshal([]byte(os.Getenv(ChildEnv)), &j); err != nil {
		fmt.Fprintf(os.Stderr, "e2e child: bad %s: %v\n", ChildEnv, err)
		return 2
	}
	c, ok := byName(j.Client)
	if !ok {
		fmt.Fprintf(os.Stderr, "e2e child: no client %q\n", j.Client)
		return 2
	}
	prof := os.Getenv(ProfileEnv)
	if prof != "" && j.Mode == "idle" {
		runtime.MemProfileRate = 1
	}
	ctx, cancel := context.WithTimeout(context.Background(), j.Timeout)
	defer cancel()
	var rep report
	switch j.Mode {
	case "stream":
		rep = streamChild(ctx, c, j, prof)
	case "idle":
		rep = idleChild(ctx, c, j, prof)
	default:
		fmt.Fprintf(os.Stderr, "e2e child: unknown mode %q\n", j.Mode)
		return 2
	}
	if err := json.NewEncoder(w).Encode(rep); err != nil {
		fmt.Fprintf(os.Stderr, "e2e child: %v\n", err)
		return 2
	}
	return 0
}

// streamChild reads the stream once with c and measures it.
func streamChild(ctx context.Context, c Client, j job, prof string) report {
	var rep report
	var reads atomic.Int64
	hc := &http.Client{Transport: &countingTransport{base: http.DefaultTransport, reads: &reads}}
	if err := warm(ctx, hc, j.Base); err != nil {
		rep.Err = err.Error()
		return rep
	}
	runtime.GC()
	reads.Store(0)
	if prof != "" {
		stop, err := startCPUProfile(profileName(prof, j))
		if err != nil {
			rep.Err = err.Error()
			return rep
		}
		defer stop()
	}
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	c0, _ := CPUTime()
	t0 := time.Now()
	n, err := c.Stream(ctx, hc, j.URL)
	rep.Wall = time.Since(t0)
	c1, ok := CPUTime()
	runtime.ReadMemStats(&m1)
	rep.Count = n
	rep.Reads = reads.Load()
	rep.CPU = c1 - c0
	if !ok {
		rep.CPU = rep.Wall
	}
	rep.Mallocs = m1.Mallocs - m0.Mallocs
	rep.Bytes = m1.TotalAlloc - m0.TotalAlloc
	if err != nil {
		rep.Err = err.Error()
	}
	return rep
}

// idleWindow is how many idle streams may be opening at once, so that the
// server's listen queue never overflows.
const idleWindow = 64

// idleChild opens j.Streams idle streams with c, waits until each has
// read the server's comment and is blocked waiting for more, and measures
// what they hold. The process exits with the streams still open, which
// ends them.
func idleChild(ctx context.Context, c Client, j job, prof string) report {
	var rep report
	ready := make(chan struct{}, j.Streams+1)
	failed := make(chan error, j.Streams)
	hc := &http.Client{Transport: &readyTransport{base: http.DefaultTransport, ready: ready}}
	if err := warm(ctx, hc, j.Base); err != nil {
		rep.Err = err.Error()
		return rep
	}
	select {
	case <-ready: // the warm-up's, if its body was read again after its data
	default:
	}
	// The warm-up's connection would otherwise serve the first stream,
	// whose cost would then count partly before it opened.
	hc.CloseIdleConnections()
	hold := c.Hold(hc, j.URL)
	before := memstat.Settle()

	wait := func() error {
		select {
		case <-ready:
			return nil
		case err := <-failed:
			return err
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	opened := 0
	for i := range j.Streams {
		if i >= idleWindow {
			if err := wait(); err != nil {
				rep.Err = fmt.Sprintf("%d of %d streams ready: %v", opened, j.Streams, err)
				return rep
			}
			opened++
		}
		go func() {
			err := hold(ctx)
			if err == nil {
				err = errors.New("the stream ended")
			}
			failed <- err
		}()
	}
	for opened < j.Streams {
		if err := wait(); err != nil {
			rep.Err = fmt.Sprintf("%d of %d streams ready: %v", opened, j.Streams, err)
			return rep
		}
		opened++
	}
	after := memstat.Settle()
	select {
	case err := <-failed:
		rep.Err = fmt.Sprintf("a stream failed once open: %v", err)
	default:
	}
	if prof != "" {
		if err := writeHeapProfile(profileName(prof, j)); err != nil {
			rep.Err = err.Error()
		}
	}
	rep.Heap = int64(after.Heap) - int64(before.Heap)
	rep.Stack = int64(after.Stack) - int64(before.Stack)
	rep.Goroutines = after.Goroutines - before.Goroutines
	return rep
}

// profileName is the file of the profile of j in dir: it names the
// client, the path and query of the URL, and the process.
func profileName(dir string, j job) string {
	safe := func(s string) string {
		return strings.Map(func(r rune) rune {
			if r == '/' || r == ' ' || r == ':' || r == '+' || r == '?' || r == '=' {
				return '-'
			}
			return r
		}, s)
	}
	where := strings.TrimPrefix(j.URL, j.Base)
	return filepath.Join(dir, fmt.Sprintf("%s-%s%s-%d.prof", safe(j.Client), j.Mode, safe(where), os.Getpid()))
}

func startCPUProfile(name string) (stop func(), err error) {
	f, err := os.Create(name)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}

func writeHeapProfile(name string) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	defer f.Close()
	return pprof.Lookup("heap").WriteTo(f, 0)
}

// readyTransport signals, once per response, when the client has read
// some of the body and asks for more: for an idle stream, when it has read
// the server's comment and is blocked waiting for the next byte.
type readyTransport struct {
	base  http.RoundTripper
	ready chan<- struct{}
}

func (t *readyTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	resp.Body = &readyBody{ReadCloser: resp.Body, ready: t.ready}
	return resp, nil
}

type readyBody struct {
	io.ReadCloser
	ready      chan<- struct{}
	got, fired bool
}

func (b *readyBody) Read(p []byte) (int, error) {
	if b.got && !b.fired {
		b.fired = true
		b.ready <- struct{}{}
	}
	n, err := b.ReadCloser.Read(p)
	if n > 0 {
		b.got = true
	}
	return n, err
}

// countingTransport counts the calls to the Read method of its
// responses' bodies: how often a client asked for more of the stream,
// which, when it keeps pace with the server, is how often it waited.
type countingTransport struct {
	base  http.RoundTripper
	reads *atomic.Int64
}

func (t *countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	resp.Body = &countingBody{ReadCloser: resp.Body, reads: t.reads}
	return resp, nil
}

type countingBody struct {
	io.ReadCloser
	reads *atomic.Int64
}

func (b *countingBody) Read(p []byte) (int, error) {
	b.reads.Add(1)
	return b.ReadCloser.Read(p)
}

// runChild runs exe as a child doing j, and returns its report. The child
// is killed if it outlives j.Timeout by much.
func runChild(ctx context.Context, exe string, j job) (report, error) {
	var rep report
	spec, err := json.Marshal(j)
	if err != nil {
		return rep, err
	}
	ctx, cancel := context.WithTimeout(ctx, j.Timeout+10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, exe)
	cmd.Env = append(os.Environ(), ChildEnv+"="+string(spec))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Run(); err != nil {
		return rep, fmt.Errorf("child process: %v: %s", err, lastLine(stderr.Bytes()))
	}
	if err := json.Unmarshal(lastLine(stdout.Bytes()), &rep); err != nil {
		return rep, fmt.Errorf("child process: bad report %q: %v", lastLine(stdout.Bytes()), err)
	}
	return rep, nil
}

// lastLine returns the last non-empty line of b.
func lastLine(b []byte) []byte {
	b = bytes.TrimRight(b, "\n")
	if i := bytes.LastIndexByte(b, '\n'); i >= 0 {
		b = b[i+1:]
	}
	return b
}
