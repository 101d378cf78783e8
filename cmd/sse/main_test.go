package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/goleak"
)

// TestMain fails the run if any test leaves a goroutine behind.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// result is what one run of the command did.
type result struct {
	Code           int
	Stdout, Stderr string
}

// runCLI runs the command in-process with args and stdin, and returns its
// exit code and output, with the server's URL in stderr replaced by URL and
// waits by D, so that expectations do not depend on ports or jitter.
func runCLI(t *testing.T, ctx context.Context, stdin string, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(ctx, args, strings.NewReader(stdin), &stdout, &stderr)
	return result{Code: code, Stdout: stdout.String(), Stderr: normalize(stderr.String())}
}

var (
	addrRE  = regexp.MustCompile(`http://127\.0\.0\.1:\d+`)
	delayRE = regexp.MustCompile(`in [0-9.]+(ms|s)\b`)
)

func normalize(s string) string {
	s = addrRE.ReplaceAllString(s, "URL")
	return delayRE.ReplaceAllString(s, "in D")
}

// serve starts a test server on 127.0.0.1 that answers with h, and stops
// it at the end of the test.
func serve(t *testing.T, h http.HandlerFunc) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

// eventStream starts an event stream response, without a Date header so
// that -v output is the same from run to run.
func eventStream(w http.ResponseWriter) {
	w.Header()["Date"] = nil
	w.Header().Set("Content-Type", "text/event-stream")
}

// fixed answers every request with the same event stream.
func fixed(stream string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		eventStream(w)
		io.WriteString(w, stream)
	}
}

func TestFeedResumesAfterDrop(t *testing.T) {
	var mu sync.Mutex
	var lastIDs []string
	url := serve(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		lastIDs = append(lastIDs, r.Header.Get("Last-Event-ID"))
		mu.Unlock()
		switch r.Header.Get("Last-Event-ID") {
		case "":
			eventStream(w)
			io.WriteString(w, "retry: 5\nid: 1\ndata: one\n\nid: 2\nevent: update\ndata: two\ndata: lines\n\nid: 3\ndata: cut sh")
			w.(http.Flusher).Flush()
			panic(http.ErrAbortHandler)
		case "2":
			eventStream(w)
			io.WriteString(w, "retry: 5\nid: 3\ndata: three\n\n: a comment\n\n")
		default:
			w.WriteHeader(http.StatusNoContent)
		}
	})
	got := runCLI(t, context.Background(), "", url+"/feed")
	want := result{
		Code: exitOK,
		Stdout: "id: 1\ndata: one\n\n" +
			"event: update\nid: 2\ndata: two\ndata: lines\n\n" +
			"id: 3\ndata: three\n\n",
		Stderr: "connected (HTTP/1.1 200)\n" +
			"reconnecting in D (attempt 1): connection lost\n" +
			"connected (HTTP/1.1 200), resuming after event 2\n" +
			"stream ended\n" +
			"reconnecting in D (attempt 1)\n" +
			"stream ended (HTTP/1.1 204 No Content)\n",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("run (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"", "2", "3"}, lastIDs); diff != "" {
		t.Errorf("Last-Event-ID of each request (-want +got):\n%s", diff)
	}
}

// hold answers with stream, then keeps the connection open until the
// client goes.
func hold(stream string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		eventStream(w)
		io.WriteString(w, stream)
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	}
}

// serveOrRefuse serves h, or returns the URL of a closed port if h is nil.
func serveOrRefuse(t *testing.T, h http.HandlerFunc) string {
	t.Helper()
	if h == nil {
		return closedPort(t)
	}
	return serve(t, h)
}

// echo streams back what it received as one event, and counts requests.
func echo(requests *atomic.Int32) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		body, _ := io.ReadAll(r.Body)
		eventStream(w)
		fmt.Fprintf(w, "event: echo\ndata: %s %s\ndata: Content-Type: %s\ndata: X-Test: %s\ndata: Last-Event-ID: %s\ndata: %s\n\n",
			r.Method, r.URL.Path, r.Header.Get("Content-Type"), r.Header.Get("X-Test"), r.Header.Get("Last-Event-ID"), body)
	}
}

