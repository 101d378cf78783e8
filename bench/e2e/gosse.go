package e2e

import (
	"context"
	"net/http"

	gosse "github.com/tmaxmax/go-sse"
)

// GoSSE is github.com/tmaxmax/go-sse's Client, with its defaults: a
// Connection whose Connect blocks and calls a callback for each event.
// It reconnects after the end of a stream, so the callback cancels the
// request's context at [DONE], which is how the library is stopped.
func GoSSE() Client {
	return Client{Name: "tmaxmax/go-sse Client", Module: "github.com/tmaxmax/go-sse", Kind: Peer,
		Stream: func(ctx context.Context, hc *http.Client, url string) (Count, error) {
			var c Count
			ctx, cancel := context.WithCancel(ctx)
			defer cancel()
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
			if err != nil {
				return c, err
			}
			conn := (&gosse.Client{HTTPClient: hc}).NewConnection(req)
			sawDone := false
			conn.SubscribeToAll(func(ev gosse.Event) {
				c.Events++
				c.DataBytes += int64(len(ev.Data))
				if ev.Data == done {
					sawDone = true
					cancel()
				}
			})
			err = conn.Connect()
			if sawDone {
				return c, nil
			}
			return c, endError(err)
		},
		Hold: func(hc *http.Client, url string) func(context.Context) error {
			cl := &gosse.Client{HTTPClient: hc}
			return func(ctx context.Context) error {
				req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
				if err != nil {
					return err
				}
				conn := cl.NewConnection(req)
				conn.SubscribeToAll(func(gosse.Event) {})
				return conn.Connect()
			}
		}}
}
