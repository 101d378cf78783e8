package sse_test

// Streams through a real nginx reverse proxy, as most production traffic
// goes. The tests need the nginx binary (Debian: apt-get install
// nginx-light); they skip without it, except in CI (CI=true), where they
// must run.

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ssekit/sse"
	"github.com/ssekit/sse/ssetest"
)

// nginxBinary returns the path of nginx, or skips the test (fails it in
// CI) when nginx is not installed.
func nginxBinary(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("nginx")
	if err != nil {
		for _, p := range []string{"/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/local/nginx/sbin/nginx"} {
			if _, serr := os.Stat(p); serr == nil {
				return p
			}
		}
		msg := "nginx is not installed; install it to run the reverse proxy tests: apt-get install nginx-light (or nginx)"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg + "; CI must run them, so .ci/run installs it")
		}
		t.Skip(msg)
	}
	return path
}

// proxy is an nginx reverse proxy that runs as a child process of the
// test, from a configuration in a temporary directory.
type proxy struct {
	URL string
	dir string
}

// proxyConfig is the nginx configuration of a proxy: one server on
// 127.0.0.1 whose one location passes everything to the upstream. nginx
// runs in the foreground as a single process, with every file it writes
// inside dir.
const proxyConfig = `daemon off;
master_process off;
worker_processes 1;
pid {{dir}}/nginx.pid;
error_log {{dir}}/error.log info;
events {
    worker_connections 128;
}
http {
    access_log off;
    client_body_temp_path {{dir}}/client_body;
    proxy_temp_path {{dir}}/proxy;
{{temp}}
    server {
        listen 127.0.0.1:{{port}};
        location / {
            proxy_pass {{upstream}};
            proxy_read_timeout 60s;
{{location}}
        }
    }
}
`

// proxyMode is how a proxy passes responses on.
type proxyMode struct {
	// buffering sets proxy_buffering, which is on by default.
	buffering bool
	// http10 leaves proxy_http_version at its default, 1.0, instead of
	// the 1.1 that guides for event streams recommend: the upstream then
	// sends the body unchunked, ended by closing the connection.
	http10 bool
}

// location returns the directives of the mode.
func (m proxyMode) location() string {
	var b strings.Builder
	if m.buffering {
		b.WriteString("            proxy_buffering on;\n")
	} else {
		b.WriteString("            proxy_buffering off;\n")
	}
	if !m.http10 {
		b.WriteString("            proxy_http_version 1.1;\n            proxy_set_header Connection \"\";\n")
	}
	return b.String()
}

// streaming is the mode of the guides: HTTP/1.1 to the upstream, no
// buffering.
var streaming = proxyMode{buffering: false}

// startProxy starts nginx in front of upstream, passing responses on as
// mode says, and stops it when the test ends.
func startProxy(t *testing.T, upstream string, mode proxyMode) *proxy {
	t.Helper()
	bin := nginxBinary(t)
	dir := t.TempDir()
	version, _ := exec.Command(bin, "-V").CombinedOutput()
	// nginx creates the temporary directories of every module it has, in
	// system paths unless told otherwise; a module left out of the build
	// rejects its directive.
	var temp strings.Builder
	for _, m := range []string{"fastcgi", "uwsgi", "scgi"} {
		if !bytes.Contains(version, []byte("--without-http_"+m+"_module")) {
			fmt.Fprintf(&temp, "    %s_temp_path %s/%s;\n", m, dir, m)
		}
	}
	var lastErr error
	for range 3 { // a free port may be taken before nginx binds it
		port, err := freePort()
		if err != nil {
			t.Fatal(err)
		}
		conf := strings.NewReplacer(
			"{{dir}}", dir, "{{port}}", port, "{{upstream}}", upstream,
			"{{location}}", mode.location(), "{{temp}}", temp.String(),
		).Replace(proxyConfig)
		if err := os.WriteFile(filepath.Join(dir, "nginx.conf"), []byte(conf), 0o644); err != nil {
			t.Fatal(err)
		}
		if lastErr = runNginx(t, bin, dir, port); lastErr == nil {
			return &proxy{URL: "http://127.0.0.1:" + port, dir: dir}
		}
	}
	t.Fatalf("starting nginx: %v", lastErr)
	return nil
}