func TestRequests(t *testing.T) {
	bodyFile := filepath.Join(t.TempDir(), "body.txt")
	if err := os.WriteFile(bodyFile, []byte("from a file"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		stdin string
		args  []string
		want  string // the echoed request
		id    string // the event's ID
	}{{
		name: "POST JSON from stdin, flags after the URL",
		args: []string{"URL/chat", "-d", "@-", "-H", "X-Test: yes"}, stdin: `{"prompt":"hi"}`,
		want: "POST /chat\nContent-Type: application/json\nX-Test: yes\nLast-Event-ID: \n{\"prompt\":\"hi\"}",
	}, {
		name: "body from a file is not JSON",
		args: []string{"-d", "@" + bodyFile, "URL/upload"},
		want: "POST /upload\nContent-Type: \nX-Test: \nLast-Event-ID: \nfrom a file",
	}, {
		name: "Content-Type given",
		args: []string{"-H", "Content-Type: text/plain", "-d", "{}", "URL/"},
		want: "POST /\nContent-Type: text/plain\nX-Test: \nLast-Event-ID: \n{}",
	}, {
		name: "PUT, which is idempotent, so would reconnect",
		args: []string{"-X", "PUT", "-d", "x", "URL/put", "--no-reconnect"},
		want: "PUT /put\nContent-Type: \nX-Test: \nLast-Event-ID: \nx",
	}, {
		name: "GET with a Last-Event-ID, --no-reconnect after the URL",
		args: []string{"--last-event-id", "41", "URL/feed", "--no-reconnect"},
		want: "GET /feed\nContent-Type: \nX-Test: \nLast-Event-ID: 41\n",
		id:   "41",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var requests atomic.Int32
			url := serve(t, echo(&requests))
			args := make([]string, len(tt.args))
			for i, a := range tt.args {
				args[i] = strings.Replace(a, "URL", url, 1)
			}
			got := runCLI(t, context.Background(), tt.stdin, args...)
			data := "data: " + strings.ReplaceAll(tt.want, "\n", "\ndata: ")
			want := result{
				Code:   exitOK,
				Stdout: "event: echo\n" + data + "\n\n",
				Stderr: "connected (HTTP/1.1 200)\nstream ended\n",
			}
			if tt.id != "" {
				// The stream starts from the given ID, as if the event
				// that set it had been read before.
				want.Stdout = "event: echo\nid: " + tt.id + "\n" + data + "\n\n"
				want.Stderr = "connected (HTTP/1.1 200), resuming after event " + tt.id + "\nstream ended\n"
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("run %q (-want +got):\n%s", args, diff)
			}
			if n := requests.Load(); n != 1 {
				t.Errorf("the server got %d requests, want 1: a POST or --no-reconnect is sent once", n)
			}
		})
	}
}

func TestOutputFormats(t *testing.T) {
	url := serve(t, fixed("data: plain\n\n"+
		"event: update\nid: 7\ndata: {\"n\":1,\"s\":\"<b>\"}\n\n"+
		"event: note\ndata: two\ndata: lines\n\n"))
	tests := []struct {
		name string
		args []string
		want string
	}{{
		name: "default",
		want: "data: plain\n\n" +
			"event: update\nid: 7\ndata: {\"n\":1,\"s\":\"<b>\"}\n\n" +
			"event: note\ndata: two\ndata: lines\n\n",
	}, {
		name: "json",
		args: []string{"--json"},
		want: `{"type":"message","data":"plain","id":""}` + "\n" +
			`{"type":"update","data":"{\"n\":1,\"s\":\"<b>\"}","id":"7"}` + "\n" +
			`{"type":"note","data":"two\nlines","id":"7"}` + "\n",
	}, {
		name: "json with json data",
		args: []string{"--json", "--json-data"},
		want: `{"type":"message","data":"plain","id":""}` + "\n" +
			`{"type":"update","data":{"n":1,"s":"<b>"},"id":"7"}` + "\n" +
			`{"type":"note","data":"two\nlines","id":"7"}` + "\n",
	}, {
		name: "data only",
		args: []string{"--data-only"},
		want: "plain\n{\"n\":1,\"s\":\"<b>\"}\ntwo\nlines\n",
	}, {
		name: "data only, pretty JSON",
		args: []string{"--data-only", "--json-data"},
		want: "plain\n{\n  \"n\": 1,\n  \"s\": \"<b>\"\n}\ntwo\nlines\n",
	}, {
		name: "event filter",
		args: []string{"--event", "note", "--event", "message"},
		want: "data: plain\n\nevent: note\nid: 7\ndata: two\ndata: lines\n\n",
	}, {
		name: "event stream, pretty JSON",
		args: []string{"--json-data"},
		want: "data: plain\n\n" +
			"event: update\nid: 7\ndata: {\ndata:   \"n\": 1,\ndata:   \"s\": \"<b>\"\ndata: }\n\n" +
			"event: note\ndata: two\ndata: lines\n\n",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"--no-reconnect", url}, tt.args...)
			got := runCLI(t, context.Background(), "", args...)
			want := result{Code: exitOK, Stdout: tt.want, Stderr: "connected (HTTP/1.1 200)\nstream ended\n"}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("run %q (-want +got):\n%s", args, diff)
			}
		})
	}
}

