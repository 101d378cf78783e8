package sse_test

// The reliability suite: the Client against servers that fail on purpose,
// through ssetest. Each test bounds its own run time and stops its server.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/goleak"

	"github.com/ssekit/sse"
	"github.com/ssekit/sse/ssetest"
)

// seed returns the seed for a randomised test: the value of the
// environment variable name if it is set, a new one otherwise. It is
// printed if the test fails, with how to run the test again with it.
func seed(t *testing.T, name string) uint64 {
	t.Helper()
	s := uint64(time.Now().UnixNano())
	if v := os.Getenv(name); v != "" {
		var err error
		if s, err = strconv.ParseUint(v, 10, 64); err != nil {
			t.Fatalf("%s=%q: %v", name, v, err)
		}
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("seed %d; run again with %s=%d go test -run '^%s$'", s, name, s, t.Name())
		}
	})
	return s
}

// TestExactlyOnceUnderChurn streams a feed of 5,000 numbered events from a
// server that drops the connection at 300 random byte offsets of the feed
// (inside field names, values, line endings, between events). Each drop
// discards the partial event and the client resumes with Last-Event-ID:
// every event must arrive exactly once, in order.
func TestExactlyOnceUnderChurn(t *testing.T) {
	const events, cuts = 5000, 300
	rng := rand.New(rand.NewPCG(seed(t, "SSE_CHURN_SEED"), 0))
	feed := &ssetest.Feed{
		Events: events,
		Data: func(id int) string {
			switch id % 10 {
			case 0:
				return fmt.Sprintf("event %d\nsecond line\n", id)
			case 3:
				return fmt.Sprintf("évènement %d: %s", id, strings.Repeat("~", id%97))
			}
			return fmt.Sprintf("event %d", id)
		},
	}
	size := len(feed.Bytes())
	offsets := map[int]bool{}
	for len(offsets) < cuts {
		offsets[rng.IntN(size)] = true
	}
	for off := range offsets {
		feed.Cuts = append(feed.Cuts, off)
	}
	slices.Sort(feed.Cuts)

	srv := ssetest.NewServer(ssetest.Stream(feed))
	defer srv.Close()
	clock := sse.NewFakeClock()
	var got []sse.Event
	var resumeErrs []string
	client := sse.NewClient(
		sse.WithHTTPClient(srv.Client()),
		clock.Option(),
		sse.WithHooks(sse.Hooks{OnConnect: func(resp *http.Response) {
			// Each connection must resume after the last event received.
			want := ""
			if len(got) > 0 {
				want = got[len(got)-1].ID
			}
			if h := resp.Request.Header.Get("Last-Event-ID"); h != want {
				resumeErrs = append(resumeErrs, fmt.Sprintf("connection %d sent Last-Event-ID %q after event %q", len(resumeErrs)+1, h, want))
			}
		}}),
	)
	start := time.Now()
	stream := client.Connect(get(t, deadline(t, 30*time.Second), srv.URL))
	defer stream.Close()
	for len(got) < events && stream.Next() {
		got = append(got, stream.Event())
	}
	stream.Close()
	elapsed := time.Since(start)
	if err := stream.Err(); err != nil {
		t.Errorf("stream error: %v", err)
	}
	if !slices.Equal(feed.Want(), got) {
		t.Errorf("events are lost, repeated or out of order: %s", firstDifference(feed.Want(), got))
	}
	if len(resumeErrs) > 0 {
		t.Errorf("%d connections did not resume where the stream stopped; first: %s", len(resumeErrs), resumeErrs[0])
	}
	reqs := srv.Requests()
	if len(reqs) != cuts+1 {
		t.Errorf("%d connections, want %d: one for each cut and the last", len(reqs), cuts+1)
	}
	t.Logf("churn: delivered %d of %d events exactly once, in order, over %d connections (%d cuts in %d bytes) in %v",
		len(got), events, len(reqs), cuts, size, elapsed.Round(time.Millisecond))
}