// runNginx starts nginx with the configuration in dir and waits until it
// accepts connections on port. A test cleanup stops it.
func runNginx(t *testing.T, bin, dir, port string) error {
	stderr, err := os.Create(filepath.Join(dir, "stderr.log"))
	if err != nil {
		return err
	}
	defer stderr.Close()
	cmd := exec.Command(bin, "-p", dir, "-c", filepath.Join(dir, "nginx.conf"), "-e", filepath.Join(dir, "error.log"))
	cmd.Stdout, cmd.Stderr = stderr, stderr
	if err := cmd.Start(); err != nil {
		return err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stop := func() {
		cmd.Process.Signal(syscall.SIGTERM) // fast shutdown
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
	}
	for start := time.Now(); time.Since(start) < 10*time.Second; time.Sleep(10 * time.Millisecond) {
		select {
		case err := <-exited:
			exited <- err
			logs, _ := os.ReadFile(filepath.Join(dir, "error.log"))
			out, _ := os.ReadFile(filepath.Join(dir, "stderr.log"))
			return fmt.Errorf("nginx exited (%v):\n%s%s", err, out, logs)
		default:
		}
		if c, err := net.DialTimeout("tcp", "127.0.0.1:"+port, time.Second); err == nil {
			c.Close()
			t.Cleanup(func() {
				stop()
				if t.Failed() {
					logs, _ := os.ReadFile(filepath.Join(dir, "error.log"))
					t.Logf("nginx error log:\n%s", logs)
				}
			})
			return nil
		}
	}
	stop()
	return errors.New("nginx did not accept connections within 10 s")
}

// freePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func freePort() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	_, port, err := net.SplitHostPort(l.Addr().String())
	return port, err
}

// arrival is an event, or the error that ended its stream, and when it
// arrived.
type arrival struct {
	ev  sse.Event
	err error
	at  time.Time
}

// receive reads stream on a goroutine and sends what arrives on the
// returned channel, which is closed when the stream ends. The stream is
// closed when the test ends.
func receive(t *testing.T, stream *sse.Stream) <-chan arrival {
	c := make(chan arrival, 100)
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer close(c)
		for stream.Next() {
			c <- arrival{ev: stream.Event(), at: time.Now()}
		}
		if err := stream.Err(); err != nil {
			c <- arrival{err: err, at: time.Now()}
		}
	}()
	t.Cleanup(func() {
		stream.Close()
		<-done
	})
	return c
}

// next returns what arrives on c within d, or fails the test.
func next(t *testing.T, c <-chan arrival, d time.Duration, what string) arrival {
	t.Helper()
	select {
	case a, ok := <-c:
		if !ok {
			t.Fatalf("waiting for %s: the stream ended", what)
		}
		if a.err != nil {
			t.Fatalf("waiting for %s: %v", what, a.err)
		}
		return a
	case <-time.After(d):
		t.Fatalf("%s did not arrive within %v", what, d)
	}
	return arrival{}
}

// nothingWithin fails the test if anything arrives on c within d.
func nothingWithin(t *testing.T, c <-chan arrival, d time.Duration, why string) {
	t.Helper()
	select {
	case a := <-c:
		t.Fatalf("%s, but %+v arrived", why, a)
	case <-time.After(d):
	}
}