func TestVerboseMasksCredentials(t *testing.T) {
	url := serve(t, func(w http.ResponseWriter, r *http.Request) {
		eventStream(w)
		http.SetCookie(w, &http.Cookie{Name: "session", Value: "s3cr3t-session"})
		w.(http.Flusher).Flush() // no Content-Length
		io.WriteString(w, "data: hi\n\n")
	})
	got := runCLI(t, context.Background(), "", "-v", "--no-reconnect",
		"-H", "Authorization: Bearer sk-very-secret",
		"-H", "Cookie: id=cookie-secret",
		"-H", "X-Api-Key: key-secret",
		"-H", "X-Trace: visible",
		strings.Replace(url, "http://", "http://user:pass-secret@", 1)+"/events?stream=1&api_key=query-secret&tok3n-secret")
	want := result{
		Code:   exitOK,
		Stdout: "data: hi\n\n",
		Stderr: "> GET /events?stream=***&api_key=***&=*** HTTP/1.1\n" +
			"> Host: " + strings.TrimPrefix(url, "http://") + "\n" +
			"> Accept: text/event-stream\n" +
			"> Authorization: Bearer ***\n" +
			"> Cache-Control: no-cache\n" +
			"> Cookie: ***\n" +
			"> X-Api-Key: ***\n" +
			"> X-Trace: visible\n" +
			"< HTTP/1.1 200 OK\n" +
			"< Content-Type: text/event-stream\n" +
			"< Set-Cookie: ***\n" +
			"connected (HTTP/1.1 200)\n" +
			"stream ended\n",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("run -v (-want +got):\n%s", diff)
	}
	for _, secret := range []string{"sk-very-secret", "cookie-secret", "key-secret", "s3cr3t-session", "pass-secret", "query-secret", "tok3n-secret"} {
		if strings.Contains(got.Stderr, secret) {
			t.Errorf("stderr shows the secret %q", secret)
		}
	}
}

// closedPort returns the URL of a port on 127.0.0.1 where nothing listens.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String()
	ln.Close()
	return url
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name    string
		handler http.HandlerFunc // nil: nothing listens
		args    []string
		query   string // of the URL
		want    string // stderr
	}{{
		name: "401 shows the JSON body",
		handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, `{"error":{"message":"Incorrect API key provided"}}`+"\n")
		},
		want: "sse: GET URL/x: unexpected status 401 Unauthorized; the server said: Incorrect API key provided\n" +
			"response body:\n" +
			`{"error":{"message":"Incorrect API key provided"}}` + "\n" +
			"hint: the server refused the credentials: check them, and send them with -H 'Authorization: Bearer ...' or the header the API names\n",
	}, {
		name: "a body that echoes the key, cut to its first 64KiB",
		handler: func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprintf(w, "Bad key %s for %s.\n%s", strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "), r.URL.Query().Get("sig"), strings.Repeat("x", maxErrorBody))
		},
		args:  []string{"-H", "Authorization: Bearer sk-echoed-secret"},
		query: "?sig=sig-echoed-secret",
		want: "sse: GET URL/x?sig=***: unexpected status 401 Unauthorized; the server said: Bad key *** for ***.\n" +
			"response body (its first 64KiB):\n" +
			"Bad key *** for ***.\n" + strings.Repeat("x", maxErrorBody-len("Bad key sk-echoed-secret for sig-echoed-secret.\n")) + "\n" +
			"hint: the server refused the credentials: check them, and send them with -H 'Authorization: Bearer ...' or the header the API names\n",
	}, {
		name: "404",
		handler: func(w http.ResponseWriter, r *http.Request) {
			http.NotFound(w, r)
		},
		want: "sse: GET URL/x: unexpected status 404 Not Found; the server said: 404 page not found\n" +
			"hint: check the URL; -v shows the request line and headers that sse sends\n",
	}, {
		name: "not an event stream",
		handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			io.WriteString(w, `{"answer":"whole"}`)
		},
		want: "sse: GET URL/x: 200 OK: the response is not an event stream: its Content-Type is \"application/json; charset=utf-8\"\n" +
			"response body:\n" + `{"answer":"whole"}` + "\n" +
			"hint: the server answered with one JSON document, shown above, instead of a stream: check the URL, and whether the API needs to be asked to stream (as with \"stream\": true in -d)\n",
	}, {
		name: "503 and no retries left",
		handler: func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusServiceUnavailable)
		},
		args: []string{"--max-retries", "0"},
		want: "sse: gave up reconnecting after 1 failed attempt in D: GET URL/x: unexpected status 503 Service Unavailable\n" +
			"hint: raise --max-retries, or leave it out to keep trying\n",
	}, {
		name:    "idle timeout",
		handler: hold("data: first\n\n"),
		args:    []string{"--idle-timeout", "50ms", "--no-reconnect"},
		want: "connected (HTTP/1.1 200)\n" +
			"sse: idle timeout: no data for 50ms, so the connection was taken for dead\n" +
			"hint: raise --idle-timeout, or set it to 0 to wait for ever\n" +
			"hint: leave out --no-reconnect to let sse reconnect after a failure\n",
	}, {
		name: "connection refused",
		args: []string{"--no-reconnect"},
		want: "sse: GET URL/x: dial tcp ADDR: connect: connection refused\n" +
			"hint: nothing listens at that address: check the host and port, or leave out --no-reconnect so that sse waits for the server to start\n",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url := serveOrRefuse(t, tt.handler)
			got := runCLI(t, context.Background(), "", append(tt.args, url+"/x"+tt.query)...)
			got.Stdout = ""
			got.Stderr = strings.ReplaceAll(got.Stderr, strings.TrimPrefix(url, "http://"), "ADDR")
			want := result{Code: exitError, Stderr: tt.want}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("run (-want +got):\n%s", diff)
			}
		})
	}
}

