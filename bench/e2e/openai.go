package e2e

import (
	"bytes"
	"context"
	"net/http"

	"github.com/openai/openai-go/v3/packages/ssestream"
)

// OpenAI is the event stream decoder of github.com/openai/openai-go/v3
// (packages/ssestream), which the SDK's streaming calls use, over a plain
// net/http response: the SDK sends the request and hands the response to
// the decoder. The decoder keeps the LF that ends the last data line,
// which the standard removes; the adapter removes it before counting.
func OpenAI() Client {
	return Client{Name: "openai-go ssestream", Module: "github.com/openai/openai-go/v3", Kind: Peer,
		Stream: func(ctx context.Context, hc *http.Client, url string) (Count, error) {
			var c Count
			resp, err := do(ctx, hc, url)
			if err != nil {
				return c, err
			}
			dec := ssestream.NewDecoder(resp)
			defer dec.Close()
			for dec.Next() {
				data := bytes.TrimSuffix(dec.Event().Data, []byte("\n"))
				c.Events++
				c.DataBytes += int64(len(data))
				if string(data) == done {
					return c, nil
				}
			}
			return c, endError(dec.Err())
		},
		Hold: func(hc *http.Client, url string) func(context.Context) error {
			return func(ctx context.Context) error {
				resp, err := do(ctx, hc, url)
				if err != nil {
					return err
				}
				dec := ssestream.NewDecoder(resp)
				defer dec.Close()
				for dec.Next() {
					useData(dec.Event().Data)
				}
				return dec.Err()
			}
		}}
}

// useData stands for what an application does with an event's data.
//
//go:noinline
func useData(data []byte) int { return len(data) }
