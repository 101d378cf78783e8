package sse

import (
	"bytes"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestEncoderFirstEventID(t *testing.T) {
	unknown := "unknown"
	tests := []struct {
		name   string
		holds  string // the ID given to SetLastEventID; unknown for no call
		events []Event
		wire   string
	}{
		{"unknown, empty ID", unknown, []Event{{Data: "x"}, {Data: "y"}}, "id\ndata: x\n\ndata: y\n\n"},
		{"unknown, an ID", unknown, []Event{{ID: "a", Data: "x"}}, "id: a\ndata: x\n\n"},
		{"fresh reader", "", []Event{{Data: "x"}}, "data: x\n\n"},
		{"fresh reader, an ID", "", []Event{{ID: "a", Data: "x"}}, "id: a\ndata: x\n\n"},
		{"resumed, reset", "a2", []Event{{Data: "x"}}, "id\ndata: x\n\n"},
		{"resumed, same ID", "a2", []Event{{ID: "a2", Data: "x"}}, "data: x\n\n"},
		{"resumed, next ID", "a2", []Event{{ID: "a3", Data: "x"}}, "id: a3\ndata: x\n\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			enc := NewEncoder(&buf)
			if tt.holds != unknown {
				enc.SetLastEventID(tt.holds)
			}
			for _, ev := range tt.events {
				if err := enc.Encode(ev); err != nil {
					t.Fatal(err)
				}
			}
			if diff := cmp.Diff(tt.wire, buf.String()); diff != "" {
				t.Errorf("wire (-want +got):\n%s", diff)
			}
		})
	}

	// A write that fails leaves the ID unknown: the next event still
	// carries its id field.
	w := &switchWriter{w: failWriter{errors.New("broken pipe")}}
	enc := NewEncoder(w)
	if enc.Encode(Event{Data: "x"}) == nil {
		t.Fatal("the write did not fail")
	}
	var buf bytes.Buffer
	w.w = &buf
	if err := enc.Encode(Event{Data: "x"}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff("id\ndata: x\n\n", buf.String()); diff != "" {
		t.Errorf("what follows a failed first write (-want +got):\n%s", diff)
	}
}

// TestEncoderResumedStreamThroughClient resumes a stream written by an
// Encoder through the Client: the server drops the connection after event
// a2, and the handler of the resumed request, with a new Encoder, starts
// with an event whose ID is empty. The Client must see that ID reset.
func TestEncoderResumedStreamThroughClient(t *testing.T) {
	tests := []struct {
		name string
		// start sets up the Encoder of each response.
		start func(enc *Encoder, r *http.Request)
		// after is the ID of the events written after the resume.
		after string
	}{
		{"default", func(*Encoder, *http.Request) {}, ""},
		{"SetLastEventID from the request", func(enc *Encoder, r *http.Request) {
			enc.SetLastEventID(r.Header.Get("Last-Event-ID"))
		}, ""},
		// The Encoder's old assumption, that the reader starts with an
		// empty ID, loses the reset: the reader keeps a2.
		{"told the reader holds nothing", func(enc *Encoder, _ *http.Request) {
			enc.SetLastEventID("")
		}, "a2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			handler := func(events ...Event) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) {
					w.Header().Set("Content-Type", "text/event-stream")
					enc := NewEncoder(w)
					tt.start(enc, r)
					for _, ev := range events {
						if err := enc.Encode(ev); err != nil {
							t.Error(err)
						}
					}
				}
			}
			first := handler(Event{ID: "a1", Data: "1"}, Event{ID: "a2", Data: "2"})
			srv := newScript(t,
				func(w http.ResponseWriter, r *http.Request) {
					first(w, r)
					panic(http.ErrAbortHandler) // drop the connection
				},
				handler(Event{Data: "3"}, Event{Data: "4"}),
				serveStatus(http.StatusNoContent, ""),
			)
			evs, err := collect(NewClient(WithHTTPClient(srv.srv.Client()), NewFakeClock().Option()).Connect(newGet(t, srv.srv.URL)))
			if err != nil {
				t.Fatal(err)
			}
			want := []Event{
				{Type: "message", ID: "a1", Data: "1"},
				{Type: "message", ID: "a2", Data: "2"},
				{Type: "message", ID: tt.after, Data: "3"},
				{Type: "message", ID: tt.after, Data: "4"},
			}
			if diff := cmp.Diff(want, evs); diff != "" {
				t.Errorf("events (-want +got):\n%s", diff)
			}
			var sent []string
			for _, r := range srv.requests() {
				sent = append(sent, r.LastEventID)
			}
			if diff := cmp.Diff([]string{"", "a2", tt.after}, sent); diff != "" {
				t.Errorf("Last-Event-ID of each request (-want +got):\n%s", diff)
			}
		})
	}
}