// TestNginxDeliversEventsOneByOne checks that with proxy_buffering off
// each event passes the proxy as soon as the upstream sends it, while the
// upstream still holds the stream open.
func TestNginxDeliversEventsOneByOne(t *testing.T) {
	release1, release2 := make(chan struct{}), make(chan struct{})
	upstream := ssetest.NewServer(
		ssetest.Stream(
			ssetest.Event(message("1", "one")),
			ssetest.Wait(release1),
			ssetest.Event(message("2", "two")),
			ssetest.Wait(release2),
			ssetest.Event(message("3", "three")),
			ssetest.Stall(),
		),
	)
	defer upstream.Close()
	px := startProxy(t, upstream.URL, streaming)

	ctx := deadline(t, 20*time.Second)
	client := proxyClient(t)
	sent := time.Now()
	c := receive(t, client.Connect(get(t, ctx, px.URL+"/events")))
	a := next(t, c, 5*time.Second, "the first event, while the upstream holds the stream")
	first := a.at.Sub(sent)
	close(release1)
	b := next(t, c, 5*time.Second, "the second event")
	close(release2)
	d := next(t, c, 5*time.Second, "the third event")
	if diff := cmp.Diff([]sse.Event{message("1", "one"), message("2", "two"), message("3", "three")}, []sse.Event{a.ev, b.ev, d.ev}); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	reqs := upstream.Requests()
	if len(reqs) != 1 || reqs[0].Header.Get("Accept") != "text/event-stream" || reqs[0].URL != "/events" {
		t.Errorf("upstream requests: %+v; want one GET /events with Accept: text/event-stream", reqs)
	}
	t.Logf("proxy_buffering off: the first event arrived %v after the request, while the upstream held the stream", first.Round(time.Millisecond))
}

// TestNginxReconnectAndLastEventID cuts the upstream's connections twice
// in the middle of events: nginx passes the failure on, the client
// reconnects through the proxy with Last-Event-ID, and every event arrives
// once, in order.
func TestNginxReconnectAndLastEventID(t *testing.T) {
	feed := &ssetest.Feed{Events: 10}
	whole := feed.Bytes()
	feed.Cuts = []int{
		bytes.Index(whole, []byte("event 4")), // in event 4's data
		bytes.Index(whole, []byte("id: 8")) + 2,
	}
	upstream := ssetest.NewServer(ssetest.Stream(feed, ssetest.Stall()))
	defer upstream.Close()
	px := startProxy(t, upstream.URL, streaming)

	var disconnects []error
	client := proxyClient(t,
		sse.NewFakeClock().Option(),
		sse.WithHooks(sse.Hooks{OnDisconnect: func(err error) { disconnects = append(disconnects, err) }}),
	)
	stream := client.Connect(get(t, deadline(t, 20*time.Second), px.URL))
	defer stream.Close()
	var got []sse.Event
	for len(got) < feed.Events && stream.Next() {
		got = append(got, stream.Event())
	}
	stream.Close()
	if diff := cmp.Diff(feed.Want(), got); diff != "" {
		t.Errorf("events (-want +got):\n%s\nstream error: %v", diff, stream.Err())
	}
	var lastIDs []string
	for _, r := range upstream.Requests() {
		lastIDs = append(lastIDs, r.LastEventID)
	}
	if diff := cmp.Diff([]string{"", "3", "7"}, lastIDs); diff != "" {
		t.Errorf("Last-Event-ID of each request to the upstream (-want +got):\n%s", diff)
	}
	t.Logf("through nginx, each cut reached the client as: %v", disconnects)
	if len(disconnects) != 2 {
		t.Errorf("%d disconnects, want 2", len(disconnects))
	}
}

