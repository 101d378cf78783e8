package sse

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/ssekit/sse/internal/corpus"
	"github.com/ssekit/sse/internal/memstat"
)

// llmEvents is the number of events of the OpenAI-style corpus that one
// iteration of the end-to-end benchmark streams.
const llmEvents = 20_000

// streamServer serves data, flushing after every flushEvery events, to
// each request. The stream then ends.
func streamServer(data []byte, flushEvery int) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		f := w.(http.Flusher)
		sep := []byte("\n\n")
		for rest := data; len(rest) > 0; {
			end := 0
			for range flushEvery {
				i := bytes.Index(rest[end:], sep)
				if i < 0 {
					end = len(rest)
					break
				}
				end += i + len(sep)
			}
			if _, err := w.Write(rest[:end]); err != nil {
				return
			}
			f.Flush()
			rest = rest[end:]
		}
	}))
}

// BenchmarkClientEndToEnd streams the OpenAI-style corpus over loopback,
// flushing every 16 events, and reads it four ways in the same run: the
// bare net/http body read with no parsing (the floor), the parser alone
// over the same bytes in memory (4 KiB reads), and the Client through its
// zero-copy and its Event API. ns/event and allocs/event compare them;
// the server's own allocations count in every network case alike.
func BenchmarkClientEndToEnd(b *testing.B) {
	c := corpus.LLM(llmEvents)
	srv := streamServer(c.Data, 16)
	defer srv.Close()
	httpClient := srv.Client()

	report := func(b *testing.B, run func()) {
		b.SetBytes(int64(len(c.Data)))
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		b.ResetTimer()
		for range b.N {
			run()
		}
		b.StopTimer()
		runtime.ReadMemStats(&after)
		events := float64(b.N) * float64(c.Want.Events)
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/events, "ns/event")
		b.ReportMetric(float64(after.Mallocs-before.Mallocs)/events, "allocs/event")
		b.ReportMetric(events/b.Elapsed().Seconds(), "events/s")
	}

	b.Run("floor=net-http-read", func(b *testing.B) {
		buf := make([]byte, 4<<10)
		report(b, func() {
			resp, err := httpClient.Get(srv.URL)
			if err != nil {
				b.Fatal(err)
			}
			n := 0
			for {
				m, err := resp.Body.Read(buf)
				n += m
				if err != nil {
					break
				}
			}
			resp.Body.Close()
			if n != len(c.Data) {
				b.Fatalf("read %d bytes, want %d", n, len(c.Data))
			}
		})
	})
	b.Run("parser-in-memory", func(b *testing.B) {
		r := corpus.NewReader(c.Data, corpus.Read4K)
		report(b, func() {
			r.Reset(c.Data, corpus.Read4K)
			p := NewParser(r)
			n := 0
			for p.Next() {
				n++
			}
			if n != c.Want.Events {
				b.Fatalf("%d events, want %d", n, c.Want.Events)
			}
		})
	})
	client := NewClient(WithHTTPClient(httpClient))
	for _, api := range []string{"raw", "event"} {
		b.Run("client-"+api, func(b *testing.B) {
			report(b, func() {
				req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
				s := client.Connect(req)
				n := 0
				for s.Next() {
					n++
					var data []byte
					if api == "raw" {
						data = s.Raw().Data
					} else {
						data = []byte(s.Event().Data)
					}
					if string(data) == "[DONE]" {
						break
					}
				}
				s.Close()
				if n != c.Want.Events {
					b.Fatalf("%d events, want %d (err %v)", n, c.Want.Events, s.Err())
				}
			})
		})
	}
}

// idleStreams is how many idle streams BenchmarkIdleStreams holds open.
const idleStreams = 1000

// BenchmarkIdleStreams opens 1,000 streams to one local server, which sends
// one comment on each and then nothing, and reports the heap and the
// goroutines that each open stream holds, beside the floor: the same
// number of bare net/http responses, each with a goroutine blocked in a
// 4 KiB body read. Both figures include the server's side of each
// connection, which is the same in both cases; compare the two.
func BenchmarkIdleStreams(b *testing.B) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		io.WriteString(w, ": open\n")
		w.(http.Flusher).Flush()
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	transport := &http.Transport{MaxIdleConnsPerHost: idleStreams, MaxConnsPerHost: 0}
	defer transport.CloseIdleConnections()
	httpClient := &http.Client{Transport: transport}

	measure := func(b *testing.B, open func(ctx context.Context, ready *sync.WaitGroup, done *sync.WaitGroup)) {
		for range b.N {
			ctx, cancel := context.WithCancel(context.Background())
			var ready, done sync.WaitGroup
			before := memstat.Settle()
			ready.Add(idleStreams)
			done.Add(idleStreams)
			for range idleStreams {
				go open(ctx, &ready, &done)
			}
			ready.Wait()
			after := memstat.Settle()
			b.ReportMetric(float64(int64(after.Heap)-int64(before.Heap))/idleStreams, "heap-B/stream")
			b.ReportMetric(float64(int64(after.Stack)-int64(before.Stack))/idleStreams, "stack-B/stream")
			b.ReportMetric(float64(after.Goroutines-before.Goroutines)/idleStreams, "goroutines/stream")
			cancel()
			done.Wait()
			transport.CloseIdleConnections()
		}
	}

	b.Run("floor=net-http", func(b *testing.B) {
		measure(b, func(ctx context.Context, ready, done *sync.WaitGroup) {
			defer done.Done()
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
			resp, err := httpClient.Do(req)
			if err != nil {
				ready.Done()
				b.Error(err)
				return
			}
			defer resp.Body.Close()
			buf := make([]byte, 4<<10)
			n, _ := resp.Body.Read(buf)
			if n == 0 {
				b.Error("no comment received")
			}
			ready.Done()
			resp.Body.Read(buf) // blocks until cancelled
		})
	})
	b.Run("sse", func(b *testing.B) {
		// Each stream's one comment marks it ready.
		var ready atomic.Pointer[sync.WaitGroup]
		client := NewClient(WithHTTPClient(httpClient), WithOnComment(func([]byte) { ready.Load().Done() }))
		measure(b, func(ctx context.Context, wg, done *sync.WaitGroup) {
			defer done.Done()
			ready.Store(wg)
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
			s := client.Connect(req)
			for s.Next() {
			}
		})
	})
}