// TestStallIdleTimeoutAndReconnect checks that a server that stops
// sending, before or after its headers, is taken for dead after the idle
// timeout and the stream resumes on a new connection, and that heartbeats
// keep a quiet connection alive.
func TestStallIdleTimeoutAndReconnect(t *testing.T) {
	// A stall must outlast the idle timeout, and a heartbeat must come
	// well within it: a loaded machine can delay one by a hundred
	// milliseconds and more, so the heartbeats have their own, wide,
	// timeout.
	const idle, beatIdle = 200 * time.Millisecond, time.Second
	ev := func(id string) sse.Event { return sse.Event{Type: "message", ID: id, Data: "event " + id} }
	beats := []ssetest.Step{ssetest.Event(ev("1"))}
	for range 30 { // 1.5 s of heartbeats, 50 ms apart
		beats = append(beats, ssetest.Pause(50*time.Millisecond), ssetest.Comment("keep-alive"))
	}
	beats = append(beats, ssetest.Event(ev("2")), ssetest.Stall())
	tests := []struct {
		name        string
		idle        time.Duration
		script      []ssetest.Response
		wantLastIDs []string // the Last-Event-ID of each request
		wantIdle    int      // idle timeouts
	}{
		{
			name: "stall after an event",
			idle: idle,
			script: []ssetest.Response{
				ssetest.Stream(ssetest.Event(ev("1")), ssetest.Stall()),
				ssetest.Stream(ssetest.Event(ev("2")), ssetest.Stall()),
			},
			wantLastIDs: []string{"", "1"},
			wantIdle:    1,
		},
		{
			name: "stall before the headers",
			idle: idle,
			script: []ssetest.Response{
				ssetest.NoAnswer(),
				ssetest.Stream(ssetest.Event(ev("1")), ssetest.Stall()),
				ssetest.NoAnswer(),
				ssetest.Stream(ssetest.Event(ev("2")), ssetest.Stall()),
			},
			wantLastIDs: []string{"", "", "1", "1"},
			wantIdle:    3,
		},
		{
			name:        "heartbeats keep the connection",
			idle:        beatIdle,
			script:      []ssetest.Response{ssetest.Stream(beats...)},
			wantLastIDs: []string{""},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := ssetest.NewServer(tt.script...)
			defer srv.Close()
			var mu sync.Mutex
			var disconnects []error
			client := sse.NewClient(
				sse.WithHTTPClient(srv.Client()),
				sse.WithIdleTimeout(tt.idle),
				sse.NewFakeClock().Option(),
				sse.WithHooks(sse.Hooks{OnDisconnect: func(err error) {
					mu.Lock()
					defer mu.Unlock()
					disconnects = append(disconnects, err)
				}}),
			)
			stream := client.Connect(get(t, deadline(t, 10*time.Second), srv.URL))
			defer stream.Close()
			start := time.Now()
			var got []sse.Event
			for len(got) < 2 && stream.Next() {
				got = append(got, stream.Event())
			}
			elapsed := time.Since(start)
			stream.Close()
			if diff := cmp.Diff([]sse.Event{ev("1"), ev("2")}, got); diff != "" {
				t.Errorf("events (-want +got):\n%s\nstream error: %v", diff, stream.Err())
			}
			var lastIDs []string
			for _, r := range srv.Requests() {
				lastIDs = append(lastIDs, r.LastEventID)
			}
			if diff := cmp.Diff(tt.wantLastIDs, lastIDs); diff != "" {
				t.Errorf("Last-Event-ID of each request (-want +got):\n%s", diff)
			}
			mu.Lock()
			defer mu.Unlock()
			idles := 0
			for _, err := range disconnects {
				if !errors.Is(err, sse.ErrIdleTimeout) {
					t.Errorf("disconnected by %v; want only idle timeouts", err)
				}
				idles++
			}
			if idles != tt.wantIdle {
				t.Errorf("%d idle timeouts, want %d", idles, tt.wantIdle)
			}
			if min := time.Duration(tt.wantIdle) * tt.idle; elapsed < min {
				t.Errorf("the events took %v, less than %d idle timeouts of %v", elapsed, tt.wantIdle, tt.idle)
			}
		})
	}
}