// TestNginxBuffering documents what users see with nginx's buffering
// (proxy_buffering on, its default) and no X-Accel-Buffering: no header.
//
// With proxy_http_version 1.1 the upstream's body is chunked, and nginx
// passes on each chunk as it comes even with buffering on: events arrive
// one by one. With nginx's default proxy_http_version 1.0 the body is
// delimited by the end of the connection, and nginx holds it until its
// buffer fills or the upstream ends: nothing arrives while the upstream
// holds the stream open, heartbeats included, and everything arrives at
// once at the end. The header X-Accel-Buffering: no from the upstream, or
// proxy_buffering off, lets the stream through in both cases.
func TestNginxBuffering(t *testing.T) {
	const hold = 500 * time.Millisecond
	tests := []struct {
		name         string
		mode         proxyMode
		noBuffer     bool // the upstream sends X-Accel-Buffering: no
		wantOneByOne bool
	}{
		{"buffering on, HTTP/1.1 upstream", proxyMode{buffering: true}, false, true},
		{"buffering on, HTTP/1.0 upstream", proxyMode{buffering: true, http10: true}, false, false},
		{"buffering on, HTTP/1.0 upstream, X-Accel-Buffering: no", proxyMode{buffering: true, http10: true}, true, true},
		{"buffering off, HTTP/1.0 upstream", proxyMode{buffering: false, http10: true}, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			release := make(chan struct{})
			resp := ssetest.Stream(
				ssetest.Event(message("1", "one")),
				ssetest.Comment("heartbeat"),
				ssetest.Wait(release),
				ssetest.Event(message("2", "two")),
			)
			if tt.noBuffer {
				resp = resp.With("X-Accel-Buffering", "no")
			}
			upstream := ssetest.NewServer(resp)
			defer upstream.Close()
			px := startProxy(t, upstream.URL, tt.mode)
			req, err := http.NewRequestWithContext(deadline(t, 20*time.Second), http.MethodPost, px.URL, nil)
			if err != nil {
				t.Fatal(err)
			}
			c := receive(t, proxyClient(t).Connect(req)) // a POST: one response, no reconnect
			sent := time.Now()
			var a arrival
			if tt.wantOneByOne {
				a = next(t, c, 5*time.Second, "the first event, while the upstream holds the stream")
				t.Logf("the first event arrived %v after the request, while the upstream held the stream", a.at.Sub(sent).Round(time.Millisecond))
			} else {
				waitRequests(t, upstream, 1)
				nothingWithin(t, c, hold, "nginx holds the stream while the upstream holds it open")
			}
			released := time.Now()
			close(release)
			if !tt.wantOneByOne {
				a = next(t, c, 5*time.Second, "the first event, after the upstream ended")
			}
			b := next(t, c, 5*time.Second, "the second event")
			if diff := cmp.Diff([]sse.Event{message("1", "one"), message("2", "two")}, []sse.Event{a.ev, b.ev}); diff != "" {
				t.Errorf("events (-want +got):\n%s", diff)
			}
			if !tt.wantOneByOne {
				if a.at.Before(released) {
					t.Errorf("the first event arrived before the upstream ended its response")
				}
				t.Logf("no event for %v while the upstream held the stream; both arrived together, %v after it ended",
					hold, a.at.Sub(released).Round(time.Millisecond))
			}
		})
	}

	// What a held stream does to a client: heartbeats are held too, so
	// its idle timeout fires although the upstream is alive and sends.
	t.Run("buffering on, HTTP/1.0 upstream, idle timeout", func(t *testing.T) {
		const idle = 300 * time.Millisecond
		steps := []ssetest.Step{ssetest.Event(message("1", "one"))}
		for range 20 {
			steps = append(steps, ssetest.Pause(50*time.Millisecond), ssetest.Comment("heartbeat"))
		}
		upstream := ssetest.NewServer(ssetest.Stream(append(steps, ssetest.Stall())...))
		defer upstream.Close()
		px := startProxy(t, upstream.URL, proxyMode{buffering: true, http10: true})
		disconnected := make(chan error, 10)
		client := proxyClient(t,
			sse.WithIdleTimeout(idle),
			sse.WithRetryPolicy(sse.RetryPolicy{MaxAttempts: 1}),
			sse.WithHooks(sse.Hooks{OnDisconnect: func(err error) { disconnected <- err }}),
		)
		c := receive(t, client.Connect(get(t, deadline(t, 20*time.Second), px.URL)))
		select {
		case err := <-disconnected:
			if !errors.Is(err, sse.ErrIdleTimeout) {
				t.Errorf("disconnected by %v, want the idle timeout", err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("the idle timeout did not fire, though nginx holds the heartbeats")
		}
		for a := range c {
			if a.err == nil {
				t.Errorf("event %+v arrived; want none while nginx holds the stream", a.ev)
			}
		}
		t.Logf("heartbeats every 50 ms did not reach the client; its idle timeout of %v fired", idle)
	})
}

// proxyClient returns a Client with opts and a transport of its own,
// whose idle connections are closed when the test ends.
func proxyClient(t *testing.T, opts ...sse.Option) *sse.Client {
	transport := &http.Transport{}
	t.Cleanup(transport.CloseIdleConnections)
	return sse.NewClient(append([]sse.Option{sse.WithHTTPClient(&http.Client{Transport: transport})}, opts...)...)
}
