package sse

import "time"

// WithTestClock replaces the clock and the random source of a Client's
// streams, so that tests outside the package can record the waits a stream
// asks for without sleeping: now tells the time, after starts a wait of d
// and returns its channel and a function that stops it, and rnd returns
// numbers in [0, 1) for jitter. A nil function keeps the real one.
func WithTestClock(now func() time.Time, after func(d time.Duration) (<-chan time.Time, func() bool), rnd func() float64) Option {
	c := realClock()
	if now != nil {
		c.now = now
	}
	if after != nil {
		c.after = after
	}
	if rnd != nil {
		c.rand = rnd
	}
	return withClock(c)
}
