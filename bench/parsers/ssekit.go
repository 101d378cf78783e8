package parsers

import (
	"io"

	"github.com/ssekit/sse"
	"github.com/ssekit/sse/internal/corpus"
)

// SSEKitRaw is github.com/ssekit/sse through its zero-copy API: Next and
// Raw, whose slices are valid until the next call to Next.
func SSEKitRaw(limit int) Parser {
	return Parser{Name: "ssekit/sse Next+Raw", Module: "github.com/ssekit/sse", Kind: Ours, HasLimit: true,
		Parse: func(r io.Reader, t *corpus.Tally) (Result, error) {
			p := sse.NewParser(r)
			p.SetLimits(limit, limit)
			var res Result
			for p.Next() {
				ev := p.Raw()
				res.Events++
				res.DataBytes += int64(len(ev.Data))
				if t != nil {
					t.Add(ev.Type, ev.Data, ev.ID)
				}
			}
			return res, p.Err()
		}}
}

// SSEKitEvent is github.com/ssekit/sse through Next and Event, which
// returns the event as strings that the caller owns.
func SSEKitEvent(limit int) Parser {
	return Parser{Name: "ssekit/sse Next+Event", Module: "github.com/ssekit/sse", Kind: Ours, HasLimit: true,
		Parse: func(r io.Reader, t *corpus.Tally) (Result, error) {
			p := sse.NewParser(r)
			p.SetLimits(limit, limit)
			var res Result
			for p.Next() {
				ev := p.Event()
				res.Events++
				res.DataBytes += int64(len(ev.Data))
				if t != nil {
					t.AddString(ev.Type, ev.Data, ev.ID)
				}
			}
			return res, p.Err()
		}}
}