// TestDripDeliversEverything writes the stream one byte at a time, each
// flushed on its own, so that the client reads it split at every byte:
// the events must be those of the undivided stream.
func TestDripDeliversEverything(t *testing.T) {
	feed := &ssetest.Feed{Events: 30, Data: func(id int) string {
		return fmt.Sprintf("event %d\nwith a second line, ünïcödé", id)
	}}
	// The BOM that starts the tail is not at the start of the stream, so
	// it is kept: the line it begins has the field name "\uFEFFdata",
	// which is ignored, and its event has no data.
	tail := "\xEF\xBB\xBFdata: a BOM here makes an unknown field\r\n\r\n" +
		"event: crlf\r\nid: x\r\ndata: one\r\ndata: two\r\n\r\n" +
		"event: cr\rdata: lone CRs\r\r" +
		": a comment\n" +
		"data:no space\n\n" +
		"data: invalid \xff UTF-8\n\n" +
		"data: a partial event, discarded at the end"
	want := append(feed.Want(),
		sse.Event{Type: "crlf", ID: "x", Data: "one\ntwo"},
		sse.Event{Type: "cr", ID: "x", Data: "lone CRs"},
		sse.Event{Type: "message", ID: "x", Data: "no space"},
		sse.Event{Type: "message", ID: "x", Data: "invalid \uFFFD UTF-8"},
	)
	srv := ssetest.NewServer(ssetest.Stream(
		ssetest.Raw("\xEF\xBB\xBF"), // a BOM at the start of the stream
		ssetest.Drip(0),
		feed,
		ssetest.Raw(tail),
	))
	defer srv.Close()
	// A POST is sent once: the stream ends with the response.
	client := sse.NewClient(sse.WithHTTPClient(srv.Client()))
	req, err := http.NewRequestWithContext(deadline(t, 20*time.Second), http.MethodPost, srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []sse.Event
	for ev, err := range client.Events(req) {
		if err != nil {
			t.Fatalf("after %d events: %v", len(got), err)
		}
		got = append(got, ev)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
}

// TestStormBackoff answers with runs of 5xx, 408 and 429: the waits must
// grow, stay under the cap, honour Retry-After in seconds and as a date,
// follow the server's retry field, and start again from the base after a
// healthy connection. The clock is fake: nothing sleeps.
func TestStormBackoff(t *testing.T) {
	const (
		base = 100 * time.Millisecond
		cap_ = time.Second
		ms   = time.Millisecond
	)
	clockStart := sse.NewFakeClock().Now()
	// Waits before this 503 sum to 4.7 s; its Retry-After date is 10 s
	// after the clock's start, so it asks for 5.3 s.
	date := clockStart.Add(10 * time.Second).Format(http.TimeFormat)
	script := []ssetest.Response{
		ssetest.Status(503, ""),
		ssetest.Status(500, ""),
		ssetest.Status(502, ""),
		ssetest.Status(429, "").With("Retry-After", "3"),
		ssetest.Status(504, ""),
		ssetest.Status(503, "").With("Retry-After", date),
		ssetest.Status(500, ""),
		ssetest.Status(429, ""),
		ssetest.Status(408, ""),
		ssetest.Status(500, "").With("Retry-After", "20"), // not a 429 or 503: ignored
		ssetest.Stream(ssetest.Event(sse.Event{Data: "healthy"})),
		ssetest.Status(503, ""),
		ssetest.Stream(ssetest.Retry(50*ms), ssetest.Event(sse.Event{Data: "healthy again"})),
		ssetest.Status(500, ""),
		ssetest.Status(500, ""),
		ssetest.NoContent(),
	}
	tests := []struct {
		name string
		rnd  float64 // every random draw
		want []time.Duration
	}{
		{
			name: "no jitter",
			rnd:  0,
			want: []time.Duration{
				100 * ms, 200 * ms, 400 * ms, // doubling
				3000 * ms,            // Retry-After: 3, above the cap
				1000 * ms,            // 800 ms would double to 1.6 s: capped
				5300 * ms,            // Retry-After as a date
				1000 * ms, 1000 * ms, // capped; a 429 without Retry-After
				1000 * ms, 1000 * ms, // 408; a 500's Retry-After is ignored
				// The healthy connection's clean end is no failure; the
				// 503 after it starts a new run.
				100 * ms, 100 * ms,
				50 * ms, 50 * ms, 100 * ms, // the server's retry is the new base
			},
		},
		{
			name: "half jitter",
			rnd:  0.5, // lengthens each wait by a quarter, within the cap
			want: []time.Duration{
				125 * ms, 250 * ms, 500 * ms,
				3000 * ms,
				1000 * ms,
				// 4.875 s have passed: the date is 5.125 s away.
				5125 * ms,
				1000 * ms, 1000 * ms,
				1000 * ms, 1000 * ms,
				125 * ms, 125 * ms,
				62500 * time.Microsecond, 62500 * time.Microsecond, 125 * ms,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := ssetest.NewServer(script...)
			defer srv.Close()
			clock := sse.NewFakeClock()
			clock.SetRand(func() float64 { return tt.rnd })
			var attempts []int
			client := sse.NewClient(
				sse.WithHTTPClient(srv.Client()),
				// No floor: the waits below it are what this test checks.
				sse.WithRetryPolicy(sse.RetryPolicy{BaseDelay: base, MaxDelay: cap_, Jitter: 0.5, MinDelay: -1}),
				clock.Option(),
				sse.WithHooks(sse.Hooks{OnRetry: func(attempt int, _ time.Duration, _ error) {
					attempts = append(attempts, attempt)
				}}),
			)
			var data []string
			for ev, err := range client.Events(get(t, deadline(t, 10*time.Second), srv.URL)) {
				if err != nil {
					t.Fatalf("stream error: %v", err)
				}
				data = append(data, ev.Data)
			}
			if diff := cmp.Diff([]string{"healthy", "healthy again"}, data); diff != "" {
				t.Errorf("events (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.want, clock.Waits()); diff != "" {
				t.Errorf("waits (-want +got):\n%s", diff)
			}
			// A clean end of a healthy connection is attempt 1 of no run.
			wantAttempts := []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 1, 1, 1, 1, 2}
			if diff := cmp.Diff(wantAttempts, attempts); diff != "" {
				t.Errorf("attempt numbers (-want +got):\n%s", diff)
			}
			if n := len(srv.Requests()); n != len(script) {
				t.Errorf("%d requests, want %d", n, len(script))
			}
		})
	}
}

// TestLongStormStaysWithinBounds plays a long random storm of failures,
// with jitter: every wait lies between the backoff and the backoff
// lengthened by the jitter, never beyond the cap, and never below a
// Retry-After.
func TestLongStormStaysWithinBounds(t *testing.T) {
	const (
		base   = 10 * time.Millisecond
		maxD   = 2 * time.Second
		jitter = 0.5
		storm  = 60
	)
	rng := rand.New(rand.NewPCG(seed(t, "SSE_STORM_SEED"), 1))
	codes := []int{500, 502, 503, 504, 429, 408}
	var script []ssetest.Response
	floors := make([]time.Duration, storm)
	for i := range storm {
		code := codes[rng.IntN(len(codes))]
		r := ssetest.Status(code, "")
		if (code == 429 || code == 503) && rng.IntN(3) == 0 {
			secs := rng.IntN(5)
			r = r.With("Retry-After", strconv.Itoa(secs))
			floors[i] = time.Duration(secs) * time.Second
		}
		script = append(script, r)
	}
	script = append(script, ssetest.NoContent())
	srv := ssetest.NewServer(script...)
	defer srv.Close()

	clock := sse.NewFakeClock()
	draws := rand.New(rand.NewPCG(rng.Uint64(), 2))
	var rnds []float64
	clock.SetRand(func() float64 {
		r := draws.Float64()
		rnds = append(rnds, r)
		return r
	})
	client := sse.NewClient(
		sse.WithHTTPClient(srv.Client()),
		sse.WithRetryPolicy(sse.RetryPolicy{BaseDelay: base, MaxDelay: maxD, Jitter: jitter, MinDelay: -1}),
		clock.Option(),
	)
	for _, err := range client.Events(get(t, deadline(t, 10*time.Second), srv.URL)) {
		t.Fatalf("stream error: %v", err)
	}
	waits := clock.Waits()
	if len(waits) != storm {
		t.Fatalf("%d waits, want %d", len(waits), storm)
	}
	backoff := base
	for i, w := range waits {
		lo := backoff
		hi := min(maxD, backoff+time.Duration(float64(backoff)*jitter*rnds[i]))
		if w < max(lo, floors[i]) || w > max(hi, floors[i]) || (w > maxD && w != floors[i]) {
			t.Errorf("wait %d: %v; want %v to %v, or the Retry-After of %v", i+1, w, lo, hi, floors[i])
		}
		backoff = min(2*backoff, maxD)
	}
}

// heapMeter measures the heap while a stream reads its body. At every
// Read of the body it takes the heap's size, then collects garbage: each
// sample is what was live at the previous read plus all that was
// allocated since, freed or not, which bounds the memory the stream held
// at any moment between the two reads (such as a buffer and the larger
// one it is copied into). The samples do not depend on when the collector
// happens to run.
type heapMeter struct {
	mu         sync.Mutex
	base, peak uint64
	samples    int
	rt         http.RoundTripper
}

// start collects garbage and takes the heap's size as the base.
func (m *heapMeter) start() {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	m.mu.Lock()
	defer m.mu.Unlock()
	m.base, m.peak = ms.HeapAlloc, ms.HeapAlloc
}

func (m *heapMeter) sample() {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	runtime.GC()
	m.mu.Lock()
	defer m.mu.Unlock()
	m.samples++
	m.peak = max(m.peak, ms.HeapAlloc)
}

// growth returns the peak growth of the heap over the base.
func (m *heapMeter) growth() int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return int64(m.peak) - int64(m.base)
}

func (m *heapMeter) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := m.rt.RoundTrip(req)
	if err == nil {
		resp.Body = &meteredBody{ReadCloser: resp.Body, m: m}
	}
	return resp, err
}

