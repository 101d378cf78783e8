package sse

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkReconnectRate measures, with the real clock, how often one
// client reconnects to a hostile server that sends "retry: 0" and ends
// every connection: it reports the connections the server saw in the
// first second and in a two-second window. "no-floor" is the same client
// with RetryPolicy.MinDelay < 0, the behaviour before the floor, measured
// in the same run for comparison. Run it once, as
//
//	go test -run '^$' -bench BenchmarkReconnectRate -benchtime 1x .
func BenchmarkReconnectRate(b *testing.B) {
	tests := []struct {
		name   string
		body   string
		status int
		policy RetryPolicy
	}{
		{"event", "retry: 0\ndata: x\n\n", 0, RetryPolicy{}},
		{"no-event", "retry: 0\n\n", 0, RetryPolicy{}},
		{"then-500s", "retry: 0\n\n", http.StatusInternalServerError, RetryPolicy{}},
		{"no-event/no-floor", "retry: 0\n\n", 0, RetryPolicy{MinDelay: -1}},
	}
	const window = 2 * time.Second
	for _, tt := range tests {
		b.Run(tt.name, func(b *testing.B) {
			for range b.N {
				var n, inFirst atomic.Int64
				start := time.Now()
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if n.Add(1) > 1 && tt.status != 0 {
						w.WriteHeader(tt.status)
					} else {
						w.Header().Set("Content-Type", "text/event-stream")
						io.WriteString(w, tt.body)
					}
					if time.Since(start) < time.Second {
						inFirst.Add(1)
					}
				}))
				ctx, cancel := context.WithTimeout(context.Background(), window)
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
				s := NewClient(WithHTTPClient(srv.Client()), WithRetryPolicy(tt.policy)).Connect(req)
				for s.Next() {
				}
				cancel()
				srv.Close()
				b.ReportMetric(float64(inFirst.Load()), "conns/first-s")
				b.ReportMetric(float64(n.Load())/window.Seconds(), "conns/s")
			}
		})
	}
}

// BenchmarkGiveUp measures, with the real clock, how long a stream with
// RetryPolicy{MaxElapsed: 500ms, MaxDelay: 1s} takes to give up against a
// server that asks for a wait far past MaxElapsed. Run it as
//
//	go test -run '^$' -bench BenchmarkGiveUp .
func BenchmarkGiveUp(b *testing.B) {
	tests := []struct {
		name    string
		handler http.HandlerFunc
	}{
		{"retry-3600000", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/event-stream")
			io.WriteString(w, "retry: 3600000\n\n")
		}},
		{"retry-after-99999999999", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "99999999999")
			w.WriteHeader(http.StatusServiceUnavailable)
		}},
	}
	for _, tt := range tests {
		b.Run(tt.name, func(b *testing.B) {
			srv := httptest.NewServer(tt.handler)
			defer srv.Close()
			c := NewClient(WithHTTPClient(srv.Client()), WithRetryPolicy(RetryPolicy{MaxElapsed: 500 * time.Millisecond, MaxDelay: time.Second}))
			var longest time.Duration
			for range b.N {
				start := time.Now()
				req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
				s := c.Connect(req)
				for s.Next() {
				}
				if !errors.Is(s.Err(), ErrGaveUp) {
					b.Fatalf("Err() = %v, want ErrGaveUp", s.Err())
				}
				longest = max(longest, time.Since(start))
			}
			b.ReportMetric(float64(longest)/float64(time.Millisecond), "max-ms")
		})
	}
}
