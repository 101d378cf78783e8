package e2e

import (
	"context"
	"net/http"

	"github.com/launchdarkly/eventsource"
)

// LaunchDarkly is github.com/launchdarkly/eventsource's Stream, with its
// defaults but for the HTTP client: it reads lines and decodes events on
// goroutines of its own and hands events and errors over channels, both of
// which must be drained. It reconnects after the end of a stream, so the
// adapter closes it at [DONE] and drains it until it has stopped.
func LaunchDarkly() Client {
	return Client{Name: "launchdarkly/eventsource Stream", Module: "github.com/launchdarkly/eventsource", Kind: Peer,
		Stream: func(ctx context.Context, hc *http.Client, url string) (Count, error) {
			var c Count
			st, err := subscribeLD(ctx, hc, url)
			if err != nil {
				return c, err
			}
			defer closeLD(st)
			var lastErr error
			for {
				select {
				case ev, ok := <-st.Events:
					if !ok {
						return c, endError(lastErr)
					}
					data := ev.Data()
					c.Events++
					c.DataBytes += int64(len(data))
					if data == done {
						return c, nil
					}
				case err := <-st.Errors:
					// The stream failed, and reconnects: what comes
					// next counts again, and the counts will show it.
					lastErr = err
				case <-ctx.Done():
					return c, endError(ctx.Err())
				}
			}
		},
		Hold: func(hc *http.Client, url string) func(context.Context) error {
			return func(ctx context.Context) error {
				st, err := subscribeLD(ctx, hc, url)
				if err != nil {
					return err
				}
				defer closeLD(st)
				for {
					select {
					case <-st.Events:
					case <-st.Errors:
					case <-ctx.Done():
						return ctx.Err()
					}
				}
			}
		}}
}

func subscribeLD(ctx context.Context, hc *http.Client, url string) (*eventsource.Stream, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	return eventsource.SubscribeWithRequestAndOptions(req, eventsource.StreamOptionHTTPClient(hc))
}

// closeLD closes st and drains its channels until its goroutine has
// stopped: it may be blocked handing over an event or an error.
func closeLD(st *eventsource.Stream) {
	st.Close()
	errs := st.Errors
	for {
		select {
		case _, ok := <-st.Events:
			if !ok {
				return
			}
		case _, ok := <-errs:
			if !ok {
				errs = nil
			}
		}
	}
}
