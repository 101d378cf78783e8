package ssetest

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/ssekit/sse"
)

// Reasons for a response to end before its last step.
var (
	// errCut asks for the connection to be dropped, as a crash would.
	errCut = errors.New("ssetest: connection cut")
	// errGone ends a response whose client went away or whose server is
	// closing.
	errGone = errors.New("ssetest: client gone or server closed")
)

// player writes one response's body as its steps say: through the
// response's Encoder, one byte at a time when dripping, and up to a byte
// budget when a cut is due.
type player struct {
	w    http.ResponseWriter
	rc   *http.ResponseController
	ctx  context.Context // the request's: done when the client goes away
	done <-chan struct{} // closed when the server closes
	req  *Request
	enc  *sse.Encoder

	dripping bool
	interval time.Duration // between dripped bytes

	limited bool
	budget  int // bytes left before the cut, when limited
}

func newPlayer(w http.ResponseWriter, r *http.Request, done <-chan struct{}, req *Request) *player {
	p := &player{w: w, rc: http.NewResponseController(w), ctx: r.Context(), done: done, req: req}
	p.enc = sse.NewEncoder(p)
	// A scripted server may write any ID the format carries, hostile ones
	// too, and starts from the ID the client holds.
	p.enc.SetStrictIDs(false)
	p.enc.SetLastEventID(r.Header.Get("Last-Event-ID"))
	return p
}

// Write writes b to the body, dripping it and cutting it as the steps so
// far asked. It returns errCut once the byte budget is spent.
func (p *player) Write(b []byte) (int, error) {
	cut := false
	if p.limited && len(b) >= p.budget {
		b, cut = b[:p.budget], true
	}
	n, err := p.write(b)
	if p.limited {
		p.budget -= n
	}
	if err == nil && cut {
		err = errCut
	}
	return n, err
}

func (p *player) write(b []byte) (int, error) {
	if !p.dripping {
		if err := p.alive(); err != nil {
			return 0, err
		}
		return p.w.Write(b)
	}
	for i := range b {
		if i > 0 && p.interval > 0 {
			if err := p.sleep(p.interval); err != nil {
				return i, err
			}
		}
		if err := p.alive(); err != nil {
			return i, err
		}
		if _, err := p.w.Write(b[i : i+1]); err != nil {
			return i, err
		}
		if err := p.Flush(); err != nil {
			return i + 1, err
		}
	}
	return len(b), nil
}

// Flush sends what has been written so far; the Encoder calls it after
// each event.
func (p *player) Flush() error {
	return p.rc.Flush()
}

// alive returns errGone once the client has gone or the server closes.
func (p *player) alive() error {
	select {
	case <-p.ctx.Done():
		return errGone
	case <-p.done:
		return errGone
	default:
		return nil
	}
}

// sleep waits d, or less if the client goes or the server closes.
func (p *player) sleep(d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-p.ctx.Done():
	case <-p.done:
	}
	return errGone
}

// wait waits until ch is closed or receives, or the client goes or the
// server closes.
func (p *player) wait(ch <-chan struct{}) error {
	select {
	case <-ch:
		return nil
	case <-p.ctx.Done():
	case <-p.done:
	}
	return errGone
}