type meteredBody struct {
	io.ReadCloser
	m *heapMeter
}

func (b *meteredBody) Read(p []byte) (int, error) {
	b.m.sample()
	return b.ReadCloser.Read(p)
}

// TestHostileInputBoundsMemory reads an endless line and an endless event
// with limits of about 1 MiB: each must end with the typed size error while
// the heap grows by less than twice the limit. A limit that is a power of
// two is the hard case: a buffer grown by plain doubling would hold a
// buffer of the limit and its copy at once.
func TestHostileInputBoundsMemory(t *testing.T) {
	const mib = 1 << 20
	tests := []struct {
		name  string
		step  ssetest.Step
		limit int
		want  error
	}{
		{name: "endless line, 1 MiB", step: ssetest.EndlessLine(), limit: mib, want: sse.ErrLineTooLong},
		{name: "endless line, 1.5 MiB", step: ssetest.EndlessLine(), limit: mib + mib/2, want: sse.ErrLineTooLong},
		{name: "endless event, 1 MiB", step: ssetest.EndlessEvent(), limit: mib, want: sse.ErrEventTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			const bound = 2.0
			srv := ssetest.NewServer(ssetest.Stream(ssetest.Event(sse.Event{Data: "before"}), tt.step))
			defer srv.Close()
			meter := &heapMeter{rt: srv.Client().Transport}
			client := sse.NewClient(
				sse.WithHTTPClient(&http.Client{Transport: meter}),
				sse.WithLimits(tt.limit, tt.limit),
				sse.NewFakeClock().Option(),
			)
			meter.start()
			var data []string
			var err error
			for ev, e := range client.Events(get(t, deadline(t, 10*time.Second), srv.URL)) {
				if e != nil {
					err = e
					break
				}
				data = append(data, ev.Data)
			}
			meter.sample()
			var le *sse.LimitError
			if !errors.Is(err, tt.want) || !errors.As(err, &le) || le.Limit != tt.limit {
				t.Errorf("stream error %v; want a *LimitError of %d bytes wrapping %v", err, tt.limit, tt.want)
			}
			if diff := cmp.Diff([]string{"before"}, data); diff != "" {
				t.Errorf("events (-want +got):\n%s", diff)
			}
			growth := meter.growth()
			t.Logf("%s: peak heap growth %.2f MiB for a limit of %.2f MiB (%.2f× the limit; %d samples)",
				tt.name, float64(growth)/mib, float64(tt.limit)/mib, float64(growth)/float64(tt.limit), meter.samples)
			if float64(growth) >= bound*float64(tt.limit) {
				t.Errorf("the heap grew by %d bytes, not under %.1f times the limit (%d)", growth, bound, tt.limit)
			}
			if meter.samples < tt.limit/(64<<10) {
				t.Errorf("only %d heap samples: the body was not read as expected", meter.samples)
			}
		})
	}
}

