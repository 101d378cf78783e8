package e2e

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/ssekit/sse"
)

// errNoDone reports a stream that ended before its [DONE] event.
var errNoDone = errors.New("the stream ended before its [DONE] event")

// SSEKitRaw is github.com/ssekit/sse's Client, with its defaults, through
// the zero-copy API: Stream.Next and Stream.Raw.
func SSEKitRaw() Client {
	return Client{Name: "ssekit/sse Client Next+Raw", Module: "github.com/ssekit/sse", Kind: Ours,
		Stream: func(ctx context.Context, hc *http.Client, url string) (Count, error) {
			var c Count
			s, err := connect(ctx, hc, url)
			if err != nil {
				return c, err
			}
			defer s.Close()
			for s.Next() {
				ev := s.Raw()
				c.Events++
				c.DataBytes += int64(len(ev.Data))
				if string(ev.Data) == done {
					return c, nil
				}
			}
			return c, endError(s.Err())
		},
		Hold: holdSSEKit}
}

// SSEKitEvent is github.com/ssekit/sse's Client, with its defaults,
// through Stream.Next and Stream.Event, which returns the event as strings
// that the caller owns.
func SSEKitEvent() Client {
	return Client{Name: "ssekit/sse Client Next+Event", Module: "github.com/ssekit/sse", Kind: Ours,
		Stream: func(ctx context.Context, hc *http.Client, url string) (Count, error) {
			var c Count
			s, err := connect(ctx, hc, url)
			if err != nil {
				return c, err
			}
			defer s.Close()
			for s.Next() {
				ev := s.Event()
				c.Events++
				c.DataBytes += int64(len(ev.Data))
				if ev.Data == done {
					return c, nil
				}
			}
			return c, endError(s.Err())
		},
		Hold: holdSSEKit}
}

func connect(ctx context.Context, hc *http.Client, url string) (*sse.Stream, error) {
	return connectWith(ctx, sse.NewClient(sse.WithHTTPClient(hc)), url)
}

func connectWith(ctx context.Context, cl *sse.Client, url string) (*sse.Stream, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	return cl.Connect(req), nil
}

// holdSSEKit holds streams of one Client, which is safe for concurrent
// use by many streams, as an application reads each: a loop over
// Stream.Next that uses every event.
func holdSSEKit(hc *http.Client, url string) func(context.Context) error {
	cl := sse.NewClient(sse.WithHTTPClient(hc))
	return func(ctx context.Context) error {
		s, err := connectWith(ctx, cl, url)
		if err != nil {
			return err
		}
		defer s.Close()
		for s.Next() {
			use(s.Raw())
		}
		return s.Err()
	}
}

// use stands for what an application does with an event.
//
//go:noinline
func use(ev sse.RawEvent) int { return len(ev.Data) }

// endError is the error of a stream that ended, with err, before [DONE].
func endError(err error) error {
	if err == nil {
		return errNoDone
	}
	return fmt.Errorf("%w: %w", errNoDone, err)
}

// SSEKitParser is github.com/ssekit/sse's Parser, through Next and Raw,
// on the body of a plain net/http response, without the Client: beside the
// floor and the Client, it shows what parsing costs and what the Client
// adds to it (reconnection state, the request's copy, its context and the
// idle timer).
func SSEKitParser() Client {
	return Client{Name: "ssekit/sse Parser on the body", Module: "github.com/ssekit/sse", Kind: Ours,
		Stream: func(ctx context.Context, hc *http.Client, url string) (Count, error) {
			var c Count
			body, err := get(ctx, hc, url)
			if err != nil {
				return c, err
			}
			defer body.Close()
			p := sse.NewParser(body)
			for p.Next() {
				ev := p.Raw()
				c.Events++
				c.DataBytes += int64(len(ev.Data))
				if string(ev.Data) == done {
					return c, nil
				}
			}
			return c, endError(p.Err())
		},
		Hold: func(hc *http.Client, url string) func(context.Context) error {
			return func(ctx context.Context) error {
				req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
				if err != nil {
					return err
				}
				req.Header.Set("Accept", "text/event-stream")
				resp, err := hc.Do(req)
				if err != nil {
					return err
				}
				defer resp.Body.Close()
				p := sse.NewParser(resp.Body)
				for p.Next() {
					use(p.Raw())
				}
				return p.Err()
			}
		}}
}