// timedWriter records each write and when it started.
type timedWriter struct {
	mu     sync.Mutex
	writes []string
	at     []time.Time
}

func (w *timedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.writes = append(w.writes, string(p))
	w.at = append(w.at, time.Now())
	return len(p), nil
}

func (w *timedWriter) log() ([]string, []time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.writes...), append([]time.Time(nil), w.at...)
}

// TestEncoderKeepAlive checks the heartbeat: it comes only after interval
// with nothing written (so never sooner than interval after another
// write, however busy the machine), it comes while nothing else is
// written, and nothing is written once stop has returned.
func TestEncoderKeepAlive(t *testing.T) {
	const interval = 20 * time.Millisecond
	w := &timedWriter{}
	enc := NewEncoder(w)
	enc.SetLastEventID("")
	stop := enc.KeepAlive(interval)
	for i := range 20 {
		if err := enc.Encode(Event{Data: "x"}); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(i%4) * interval / 2) // 0 to 1.5 intervals
	}
	// Quiet now: a heartbeat comes.
	deadline := time.Now().Add(10 * time.Second)
	for {
		writes, _ := w.log()
		if writes[len(writes)-1] == ": \n" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no heartbeat 10 s after the last event; writes: %q", writes)
		}
		time.Sleep(interval / 4)
	}
	stop()
	writes, at := w.log()
	time.Sleep(3 * interval)
	if after, _ := w.log(); len(after) != len(writes) {
		t.Errorf("written after stop returned: %q", after[len(writes):])
	}
	beats := 0
	for i, s := range writes {
		switch s {
		case ": \n":
			beats++
			if i == 0 {
				continue
			}
			if gap := at[i].Sub(at[i-1]); gap < interval {
				t.Errorf("heartbeat %v after the previous write, sooner than the interval %v", gap, interval)
			}
		case "data: x\n\n":
		default:
			t.Errorf("unexpected write %q", s)
		}
	}
	// What was written parses back to the events, the heartbeats as
	// comments.
	want := streamResult{}
	for range 20 {
		want.Events = append(want.Events, Event{Type: "message", Data: "x"})
	}
	for range beats {
		want.Comments = append(want.Comments, "")
	}
	checkDeliveries(t, parseInput{input: strings.Join(writes, "")}, want)

	if stop := NewEncoder(w).KeepAlive(0); stop == nil {
		t.Error("KeepAlive(0) returned a nil stop")
	} else {
		stop()
	}
}

// TestEncoderConcurrentUse writes events from several goroutines beside a
// fast heartbeat: each write is whole, so every event parses back (run it
// with -race).
func TestEncoderConcurrentUse(t *testing.T) {
	var buf syncBuffer
	enc := NewEncoder(&buf)
	stop := enc.KeepAlive(time.Microsecond)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 200 {
				enc.Encode(Event{Type: "t", ID: string(rune('a' + g)), Data: "one\ntwo"})
				enc.Comment("c")
				enc.Retry(time.Second)
			}
		}()
	}
	wg.Wait()
	stop()
	p := NewParser(strings.NewReader(buf.String()))
	n := 0
	for p.Next() {
		ev := p.Event()
		if ev.Type != "t" || ev.Data != "one\ntwo" || len(ev.ID) != 1 {
			t.Fatalf("event %d is torn: %+v", n, ev)
		}
		n++
	}
	if p.Err() != nil || n != 800 {
		t.Errorf("read %d events, error %v; want 800, nil", n, p.Err())
	}
}

// syncBuffer is a bytes.Buffer safe for concurrent use.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// countingFailWriter fails every write and counts them.
type countingFailWriter struct {
	mu sync.Mutex
	n  int
}

func (w *countingFailWriter) Write([]byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.n++
	return 0, errors.New("broken pipe")
}

func (w *countingFailWriter) count() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.n
}

// TestEncoderKeepAliveStopsAfterAFailedWrite checks that a heartbeat to a
// writer that has gone away is tried once, not every interval.
func TestEncoderKeepAliveStopsAfterAFailedWrite(t *testing.T) {
	const interval = time.Millisecond
	w := &countingFailWriter{}
	stop := NewEncoder(w).KeepAlive(interval)
	defer stop()
	deadline := time.Now().Add(10 * time.Second)
	for w.count() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no heartbeat was tried")
		}
		time.Sleep(interval)
	}
	time.Sleep(20 * interval)
	if n := w.count(); n != 1 {
		t.Errorf("%d heartbeats tried after the first failed, want 1", n)
	}
}
