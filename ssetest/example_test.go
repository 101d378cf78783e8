package ssetest_test

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/ssekit/sse"
	"github.com/ssekit/sse/ssetest"
)

// A server that fails once, then streams two events and drops the
// connection in the middle of a third; the client retries, reconnects and
// resumes from the last event ID it saw.
func Example() {
	srv := ssetest.NewServer(
		ssetest.Status(503, "busy"),
		ssetest.Stream(
			ssetest.Retry(time.Millisecond),
			ssetest.Event(sse.Event{ID: "1", Data: "one"}),
			ssetest.Event(sse.Event{ID: "2", Data: "two"}),
			ssetest.DropAfter(8),
			ssetest.Event(sse.Event{ID: "3", Data: "three"}),
		),
		ssetest.Stream(ssetest.Event(sse.Event{ID: "3", Data: "three"})),
	)
	defer srv.Close()

	client := sse.NewClient(
		sse.WithHTTPClient(srv.Client()),
		sse.WithRetryPolicy(sse.RetryPolicy{BaseDelay: time.Millisecond, MinDelay: time.Millisecond}),
	)
	req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
	stream := client.Connect(req)
	defer stream.Close()
	for i := 0; i < 3 && stream.Next(); i++ {
		ev := stream.Event()
		fmt.Println(ev.ID, ev.Data)
	}
	for _, r := range srv.Requests() {
		fmt.Printf("request with Last-Event-ID %q\n", r.LastEventID)
	}
	// Output:
	// 1 one
	// 2 two
	// 3 three
	// request with Last-Event-ID ""
	// request with Last-Event-ID ""
	// request with Last-Event-ID "2"
}

// A numbered feed cut at two places: the client sees every event once.
func ExampleFeed() {
	feed := &ssetest.Feed{Events: 5}
	feed.Cuts = []int{10, 50} // byte offsets into feed.Bytes()
	srv := ssetest.NewServer(ssetest.Stream(ssetest.Retry(time.Millisecond), feed))
	defer srv.Close()

	client := sse.NewClient(sse.WithHTTPClient(srv.Client()))
	req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
	stream := client.Connect(req)
	defer stream.Close()
	for stream.Next() {
		fmt.Println(stream.Event().Data)
		if stream.Event().ID == "5" {
			break
		}
	}
	fmt.Println(len(srv.Requests()), "connections")
	// Output:
	// event 1
	// event 2
	// event 3
	// event 4
	// event 5
	// 3 connections
}

// An API that rejects a request answers with a status and a JSON body,
// which the client's error carries.
func ExampleStatus() {
	srv := ssetest.NewServer(
		ssetest.Status(401, `{"error":"invalid token"}`).With("Content-Type", "application/json"),
	)
	defer srv.Close()

	client := sse.NewClient(sse.WithHTTPClient(srv.Client()))
	req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
	for _, err := range client.Events(req) {
		var rerr *sse.ResponseError
		if errors.As(err, &rerr) {
			fmt.Println(rerr.StatusCode, string(rerr.Body))
		}
	}
	// Output:
	// 401 {"error":"invalid token"}
}

// A test can check what the client sent with every request.
func ExampleServer_Requests() {
	srv := ssetest.NewServer(ssetest.NoContent())
	defer srv.Close()

	client := sse.NewClient(sse.WithHTTPClient(srv.Client()), sse.WithLastEventID("42"))
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/feed", nil)
	req.Header.Set("Authorization", "Bearer secret")
	for range client.Events(req) {
	}
	for _, r := range srv.Requests() {
		fmt.Println(r.Method, r.URL)
		fmt.Println("Accept:", r.Header.Get("Accept"))
		fmt.Println("Last-Event-ID:", r.LastEventID)
		fmt.Println("Authorization:", r.Header.Get("Authorization"))
	}
	// Output:
	// GET /feed
	// Accept: text/event-stream
	// Last-Event-ID: 42
	// Authorization: Bearer secret
}

// A stalled server: the client's idle timeout takes the connection for
// dead, and the client reconnects.
func ExampleStall() {
	srv := ssetest.NewServer(
		ssetest.Stream(ssetest.Event(sse.Event{ID: "1", Data: "first"}), ssetest.Stall()),
		ssetest.Stream(ssetest.Event(sse.Event{ID: "2", Data: "second"}), ssetest.Stall()),
	)
	defer srv.Close()

	client := sse.NewClient(
		sse.WithHTTPClient(srv.Client()),
		sse.WithIdleTimeout(300*time.Millisecond),
		sse.WithRetryPolicy(sse.RetryPolicy{BaseDelay: time.Millisecond, MinDelay: time.Millisecond}),
		sse.WithHooks(sse.Hooks{OnDisconnect: func(err error) {
			fmt.Println("disconnected:", errors.Is(err, sse.ErrIdleTimeout))
		}}),
	)
	req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
	stream := client.Connect(req)
	defer stream.Close()
	for i := 0; i < 2 && stream.Next(); i++ {
		fmt.Println(stream.Event().Data)
	}
	// Output:
	// first
	// disconnected: true
	// second
}
