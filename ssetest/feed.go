package ssetest

import (
	"bytes"
	"fmt"
	"strconv"
	"sync"

	"github.com/ssekit/sse"
)

// Feed is a [Step] that plays a numbered feed: events with the IDs "1",
// "2", … up to Events, which resumes after the ID in each request's
// Last-Event-ID header, as a server that keeps its events does. A request
// without a Last-Event-ID, or with one that is not a number of the feed,
// starts from event 1; one with the last ID gets no event.
//
// Cuts drop connections at chosen places of the feed: each is a byte
// offset into the whole feed, as [Feed.Bytes] returns it. The first
// connection that gets to a cut sends the feed's bytes up to it and is then
// dropped, as [Drop] drops it; each cut is used once, so the client's next
// connection, which resumes from its last complete event, goes past it. A
// connection that resumes beyond an unused cut skips it.
//
// Use a Feed through a pointer, and do not change its fields once a server
// plays it. One Feed may be played by many responses and many connections
// at once; they share its cuts.
type Feed struct {
	// Events is the number of events.
	Events int
	// Type is the type of every event; "" means "message".
	Type string
	// Data returns the data of the event with ID id; nil means
	// "event <id>".
	Data func(id int) string
	// Cuts are byte offsets into the feed, in increasing order, at which
	// connections are dropped.
	Cuts []int

	mu      sync.Mutex
	offsets []int // offsets[i] is where event i+1 starts; the last is the size
	nextCut int   // index into Cuts of the first unused cut
}

// Bytes returns the whole feed as a client reading it from the start
// receives it, without cuts.
func (f *Feed) Bytes() []byte {
	var buf bytes.Buffer
	for id := 1; id <= f.Events; id++ {
		buf.Write(f.encode(id))
	}
	return buf.Bytes()
}

// Want returns the events a client that reads the whole feed receives, in
// order.
func (f *Feed) Want() []sse.Event {
	evs := make([]sse.Event, f.Events)
	for i := range evs {
		evs[i] = f.event(i + 1)
	}
	return evs
}

func (f *Feed) event(id int) sse.Event {
	ev := sse.Event{Type: f.Type, ID: strconv.Itoa(id)}
	if ev.Type == "" {
		ev.Type = "message"
	}
	if f.Data != nil {
		ev.Data = f.Data(id)
	} else {
		ev.Data = "event " + ev.ID
	}
	return ev
}

// encode returns the bytes of event id. Every event carries its ID, so its
// bytes do not depend on where a connection starts.
func (f *Feed) encode(id int) []byte {
	var buf bytes.Buffer
	if err := sse.NewEncoder(&buf).Encode(f.event(id)); err != nil {
		panic(fmt.Sprintf("ssetest.Feed: event %d: %v", id, err))
	}
	return buf.Bytes()
}

// start returns the ID of the first event to send for a request that
// carried lastID.
func (f *Feed) start(lastID string) int {
	n, err := strconv.Atoi(lastID)
	if err != nil || n < 0 || n > f.Events {
		return 1
	}
	return n + 1
}

// cutIn returns how many bytes of the event that spans [from, to) of the
// feed to send before a cut, and whether a cut falls in it. It uses the
// cut up.
func (f *Feed) cutIn(from, to int) (int, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for f.nextCut < len(f.Cuts) && f.Cuts[f.nextCut] < from {
		f.nextCut++
	}
	if f.nextCut < len(f.Cuts) && f.Cuts[f.nextCut] < to {
		c := f.Cuts[f.nextCut]
		f.nextCut++
		return c - from, true
	}
	return 0, false
}

// offset returns where event id starts in the feed.
func (f *Feed) offset(id int) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.offsets == nil {
		f.offsets = make([]int, f.Events+1)
		for i := 1; i <= f.Events; i++ {
			f.offsets[i] = f.offsets[i-1] + len(f.encode(i))
		}
	}
	return f.offsets[id-1]
}

func (f *Feed) play(p *player) error {
	for id := f.start(p.req.LastEventID); id <= f.Events; id++ {
		b := f.encode(id)
		from := f.offset(id)
		if n, ok := f.cutIn(from, from+len(b)); ok {
			if _, err := p.Write(b[:n]); err != nil {
				return err
			}
			return errCut
		}
		if err := p.writeFlush(b); err != nil {
			return err
		}
	}
	return nil
}
