package sse_test

// How a stream ends at the caller's word: Close, a cancelled context, a
// break out of the iterator, and Reconnect around a wait.

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ssekit/sse"
	"github.com/ssekit/sse/ssetest"
)

func TestClientCancelAndCloseArePrompt(t *testing.T) {
	block := ssetest.Stream(ssetest.Stall())
	tests := []struct {
		name     string
		response ssetest.Response
		policy   sse.RetryPolicy
		close    bool
		wantErr  error
	}{
		{"cancel during read", block, sse.RetryPolicy{}, false, context.Canceled},
		{"close during read", block, sse.RetryPolicy{}, true, nil},
		{"cancel during backoff", ssetest.Status(http.StatusBadGateway, ""), sse.RetryPolicy{BaseDelay: time.Hour}, false, context.Canceled},
		{"close during backoff", ssetest.Status(http.StatusBadGateway, ""), sse.RetryPolicy{BaseDelay: time.Hour}, true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := serve(t, tt.response)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
			connected := make(chan struct{}, 1)
			c := sse.NewClient(sse.WithHTTPClient(srv.Client()), sse.WithRetryPolicy(tt.policy), sse.WithHooks(sse.Hooks{
				OnConnect: func(*http.Response) { connected <- struct{}{} },
				OnRetry:   func(int, time.Duration, error) { connected <- struct{}{} },
			}))
			s := c.Connect(req)
			defer s.Close()
			done := make(chan time.Duration)
			var stopped atomic.Int64
			go func() {
				<-connected
				time.Sleep(20 * time.Millisecond) // let Next block
				stopped.Store(time.Now().UnixNano())
				if tt.close {
					s.Close()
				} else {
					cancel()
				}
			}()
			go func() {
				for s.Next() {
				}
				done <- time.Since(time.Unix(0, stopped.Load()))
			}()
			select {
			case d := <-done:
				if d > 100*time.Millisecond {
					t.Errorf("Next returned %v after the stop, want under 100ms", d)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("Next did not return after the stop")
			}
			if !errors.Is(s.Err(), tt.wantErr) || (tt.wantErr == nil && s.Err() != nil) {
				t.Errorf("Err() = %v, want %v", s.Err(), tt.wantErr)
			}
		})
	}
}

func TestClientStaleReconnectDoesNotCutAWait(t *testing.T) {
	srv := serve(t, ssetest.Stream(ssetest.Raw("data: a\n\n")), ssetest.Status(http.StatusBadGateway, ""), ssetest.Stream(ssetest.Raw("data: b\n\n")), ssetest.NoContent())
	waited := make(chan time.Duration, 8)
	c := sse.NewClient(sse.WithHTTPClient(srv.Client()), sse.WithRetryPolicy(sse.RetryPolicy{BaseDelay: 50 * time.Millisecond, Jitter: -1}),
		sse.WithHooks(sse.Hooks{OnRetry: func(_ int, d time.Duration, _ error) { waited <- d }}))
	s := c.Connect(request(t, http.MethodGet, srv.URL, nil))
	defer s.Close()
	if !s.Next() {
		t.Fatal(s.Err())
	}
	s.Reconnect() // ends the first connection at once
	start := time.Now()
	if !s.Next() {
		t.Fatal(s.Err())
	}
	// The 502's wait of 50 ms must be waited in full before event b.
	if d := time.Since(start); d < 50*time.Millisecond {
		t.Errorf("event b came after %v, before the 50ms wait ended", d)
	}
	if got := s.Event().Data; got != "b" {
		t.Errorf("event %q, want b", got)
	}
}

func TestClientCloseBeforeAWaitEndsIt(t *testing.T) {
	// Close and Reconnect, however they interleave with the stream, must
	// not leave it waiting out an hour's backoff.
	for _, reconnectFirst := range []bool{false, true} {
		srv := serve(t, ssetest.Status(http.StatusBadGateway, ""))
		var s *sse.Stream
		c := sse.NewClient(sse.WithHTTPClient(srv.Client()), sse.WithRetryPolicy(sse.RetryPolicy{BaseDelay: time.Hour, Jitter: -1}),
			sse.WithHooks(sse.Hooks{OnRetry: func(int, time.Duration, error) {
				// The wait is decided and not yet begun.
				if reconnectFirst {
					s.Reconnect()
				}
				s.Close()
			}}))
		s = c.Connect(request(t, http.MethodGet, srv.URL, nil))
		done := make(chan bool)
		go func() { done <- s.Next() }()
		select {
		case got := <-done:
			if got || s.Err() != nil {
				t.Errorf("reconnect first %v: Next() = %v, Err() = %v; want false, nil", reconnectFirst, got, s.Err())
			}
		case <-time.After(5 * time.Second):
			s.Reconnect()
			t.Fatalf("reconnect first %v: Next still waits after Close", reconnectFirst)
		}
	}
}

func TestClientEventsIteratorClosesOnBreak(t *testing.T) {
	srv := serve(t, ssetest.Stream(ssetest.Raw("data: 1\n\ndata: 2\n\n"), ssetest.Stall()))
	var got []string
	for ev, err := range sse.NewClient(sse.WithHTTPClient(srv.Client())).Events(request(t, http.MethodGet, srv.URL, nil)) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, ev.Data)
		if len(got) == 2 {
			break
		}
	}
	if diff := cmp.Diff([]string{"1", "2"}, got); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	// goleak in TestMain fails the run if the connection were left open.
}
