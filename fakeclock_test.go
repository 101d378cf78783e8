package sse

import (
	"slices"
	"sync"
	"time"
)

// FakeClock is the one clock of the Client's tests, in this package and,
// being exported, in package sse_test: a stream given its [FakeClock.Option]
// never sleeps. Each wait the stream asks for is recorded and ends at
// once, moving the clock's time forward by the wait.
//
// The clock starts at 2026-01-02 03:04:05 UTC, so that a test can write a
// Retry-After date relative to it, and its random source returns 0 (no
// jitter) until [FakeClock.SetRand] replaces it.
type FakeClock struct {
	mu    sync.Mutex
	now   time.Time
	waits []time.Duration
	rand  func() float64
	held  chan time.Duration // see Hold
}

// NewFakeClock returns a FakeClock at its start time, without jitter.
func NewFakeClock() *FakeClock {
	return &FakeClock{
		now:  time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		rand: func() float64 { return 0 },
	}
}

// Option returns the option that gives a Client's streams this clock and
// its random source.
func (c *FakeClock) Option() Option {
	return withClock(clock{now: c.Now, after: c.after, rand: c.random})
}

// Now returns the clock's time: its start plus the waits and the advances
// so far.
func (c *FakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock's time forward by d without a wait, as if a
// connection had been open for d.
func (c *FakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Waits returns the waits the streams asked for, in order.
func (c *FakeClock) Waits() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.waits)
}

// SetRand replaces the random source, which gives the jitter of each wait
// a number in [0, 1).
func (c *FakeClock) SetRand(rand func() float64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.rand = rand
}

// Hold makes every later wait last until the stream cuts it short (by
// Close, Reconnect or the end of its context) instead of ending at once,
// and sends the wait's duration on the returned channel, which holds 16
// waits unread; more are recorded but not sent.
func (c *FakeClock) Hold() <-chan time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.held = make(chan time.Duration, 16)
	return c.held
}

func (c *FakeClock) after(d time.Duration) (<-chan time.Time, func() bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.waits = append(c.waits, d)
	if c.held != nil {
		select {
		case c.held <- d:
		default:
		}
		return make(chan time.Time), func() bool { return true }
	}
	c.now = c.now.Add(d)
	ch := make(chan time.Time, 1)
	ch <- c.now
	return ch, func() bool { return false }
}

func (c *FakeClock) random() float64 {
	c.mu.Lock()
	rand := c.rand
	c.mu.Unlock()
	return rand()
}