// TestGarbageNeverPanics plays random bytes, alone and between events, to
// a stream: it must end with events and no panic, with valid UTF-8 in
// every field.
func TestGarbageNeverPanics(t *testing.T) {
	base := seed(t, "SSE_GARBAGE_SEED")
	var script []ssetest.Response
	const runs = 40
	for i := range uint64(runs) {
		steps := []ssetest.Step{ssetest.Garbage(4<<10, base+i)}
		if i%2 == 1 {
			steps = []ssetest.Step{
				ssetest.Event(sse.Event{ID: "before", Data: "x"}),
				ssetest.Garbage(4<<10, base+i),
				ssetest.Raw("\n\n"),
				ssetest.Event(sse.Event{ID: "after", Data: "y"}),
			}
		}
		if i%4 == 3 {
			steps = append([]ssetest.Step{ssetest.DropAfter(int(i) * 50)}, steps...)
		}
		script = append(script, ssetest.Stream(steps...))
	}
	script = append(script, ssetest.NoContent())
	srv := ssetest.NewServer(script...)
	defer srv.Close()
	client := sse.NewClient(
		sse.WithHTTPClient(srv.Client()),
		sse.WithLimits(1<<10, 1<<10),
		sse.WithSkipOversized(nil),
		sse.NewFakeClock().Option(),
	)
	events := 0
	var err error
	for ev, e := range client.Events(get(t, deadline(t, 10*time.Second), srv.URL)) {
		if e != nil {
			err = e
			break
		}
		events++
		if !utf8.ValidString(ev.Type) || !utf8.ValidString(ev.Data) || !utf8.ValidString(ev.ID) {
			t.Errorf("event with invalid UTF-8: %+q", ev)
		}
	}
	switch {
	case err == nil:
		if n := len(srv.Requests()); n != runs+1 {
			t.Errorf("%d requests, want %d", n, runs+1)
		}
	case strings.Contains(err.Error(), "Last-Event-ID"):
		// The garbage held an "id" field with a control character, which
		// cannot be sent back in a header: the stream says so and stops.
		t.Logf("stopped by an ID that cannot be sent: %v", err)
	default:
		t.Errorf("stream error %v; want the 204 at the end to stop it cleanly", err)
	}
	t.Logf("garbage: %d connections, %d events", len(srv.Requests()), events)
}

