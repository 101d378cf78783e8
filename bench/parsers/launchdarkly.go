package parsers

import (
	"io"

	"github.com/launchdarkly/eventsource"

	"github.com/ssekit/sse/internal/corpus"
)

// LaunchDarkly is github.com/launchdarkly/eventsource through its Decoder,
// which reads lines in a goroutine of its own and hands them over a
// channel. The ID tallied is the decoder's last event ID (the
// EventWithLastID interface). It has no size limit.
func LaunchDarkly() Parser {
	return Parser{Name: "launchdarkly/eventsource Decoder", Module: "github.com/launchdarkly/eventsource", Kind: Peer,
		Parse: func(r io.Reader, t *corpus.Tally) (Result, error) {
			dec := eventsource.NewDecoder(r)
			var res Result
			for {
				ev, err := dec.Decode()
				if err == io.EOF {
					return res, nil
				}
				if err != nil {
					return res, err
				}
				data := ev.Data()
				res.Events++
				res.DataBytes += int64(len(data))
				if t != nil {
					var id string
					if l, ok := ev.(eventsource.EventWithLastID); ok {
						id = l.LastEventID()
					}
					t.AddString(ev.Event(), data, id)
				}
			}
		}}
}
