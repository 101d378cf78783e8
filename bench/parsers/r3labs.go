package parsers

import (
	"io"
	"net/http"

	r3sse "github.com/r3labs/sse/v2"
	"gopkg.in/cenkalti/backoff.v1"

	"github.com/ssekit/sse/internal/corpus"
)

// R3Labs is github.com/r3labs/sse/v2. Its parser is reachable only through
// its Client, so the adapter gives the Client an http.RoundTripper that
// answers with r as the body, and no reconnection. The Client reads events
// in a goroutine and hands each to the handler over a channel. Its buffer
// limit (ClientMaxBufferSize, 64 KiB by default) is set to limit when limit
// is not zero.
func R3Labs(limit int) Parser {
	return Parser{Name: "r3labs/sse Client", Module: "github.com/r3labs/sse/v2", Kind: Peer, HasLimit: true,
		Parse: func(r io.Reader, t *corpus.Tally) (Result, error) {
			var opts []func(*r3sse.Client)
			if limit > 0 {
				opts = append(opts, r3sse.ClientMaxBufferSize(limit))
			}
			c := r3sse.NewClient("http://stream.invalid/events", opts...)
			c.Connection = &http.Client{Transport: bodyTransport{r}}
			c.ReconnectStrategy = &backoff.StopBackOff{}
			var res Result
			err := c.SubscribeRaw(func(ev *r3sse.Event) {
				res.Events++
				res.DataBytes += int64(len(ev.Data))
				if t != nil {
					t.Add(ev.Event, ev.Data, ev.ID)
				}
			})
			return res, err
		}}
}

// bodyTransport answers every request with a 200 text/event-stream
// response whose body is body.
type bodyTransport struct{ body io.Reader }

// RoundTrip answers req with the body.
func (b bodyTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	return &http.Response{
		StatusCode: http.StatusOK,
		Status:     "200 OK",
		Proto:      "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:  http.Header{"Content-Type": {"text/event-stream"}},
		Body:    io.NopCloser(b.body),
		Request: req,
	}, nil
}