// countingTransport counts the response bodies it hands out and those that
// were closed.
type countingTransport struct {
	rt             http.RoundTripper
	opened, closed atomic.Int64
}

func (c *countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := c.rt.RoundTrip(req)
	if err == nil {
		c.opened.Add(1)
		resp.Body = &countedBody{ReadCloser: resp.Body, closed: &c.closed}
	}
	return resp, err
}

type countedBody struct {
	io.ReadCloser
	once   sync.Once
	closed *atomic.Int64
}

func (b *countedBody) Close() error {
	b.once.Do(func() { b.closed.Add(1) })
	return b.ReadCloser.Close()
}

// TestConcurrentStreams runs 200 streams at once through one Client, each
// over its own connection, and ends them in the three ways a user does:
// Close, cancelling the context, and breaking out of a range loop. Then
// every body must be closed and no goroutine left.
func TestConcurrentStreams(t *testing.T) {
	const streams, events = 200, 20
	feed := &ssetest.Feed{Events: events}
	srv := ssetest.NewServer(ssetest.Stream(ssetest.Retry(time.Millisecond), feed, ssetest.Stall()))
	transport := &http.Transport{MaxIdleConnsPerHost: streams}
	counter := &countingTransport{rt: transport}
	client := sse.NewClient(sse.WithHTTPClient(&http.Client{Transport: counter}))
	want := feed.Want()

	var wg sync.WaitGroup
	errs := make(chan error, 2*streams)
	for i := range streams {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/"+strconv.Itoa(i), nil)
			if err != nil {
				errs <- err
				return
			}
			var got []sse.Event
			switch i % 3 {
			case 0: // Close
				s := client.Connect(req)
				for len(got) < events && s.Next() {
					got = append(got, s.Event())
				}
				s.Close()
				if s.Next() || s.Err() != nil {
					errs <- fmt.Errorf("stream %d: after Close, Next or Err still report: %v", i, s.Err())
				}
			case 1: // cancel
				s := client.Connect(req)
				for len(got) < events && s.Next() {
					got = append(got, s.Event())
				}
				cancel()
				if s.Next() || !errors.Is(s.Err(), context.Canceled) {
					errs <- fmt.Errorf("stream %d: after cancel, Err is %v, want %v", i, s.Err(), context.Canceled)
				}
			case 2: // break
				for ev, err := range client.Events(req) {
					if err != nil {
						errs <- fmt.Errorf("stream %d: %v", i, err)
						break
					}
					if got = append(got, ev); len(got) == events {
						break
					}
				}
			}
			if !slices.Equal(want, got) {
				errs <- fmt.Errorf("stream %d: %s", i, firstDifference(want, got))
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := len(srv.Requests()); n != streams {
		t.Errorf("%d requests, want one for each of %d streams", n, streams)
	}
	srv.Close()
	transport.CloseIdleConnections()
	if opened, closed := counter.opened.Load(), counter.closed.Load(); opened != streams || closed != opened {
		t.Errorf("%d bodies opened, %d closed; want %d and %d", opened, closed, streams, streams)
	}
	if err := goleak.Find(); err != nil {
		t.Errorf("goroutines left after all streams ended: %v", err)
	}
}

// stalledDial is a dial that never completes, as one to a host that drops
// every packet: it ends only when its context does.
// It ends too when stop is closed, since the transport may dial on after
// the request that asked for the connection is gone.
func stalledDial(reached chan<- struct{}, stop <-chan struct{}) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		signal(reached)
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-stop:
			return nil, errors.New("test over")
		}
	}
}

