package parsers

import (
	"io"

	gosse "github.com/tmaxmax/go-sse"

	"github.com/ssekit/sse/internal/corpus"
)

// GoSSE is github.com/tmaxmax/go-sse through sse.Read, its iterator over
// a stream's events. Its ReadConfig.MaxEventSize (64 KiB by default) is
// set to limit when limit is not zero.
func GoSSE(limit int) Parser {
	return Parser{Name: "tmaxmax/go-sse Read", Module: "github.com/tmaxmax/go-sse", Kind: Peer, HasLimit: true,
		Parse: func(r io.Reader, t *corpus.Tally) (Result, error) {
			var cfg *gosse.ReadConfig
			if limit > 0 {
				cfg = &gosse.ReadConfig{MaxEventSize: limit}
			}
			var res Result
			for ev, err := range gosse.Read(r, cfg) {
				if err != nil {
					return res, err
				}
				res.Events++
				res.DataBytes += int64(len(ev.Data))
				if t != nil {
					t.AddString(ev.Type, ev.Data, ev.LastEventID)
				}
			}
			return res, nil
		}}
}