func TestUsage(t *testing.T) {
	tests := []struct {
		args []string
		want string // the first line of stderr
	}{
		{nil, "sse: missing URL"},
		{[]string{"--bogus", "http://x"}, "sse: unknown flag -bogus"},
		{[]string{"localhost:8080/events"}, `sse: "localhost:8080/events" is not an http:// or https:// URL; did you mean "http://localhost:8080/events"?`},
		{[]string{"ftp://x/y"}, `sse: "ftp://x/y" is not an http:// or https:// URL`},
		{[]string{"http://a", "http://b"}, `sse: unexpected argument "http://b" after the URL "http://a"`},
		{[]string{"-H", "NoColon", "http://x"}, `sse: invalid value "NoColon" for flag -H: write a header as 'Name: value'`},
		{[]string{"--json", "--data-only", "http://x"}, "sse: --json and --data-only are two output formats; choose one"},
		{[]string{"--max-retries", "-2", "http://x"}, "sse: --max-retries must be 0 or more, or -1 to keep trying, not -2"},
		{[]string{"--idle-timeout", "soon", "http://x"}, `sse: invalid value "soon" for flag -idle-timeout: parse error`},
		{[]string{"--demo", "http://x"}, `sse: --demo takes no URL, but got "http://x"`},
		{[]string{"-X", "BAD METHOD", "http://x"}, `sse: net/http: invalid method "BAD METHOD"`},
	}
	for _, tt := range tests {
		got := runCLI(t, context.Background(), "", tt.args...)
		first, _, _ := strings.Cut(got.Stderr, "\n")
		want := result{Code: exitUsage, Stderr: tt.want}
		if diff := cmp.Diff(want, result{Code: got.Code, Stdout: got.Stdout, Stderr: first}); diff != "" {
			t.Errorf("run %q (-want +got):\n%s", tt.args, diff)
		}
		if !strings.Contains(got.Stderr, "Run 'sse -h' for usage.") {
			t.Errorf("run %q: stderr does not say how to get help:\n%s", tt.args, got.Stderr)
		}
	}
}

func TestHelpAndVersion(t *testing.T) {
	got := runCLI(t, context.Background(), "", "-h")
	if diff := cmp.Diff(result{Code: exitOK, Stdout: usage}, got); diff != "" {
		t.Errorf("sse -h (-want +got):\n%s", diff)
	}
	got = runCLI(t, context.Background(), "", "--version")
	if got.Code != exitOK || !strings.HasPrefix(got.Stdout, "sse ") || got.Stderr != "" {
		t.Errorf("sse --version = %+v, want exit 0 and a version on stdout", got)
	}
}

// firstWrite is a writer that reports its first write.
type firstWrite struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	wrote chan struct{}
}

func (w *firstWrite) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.buf.Len() == 0 {
		close(w.wrote)
	}
	return w.buf.Write(p)
}

