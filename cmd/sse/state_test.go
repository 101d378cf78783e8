package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/ssekit/sse"
)

// replayEvents is how many events the replaying server has.
const replayEvents = 6

// replay serves events 1 to replayEvents, each with its number as ID, from
// the one after the request's Last-Event-ID; then it answers 204. It
// stops after event hold, until the client goes, if hold is not 0.
func replay(hold int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		from := 1
		if id := r.Header.Get("Last-Event-ID"); id != "" {
			n, err := strconv.Atoi(id)
			if err != nil {
				http.Error(w, "bad Last-Event-ID", http.StatusBadRequest)
				return
			}
			from = n + 1
		}
		if from > replayEvents {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		eventStream(w)
		fmt.Fprint(w, "retry: 1\n\n")
		for i := from; i <= replayEvents; i++ {
			fmt.Fprintf(w, "id: %d\ndata: event %d\n\n", i, i)
			w.(http.Flusher).Flush()
			if i == hold {
				<-r.Context().Done()
				return
			}
		}
	}
}

// startAt starts a server with h at addr, such as "127.0.0.1:0", to be
// started again at the same address after Close.
func startAt(t *testing.T, addr string, h http.Handler) *httptest.Server {
	t.Helper()
	var ln net.Listener
	var err error
	for range 50 { // the port of a closed server may take a moment
		if ln, err = net.Listen("tcp", addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(h)
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

// watcher is a writer that reports when what was written contains want.
type watcher struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	want string
	seen chan struct{}
}

func newWatcher(want string) *watcher { return &watcher{want: want, seen: make(chan struct{})} }

func (w *watcher) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	had := strings.Contains(w.buf.String(), w.want)
	n, err := w.buf.Write(p)
	if !had && strings.Contains(w.buf.String(), w.want) {
		close(w.seen)
	}
	return n, err
}

func (w *watcher) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

func (w *watcher) wait(t *testing.T) {
	t.Helper()
	select {
	case <-w.seen:
	case <-time.After(10 * time.Second):
		t.Fatalf("%q not written within 10s; got %q", w.want, w.String())
	}
}

// allEvents are the replaying server's events, as sse prints them.
func allEvents(from, to int) string {
	var b strings.Builder
	for i := from; i <= to; i++ {
		fmt.Fprintf(&b, "id: %d\ndata: event %d\n\n", i, i)
	}
	return b.String()
}

// TestStateAcrossRuns interrupts a run after event 3, restarts the
// server, and runs again with the same --state file: the second run
// prints events 4 to 6, so that nothing is lost and nothing repeated.
func TestStateAcrossRuns(t *testing.T) {
	state := filepath.Join(t.TempDir(), "feed.state")
	srv := startAt(t, "127.0.0.1:0", replay(3))
	addr := srv.Listener.Addr().String()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := newWatcher("event 3\n\n")
	var errOut bytes.Buffer
	code := make(chan int, 1)
	go func() { code <- run(ctx, []string{"--state", state, srv.URL}, strings.NewReader(""), out, &errOut) }()
	out.wait(t)
	cancel() // Ctrl-C, or SIGTERM: main makes both cancel the context
	first := result{Code: <-code, Stdout: out.String(), Stderr: errOut.String()}
	want := result{Code: exitInterrupted, Stdout: allEvents(1, 3), Stderr: "connected (HTTP/1.1 200)\ninterrupted\n"}
	if diff := cmp.Diff(want, first); diff != "" {
		t.Errorf("first run (-want +got):\n%s", diff)
	}
	checkStateFile(t, state, "3")

	srv.Close()
	srv = startAt(t, addr, replay(0))
	second := runCLI(t, context.Background(), "", "--state", state, srv.URL)
	want = result{Code: exitOK, Stdout: allEvents(4, 6),
		Stderr: "connected (HTTP/1.1 200), resuming after event 3\nstream ended\nreconnecting in D (attempt 1)\nstream ended (HTTP/1.1 204 No Content)\n"}
	if diff := cmp.Diff(want, second); diff != "" {
		t.Errorf("second run (-want +got):\n%s", diff)
	}
	checkStateFile(t, state, "6")
	if diff := cmp.Diff(parse(t, allEvents(1, 6), ""), parse(t, first.Stdout+second.Stdout, "")); diff != "" {
		t.Errorf("the two runs together (-want +got):\n%s", diff)
	}
}

// checkStateFile checks that the file holds id, and that no temporary
// file is left beside it.
func checkStateFile(t *testing.T, path, id string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := string(b); got != id+"\n" {
		t.Errorf("state file holds %q, want %q", got, id+"\n")
	}
	files, _ := os.ReadDir(filepath.Dir(path))
	if len(files) != 1 {
		t.Errorf("%d files beside the state, want 1: %v", len(files), files)
	}
}

func TestStateFile(t *testing.T) {
	tests := []struct {
		name      string
		stream    string
		file      *string // the file before the run; nil: none
		path      string  // of the file in the test's directory; "" is "s"
		args      []string
		wantLast  string // the Last-Event-ID sent
		wantFile  *string
		wantCode  int
		wantError string
	}{{
		name:     "created at the first ID",
		stream:   "data: no id\n\nid: a b\ndata: x\n\n",
		wantFile: ptr("a b\n"),
	}, {
		name:     "no ID, no file",
		stream:   "data: no id\n\n",
		wantFile: nil,
	}, {
		name:     "resumes from the file, which wins over --last-event-id",
		stream:   "id: 8\ndata: x\n\n",
		file:     ptr("7\n"),
		args:     []string{"--last-event-id", "1"},
		wantLast: "7",
		wantFile: ptr("8\n"),
	}, {
		name:     "--last-event-id without a file",
		stream:   "data: x\n\n",
		args:     []string{"--last-event-id", "1"},
		wantLast: "1",
		wantFile: ptr("1\n"),
	}, {
		name:     "an ID reset is kept",
		stream:   "id\ndata: x\n\n",
		file:     ptr("7\n"),
		wantLast: "7",
		wantFile: ptr("\n"),
	}, {
		name:     "an ID without an event counts",
		stream:   "data: x\n\nid: 9\n\n",
		wantFile: ptr("9\n"),
	}, {
		name:      "a file sse did not write is left alone",
		stream:    "id: 1\ndata: x\n\n",
		file:      ptr("precious"),
		wantFile:  ptr("precious"),
		wantCode:  exitError,
		wantError: "sse: --state FILE does not hold an event ID as sse writes it (the ID and a newline); give another file, or remove this one to start afresh\n",
	}, {
		name:      "a directory that does not exist fails before the stream",
		stream:    "id: 1\ndata: x\n\n",
		path:      "no/such/dir/s",
		wantCode:  exitError,
		wantError: "sse: --state FILE: the directory DIR/no/such/dir does not exist\n",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var lastID string
			url := serve(t, func(w http.ResponseWriter, r *http.Request) {
				lastID = r.Header.Get("Last-Event-ID")
				fixed(tt.stream)(w, r)
			})
			dir := t.TempDir()
			state := filepath.Join(dir, "s")
			if tt.path != "" {
				state = filepath.Join(dir, tt.path)
			}
			if tt.file != nil {
				if err := os.WriteFile(state, []byte(*tt.file), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			got := runCLI(t, context.Background(), "", append(tt.args, "--no-reconnect", "--state", state, url)...)
			stderr := strings.ReplaceAll(strings.ReplaceAll(got.Stderr, state, "FILE"), dir, "DIR")
			if got.Code != tt.wantCode || (tt.wantError != "" && stderr != tt.wantError) {
				t.Fatalf("run = %+v, want exit %d and %q", got, tt.wantCode, tt.wantError)
			}
			if tt.wantCode == exitOK && lastID != tt.wantLast {
				t.Errorf("Last-Event-ID = %q, want %q", lastID, tt.wantLast)
			}
			b, err := os.ReadFile(state)
			var file *string
			if err == nil {
				file = ptr(string(b))
			}
			if diff := cmp.Diff(tt.wantFile, file); diff != "" {
				t.Errorf("state file (-want +got):\n%s", diff)
			}
			if files, _ := os.ReadDir(dir); len(files) > 1 {
				t.Errorf("files left in the directory: %v", files)
			}
		})
	}
}

func ptr(s string) *string { return &s }

// TestStateAcrossSignals runs the built command and stops it with a
// signal after event 3, then runs it again after a server restart. After
// SIGTERM nothing is lost or repeated; after SIGKILL nothing is lost, and
// only the event being printed may come again.
func TestStateAcrossSignals(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the command")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to build sse with")
	}
	bin := filepath.Join(t.TempDir(), "sse")
	build := exec.Command(goTool, "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGKILL} {
		t.Run(sig.String(), func(t *testing.T) {
			state := filepath.Join(t.TempDir(), "feed.state")
			srv := startAt(t, "127.0.0.1:0", replay(3))
			addr := srv.Listener.Addr().String()

			out := newWatcher("event 3\n\n")
			var errOut bytes.Buffer
			cmd := exec.Command(bin, "--state", state, srv.URL)
			cmd.Stdout, cmd.Stderr = out, &errOut
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			out.wait(t)
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			err := cmd.Wait()
			first := out.String()
			if sig == syscall.SIGTERM {
				if code := cmd.ProcessState.ExitCode(); code != exitInterrupted {
					t.Errorf("exit code after SIGTERM = %d (%v), want %d; stderr:\n%s", code, err, exitInterrupted, errOut.String())
				}
			}
			srv.Close()
			srv = startAt(t, addr, replay(0))
			var out2, errOut2 bytes.Buffer
			cmd = exec.Command(bin, "--state", state, srv.URL)
			cmd.Stdout, cmd.Stderr = &out2, &errOut2
			if err := cmd.Run(); err != nil {
				t.Fatalf("second run: %v\n%s", err, errOut2.String())
			}
			want := allEvents(1, 3) + allEvents(4, 6)
			if sig == syscall.SIGKILL && strings.HasPrefix(out2.String(), allEvents(3, 3)) {
				// At least once: the state may not have caught up with
				// the event printed just before the kill.
				want = allEvents(1, 3) + allEvents(3, 6)
			}
			if diff := cmp.Diff(want, first+out2.String()); diff != "" {
				t.Errorf("the two runs' output (-want +got):\n%s", diff)
			}
			var ids []string
			for ev, err := range sse.Read(strings.NewReader(first + out2.String())) {
				if err != nil {
					t.Fatal(err)
				}
				ids = append(ids, ev.ID)
			}
			t.Logf("IDs printed by the two runs: %v", ids)
		})
	}
}
