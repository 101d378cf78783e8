package ssetest

import (
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/ssekit/sse"
)

// A Step is one thing a [Stream] response does: write an event, wait,
// fail. The functions of this package make them, and a [*Feed] is one.
//
// Steps that wait (such as [Pause], [Wait] and [Stall]) and steps that
// write end early when the client goes away or the server is closed; the
// response then ends with them.
type Step interface {
	play(p *player) error
}

// stepFunc makes a Step of a function.
type stepFunc func(p *player) error

func (f stepFunc) play(p *player) error { return f(p) }

// Event returns a step that writes ev with the response's [sse.Encoder],
// which writes an "id" field only when the ID differs from the one the
// client holds: the request's Last-Event-ID before the response's first
// event, the previous event's after. Its IDs need not pass
// [sse.CheckEventID] (see [sse.Encoder.SetStrictIDs]), so that a test
// can send IDs a header cannot carry. It panics if the Encoder cannot
// write ev, as for an ID with a line break.
func Event(ev sse.Event) Step {
	check := sse.NewEncoder(io.Discard)
	check.SetStrictIDs(false)
	if err := check.Encode(ev); err != nil {
		panic(fmt.Sprintf("ssetest.Event: %v", err))
	}
	return stepFunc(func(p *player) error { return p.enc.Encode(ev) })
}

// Comment returns a step that writes a comment line, which clients ignore
// but which counts as traffic: a heartbeat.
func Comment(text string) Step {
	if err := sse.NewEncoder(io.Discard).Comment(text); err != nil {
		panic(fmt.Sprintf("ssetest.Comment: %v", err))
	}
	return stepFunc(func(p *player) error { return p.enc.Comment(text) })
}

// Retry returns a step that writes a "retry" field, which sets the
// client's reconnection time to d.
func Retry(d time.Duration) Step {
	if d < 0 {
		panic(fmt.Sprintf("ssetest.Retry: negative duration %v", d))
	}
	return stepFunc(func(p *player) error { return p.enc.Retry(d) })
}

// Raw returns a step that writes s as it is: a partial event, CRLF line
// endings, invalid UTF-8, anything a server might send.
func Raw(s string) Step {
	return stepFunc(func(p *player) error { return p.writeFlush([]byte(s)) })
}

// Garbage returns a step that writes n random bytes, the same for the same
// seed.
func Garbage(n int, seed uint64) Step {
	return stepFunc(func(p *player) error {
		rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		return p.writeFlush(b)
	})
}

// Pause returns a step that waits d before the next step.
func Pause(d time.Duration) Step {
	return stepFunc(func(p *player) error { return p.sleep(d) })
}

// Wait returns a step that waits until ch is closed (or receives a value)
// before the next step: the test decides when the stream goes on.
func Wait(ch <-chan struct{}) Step {
	return stepFunc(func(p *player) error { return p.wait(ch) })
}

// Stall returns a step that sends nothing more and keeps the connection
// open until the client goes away or the server is closed: a dead server
// that its client can only detect with a timeout.
func Stall() Step {
	return stepFunc(func(p *player) error { return p.wait(nil) })
}

// Drop returns a step that cuts the connection at once, without ending the
// response properly, as a crash or a network failure does: the client sees
// an unexpected end of the body.
func Drop() Step {
	return stepFunc(func(p *player) error { return errCut })
}

// DropAfter returns a step that cuts the connection once the steps after
// it have written n more bytes: DropAfter(5) before an event cuts it in
// its middle. If the response ends first, it ends normally.
func DropAfter(n int) Step {
	if n < 0 {
		panic(fmt.Sprintf("ssetest.DropAfter: negative count %d", n))
	}
	return stepFunc(func(p *player) error {
		p.limited, p.budget = true, n
		if n == 0 {
			return errCut
		}
		return nil
	})
}

// Drip returns a step after which the rest of the response is written one
// byte at a time, each flushed on its own, with interval between bytes: a
// slow link, and a client's test of every way the stream can be split.
func Drip(interval time.Duration) Step {
	return stepFunc(func(p *player) error {
		p.dripping, p.interval = true, interval
		return nil
	})
}

// EndlessLine returns a step that writes "data: " and then an endless
// line of "x", until the client goes away or the server is closed: a
// client must stop it with a line limit.
func EndlessLine() Step {
	return stepFunc(func(p *player) error {
		if err := p.writeFlush([]byte("data: ")); err != nil {
			return err
		}
		return p.repeat([]byte(strings.Repeat("x", 32<<10)))
	})
}

// EndlessEvent returns a step that writes one event that never ends: data
// lines of 4 KiB, endlessly, with no blank line, until the client goes
// away or the server is closed. A client must stop it with an event size
// limit.
func EndlessEvent() Step {
	return stepFunc(func(p *player) error {
		line := "data: " + strings.Repeat("y", 4<<10-len("data: \n")) + "\n"
		return p.repeat([]byte(strings.Repeat(line, 8)))
	})
}

// repeat writes chunk again and again until writing fails.
func (p *player) repeat(chunk []byte) error {
	for {
		if err := p.writeFlush(chunk); err != nil {
			return err
		}
	}
}

// writeFlush writes b and sends it at once.
func (p *player) writeFlush(b []byte) error {
	if _, err := p.Write(b); err != nil {
		return err
	}
	return p.Flush()
}
