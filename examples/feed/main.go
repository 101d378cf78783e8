// Command feed follows a feed of events with IDs across a server restart.
//
// With no environment it starts a feed server on 127.0.0.1, follows it,
// kills the server in the middle of the stream and starts it again a
// moment later on the same address. The stream reconnects on its own, and
// resumes after the last event it received by sending the Last-Event-ID
// header: no event is lost or repeated, which the program checks. With
// FEED_URL set it follows that feed until Ctrl-C instead:
//
//	go run ./examples/feed
//	FEED_URL=https://example.com/events go run ./examples/feed
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"sync"
	"time"

	"github.com/ssekit/sse"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Getenv, os.Stdout, os.Stderr); err != nil && !errors.Is(err, context.Canceled) {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}

// Pace of the local feed.
const (
	events    = 10                     // events in the feed
	killAfter = 4                      // the server dies after this event
	interval  = 30 * time.Millisecond  // between two events
	downtime  = 300 * time.Millisecond // before the server comes back
	retry     = 100 * time.Millisecond // the reconnection time it asks for
)

func run(ctx context.Context, getenv func(string) string, stdout, stderr io.Writer) error {
	// The hooks show on stderr what the stream does behind the scenes. A
	// log.Logger serializes the lines of the hooks and of the goroutine
	// that restarts the server.
	logger := log.New(stderr, "", 0)
	client := sse.NewClient(sse.WithHooks(sse.Hooks{
		OnConnect: func(resp *http.Response) {
			logger.Printf("connected (%s), Last-Event-ID %q", resp.Status, resp.Request.Header.Get("Last-Event-ID"))
		},
		OnRetry: func(attempt int, delay time.Duration, err error) {
			logger.Printf("reconnecting in %v (attempt %d): %v", delay.Round(time.Millisecond), attempt, err)
		},
	}))

	if url := getenv("FEED_URL"); url != "" {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		for ev, err := range client.Events(req) {
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "%s %s: %s\n", ev.ID, ev.Type, ev.Data)
		}
		return nil
	}

	srv, err := startFeed()
	if err != nil {
		return err
	}
	defer srv.stop()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.url, nil)
	if err != nil {
		return err
	}
	restarted := make(chan error, 1)
	err = follow(client, req, stdout, func() {
		// Kill the server while the stream goes on.
		go func() { restarted <- srv.restart(logger) }()
	})
	if rerr := <-restarted; err == nil {
		err = rerr
	}
	return err
}

// follow prints the local feed's events and checks that they come in
// order, none lost or repeated. It calls kill after event killAfter.
func follow(client *sse.Client, req *http.Request, stdout io.Writer, kill func()) error {
	want := 1 // the ID of the next event; the feed's IDs count from 1
	for ev, err := range client.Events(req) {
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s %s: %s\n", ev.ID, ev.Type, ev.Data)
		if ev.ID != strconv.Itoa(want) {
			return fmt.Errorf("got event %s where event %d was due: an event was lost or repeated", ev.ID, want)
		}
		if want == killAfter {
			kill()
		}
		if want == events {
			return nil // leaving the loop closes the stream
		}
		want++
	}
	return fmt.Errorf("the stream ended after event %d of %d", want-1, events)
}

// feed is a server of a feed of numbered events, which can be killed and
// started again on the same address.
type feed struct {
	url    string
	addr   string
	mu     sync.Mutex
	srv    *http.Server
	served sync.WaitGroup // the goroutine that runs srv
}

func startFeed() (*feed, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	f := &feed{addr: ln.Addr().String(), url: "http://" + ln.Addr().String() + "/events"}
	f.serve(ln)
	return f, nil
}

// serve starts a new server on ln.
func (f *feed) serve(ln net.Listener) {
	srv := &http.Server{Handler: http.HandlerFunc(f.events)}
	f.mu.Lock()
	f.srv = srv
	f.mu.Unlock()
	f.served.Add(1)
	go func() {
		defer f.served.Done()
		srv.Serve(ln)
	}()
}

// restart kills the server, dropping its connections as a crash would,
// and starts a new one on the same address after the downtime.
func (f *feed) restart(logger *log.Logger) error {
	f.stop()
	logger.Printf("server killed; back in %v", downtime)
	time.Sleep(downtime)
	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		return fmt.Errorf("restarting the feed server: %w", err)
	}
	f.serve(ln)
	logger.Print("server restarted")
	return nil
}

// stop closes the server and its connections, which ends its handlers,
// and waits for it.
func (f *feed) stop() {
	f.mu.Lock()
	f.srv.Close()
	f.mu.Unlock()
	f.served.Wait()
}

// events streams the feed from the event after the request's
// Last-Event-ID, then keeps the connection open, as a live feed does.
func (f *feed) events(w http.ResponseWriter, r *http.Request) {
	next := 1
	if id := r.Header.Get("Last-Event-ID"); id != "" {
		n, err := strconv.Atoi(id)
		if err != nil {
			http.Error(w, "bad Last-Event-ID", http.StatusBadRequest)
			return
		}
		next = n + 1
	}
	w.Header().Set("Content-Type", "text/event-stream")
	enc := sse.NewEncoder(w)
	enc.Retry(retry)
	for i := next; i <= events; i++ {
		select {
		case <-time.After(interval):
		case <-r.Context().Done():
			return
		}
		ev := sse.Event{Type: "tick", ID: strconv.Itoa(i), Data: fmt.Sprintf("event %d of %d", i, events)}
		if enc.Encode(ev) != nil {
			return
		}
	}
	<-r.Context().Done()
}
