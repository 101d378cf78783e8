package e2e

import (
	"context"
	"net/http"

	r3sse "github.com/r3labs/sse/v2"
	"gopkg.in/cenkalti/backoff.v1"
)

// R3Labs is github.com/r3labs/sse/v2's Client, with its defaults but for
// the HTTP client: SubscribeRawWithContext reads events on a goroutine of
// its own and calls the handler for each. It retries with an exponential
// backoff; the backoff is bound to the context, which the handler cancels
// at [DONE], so that the library stops there.
func R3Labs() Client {
	return Client{Name: "r3labs/sse Client", Module: "github.com/r3labs/sse/v2", Kind: Peer,
		Stream: func(ctx context.Context, hc *http.Client, url string) (Count, error) {
			var c Count
			ctx, cancel := context.WithCancel(ctx)
			defer cancel()
			cl := newR3Labs(ctx, hc, url)
			sawDone := false
			err := cl.SubscribeRawWithContext(ctx, func(ev *r3sse.Event) {
				c.Events++
				c.DataBytes += int64(len(ev.Data))
				if string(ev.Data) == done {
					sawDone = true
					cancel()
				}
			})
			if sawDone {
				return c, nil
			}
			return c, endError(err)
		},
		// A Client of this library holds the state of one stream (its
		// last event ID), so each stream has its own.
		Hold: func(hc *http.Client, url string) func(context.Context) error {
			return func(ctx context.Context) error {
				return newR3Labs(ctx, hc, url).SubscribeRawWithContext(ctx, func(*r3sse.Event) {})
			}
		}}
}

func newR3Labs(ctx context.Context, hc *http.Client, url string) *r3sse.Client {
	cl := r3sse.NewClient(url)
	cl.Connection = hc
	cl.ReconnectStrategy = backoff.WithContext(backoff.NewExponentialBackOff(), ctx)
	return cl
}
