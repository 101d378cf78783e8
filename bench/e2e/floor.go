package e2e

import (
	"context"
	"fmt"
	"io"
	"net/http"
)

// floorBufSize is the floor's read buffer: what a plain io.Reader loop
// over a response body would use.
const floorBufSize = 4 << 10

// NetHTTP is the floor: a GET with net/http and its body read into a
// 4 KiB buffer until the end, with no parsing at all. It counts bytes,
// not events.
func NetHTTP() Client {
	return Client{Name: "floor: net/http body Read", Kind: Floor,
		Stream: func(ctx context.Context, hc *http.Client, url string) (Count, error) {
			var c Count
			body, err := get(ctx, hc, url)
			if err != nil {
				return c, err
			}
			defer body.Close()
			buf := make([]byte, floorBufSize)
			for {
				n, err := body.Read(buf)
				c.DataBytes += int64(n)
				if err == io.EOF {
					return c, nil
				}
				if err != nil {
					return c, err
				}
			}
		},
		// As a caller reads a body it has no parser for, in the
		// goroutine that sent the request: a loop of 4 KiB reads, the
		// size of the parser's first buffer. io.Copy to io.Discard
		// would take an 8 KiB buffer from its pool for each stream and
		// make the floor 4 KiB heavier.
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
				buf := make([]byte, floorBufSize)
				for {
					if _, err := resp.Body.Read(buf); err != nil {
						return err
					}
				}
			}
		}}
}

// get sends a GET for an event stream and returns the body of a 200
// response.
func get(ctx context.Context, hc *http.Client, url string) (io.ReadCloser, error) {
	resp, err := do(ctx, hc, url)
	if err != nil {
		return nil, err
	}
	return resp.Body, nil
}

// do sends a GET for an event stream and returns a 200 response.
func do(ctx context.Context, hc *http.Client, url string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "text/event-stream")
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, fmt.Errorf("unexpected status %s", resp.Status)
	}
	return resp, nil
}