// signal sends on c if it has room.
func signal(c chan<- struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// TestCancelAtEveryStage stops a stream, by cancelling its context and by
// Close, while it dials, waits for headers, reads an error body, reads an
// event stream and waits to retry: Next must return at once. The times
// are logged; the bound asserted is loose, so that a loaded machine does
// not fail the test, and the goal is under 100 ms.
func TestCancelAtEveryStage(t *testing.T) {
	const bound = time.Second
	type stage struct {
		name string
		// start returns a stream and a channel that receives when the
		// stream has reached the stage.
		start func(t *testing.T, ctx context.Context) (*sse.Stream, <-chan struct{})
	}
	serve := func(t *testing.T, script ...ssetest.Response) *ssetest.Server {
		srv := ssetest.NewServer(script...)
		t.Cleanup(srv.Close)
		return srv
	}
	requested := func(srv *ssetest.Server) <-chan struct{} {
		c := make(chan struct{}, 1)
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			srv.WaitForRequests(ctx, 1)
			c <- struct{}{}
		}()
		return c
	}
	stages := []stage{
		{"dialing", func(t *testing.T, ctx context.Context) (*sse.Stream, <-chan struct{}) {
			reached, stop := make(chan struct{}, 1), make(chan struct{})
			transport := &http.Transport{DialContext: stalledDial(reached, stop)}
			t.Cleanup(func() { close(stop); transport.CloseIdleConnections() })
			client := sse.NewClient(sse.WithHTTPClient(&http.Client{Transport: transport}))
			return client.Connect(get(t, ctx, "http://127.0.0.1:9/never")), reached
		}},
		{"reading headers", func(t *testing.T, ctx context.Context) (*sse.Stream, <-chan struct{}) {
			srv := serve(t, ssetest.NoAnswer())
			client := sse.NewClient(sse.WithHTTPClient(srv.Client()))
			return client.Connect(get(t, ctx, srv.URL)), requested(srv)
		}},
		{"reading an error body", func(t *testing.T, ctx context.Context) (*sse.Stream, <-chan struct{}) {
			srv := serve(t, ssetest.Response{Status: 500, Steps: []ssetest.Step{ssetest.Raw(`{"error":`), ssetest.Stall()}})
			client := sse.NewClient(sse.WithHTTPClient(srv.Client()))
			return client.Connect(get(t, ctx, srv.URL)), requested(srv)
		}},
		{"reading the body", func(t *testing.T, ctx context.Context) (*sse.Stream, <-chan struct{}) {
			srv := serve(t, ssetest.Stream(ssetest.Comment("hello"), ssetest.Stall()))
			reached := make(chan struct{}, 1)
			client := sse.NewClient(sse.WithHTTPClient(srv.Client()), sse.WithOnComment(func([]byte) { signal(reached) }))
			return client.Connect(get(t, ctx, srv.URL)), reached
		}},
		{"waiting to retry", func(t *testing.T, ctx context.Context) (*sse.Stream, <-chan struct{}) {
			srv := serve(t, ssetest.Status(503, ""))
			reached := make(chan struct{}, 1)
			client := sse.NewClient(
				sse.WithHTTPClient(srv.Client()),
				sse.WithRetryPolicy(sse.RetryPolicy{BaseDelay: time.Hour, MaxDelay: time.Hour}),
				sse.WithHooks(sse.Hooks{OnRetry: func(int, time.Duration, error) { signal(reached) }}),
			)
			return client.Connect(get(t, ctx, srv.URL)), reached
		}},
	}
	var report strings.Builder
	for _, st := range stages {
		for _, how := range []string{"cancel", "Close"} {
			t.Run(st.name+"/"+how, func(t *testing.T) {
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				stream, reached := st.start(t, ctx)
				defer stream.Close()
				ended := make(chan time.Time, 1)
				go func() {
					for stream.Next() {
					}
					ended <- time.Now()
				}()
				select {
				case <-reached:
				case <-time.After(5 * time.Second):
					t.Fatal("the stream never reached the stage")
				}
				time.Sleep(20 * time.Millisecond) // let it settle into the stage
				start := time.Now()
				if how == "cancel" {
					cancel()
				} else {
					stream.Close()
				}
				var took time.Duration
				select {
				case end := <-ended:
					took = end.Sub(start)
				case <-time.After(5 * time.Second):
					t.Fatalf("Next still blocks 5 s after %s", how)
				}
				fmt.Fprintf(&report, "\n  %-22s %-6s %v", st.name, how, took.Round(10*time.Microsecond))
				if took > bound {
					t.Errorf("Next returned %v after %s, want under %v", took, how, bound)
				}
				err := stream.Err()
				switch {
				case how == "cancel" && !errors.Is(err, context.Canceled):
					t.Errorf("after cancel, Err is %v, want %v", err, context.Canceled)
				case how == "Close" && err != nil:
					t.Errorf("after Close, Err is %v, want nil", err)
				}
			})
		}
	}
	t.Logf("time from cancel or Close to the end of Next:%s", report.String())
}