func TestInterruptExits130(t *testing.T) {
	url := serve(t, hold("data: first\n\n"))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stdout := &firstWrite{wrote: make(chan struct{})}
	var stderr bytes.Buffer
	code := make(chan int, 1)
	go func() { code <- run(ctx, []string{url}, strings.NewReader(""), stdout, &stderr) }()
	select {
	case <-stdout.wrote:
	case <-time.After(5 * time.Second):
		t.Fatal("no event printed within 5s")
	}
	cancel() // Ctrl-C
	select {
	case c := <-code:
		got := result{Code: c, Stdout: stdout.buf.String(), Stderr: stderr.String()}
		want := result{Code: exitInterrupted, Stdout: "data: first\n\n", Stderr: "connected (HTTP/1.1 200)\ninterrupted\n"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("run, then Ctrl-C (-want +got):\n%s", diff)
		}
	case <-time.After(time.Second):
		t.Fatal("run did not return within 1s of Ctrl-C")
	}
}

func TestDemo(t *testing.T) {
	var stdout, stderr bytes.Buffer
	a := &app{stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr, demo: demoConfig{retry: time.Millisecond}}
	code := a.run(context.Background(), []string{"--demo", "--data-only"})
	got := result{Code: code, Stdout: stdout.String(), Stderr: normalize(stderr.String())}
	var wantOut strings.Builder
	for _, token := range demoAnswer() {
		fmt.Fprintf(&wantOut, "{\"choices\":[{\"delta\":{\"content\":%q}}]}\n", token)
	}
	for _, item := range demoFeed() {
		wantOut.WriteString(item + "\n")
	}
	want := result{
		Code:   exitOK,
		Stdout: wantOut.String(),
		Stderr: "== demo 1/2: an LLM-style answer, streamed token by token in answer to a POST, up to its [DONE]\n" +
			`$ sse -H 'Authorization: Bearer demo-key' -d '{"model":"demo","stream":true,"messages":[{"role":"user","content":"What are server-sent events?"}]}' --done '[DONE]' URL/v1/chat/completions` + "\n" +
			"connected (HTTP/1.1 200)\n" +
			"\n" +
			"== demo 2/2: a feed with event IDs: the server drops the connection in the middle of event 4, and the stream resumes after event 3 with Last-Event-ID\n" +
			"$ sse URL/feed\n" +
			"connected (HTTP/1.1 200)\n" +
			"reconnecting in D (attempt 1): connection lost\n" +
			"connected (HTTP/1.1 200), resuming after event 3\n" +
			"stream ended\n" +
			"reconnecting in D (attempt 1)\n" +
			"stream ended (HTTP/1.1 204 No Content)\n" +
			"\n" +
			"Demo done. Now point sse at a stream of your own: sse [flags] URL (sse -h for the flags).\n",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("sse --demo --data-only (-want +got):\n%s", diff)
	}
}

func TestDemoAddr(t *testing.T) {
	addr := strings.TrimPrefix(closedPort(t), "http://")
	var stdout, stderr bytes.Buffer
	a := &app{stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr, demo: demoConfig{retry: time.Millisecond}}
	if code := a.run(context.Background(), []string{"--demo-addr", addr, "--data-only"}); code != exitOK {
		t.Fatalf("sse --demo-addr %s = %d, want 0; stderr:\n%s", addr, code, stderr.String())
	}
	for _, path := range []string{"/v1/chat/completions", "/feed"} {
		if want := " http://" + addr + path + "\n"; !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr does not show the stream at %q:\n%s", want, stderr.String())
		}
	}

	// The address is taken.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	got := runCLI(t, context.Background(), "", "--demo-addr", ln.Addr().String())
	if !strings.Contains(got.Stderr, "hint: choose another address with --demo-addr, or leave it out for a free port\n") || got.Code != exitError {
		t.Errorf("sse --demo-addr with a taken address = %+v, want exit 1 and a hint", got)
	}
}

func TestDemoServerRefusesNoKey(t *testing.T) {
	srv, err := startDemoServer(demoConfig{}, "")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.close()
	got := runCLI(t, context.Background(), "", "-d", `{"messages":[{"role":"user","content":"hi"}]}`, srv.url+"/v1/chat/completions")
	want := result{
		Code: exitError,
		Stderr: "sse: POST URL/v1/chat/completions: unexpected status 401 Unauthorized; the server said: No API key: send one with the header Authorization: Bearer <key>\n" +
			"response body:\n" +
			`{"error":{"message":"No API key: send one with the header Authorization: Bearer <key>","type":"invalid_request_error"}}` + "\n" +
			"hint: the server refused the credentials: check them, and send them with -H 'Authorization: Bearer ...' or the header the API names\n",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("run (-want +got):\n%s", diff)
	}
}