// TestReconnectLeavesNoStaleWakeUp calls Reconnect while a connection is
// open, then lets the next connection fail: the wait before the attempt
// after it must last as long as the clock says, not end at once.
func TestReconnectLeavesNoStaleWakeUp(t *testing.T) {
	srv := ssetest.NewServer(
		ssetest.Stream(ssetest.Event(message("1", "one")), ssetest.Stall()),
		ssetest.Status(503, ""),
		ssetest.Stream(ssetest.Event(message("2", "two")), ssetest.Stall()),
	)
	defer srv.Close()
	clock := sse.NewFakeClock()
	waits := clock.Hold() // a wait that never ends by itself
	client := sse.NewClient(sse.WithHTTPClient(srv.Client()), clock.Option())
	stream := client.Connect(get(t, deadline(t, 10*time.Second), srv.URL))
	defer stream.Close()
	if !stream.Next() {
		t.Fatalf("no first event: %v", stream.Err())
	}
	next := make(chan bool, 1)
	go func() { next <- stream.Next() }()
	waitRequests(t, srv, 1)
	stream.Reconnect()
	select {
	case <-waits:
	case <-time.After(5 * time.Second):
		t.Fatal("the 503 after the reconnect led to no wait")
	}
	time.Sleep(200 * time.Millisecond)
	if n := len(srv.Requests()); n != 2 {
		t.Errorf("%d requests while the wait after the 503 has not ended; want 2", n)
	}
	stream.Close()
	if <-next {
		t.Errorf("Next returned an event, %+v, before the wait ended", stream.Event())
	}
}
