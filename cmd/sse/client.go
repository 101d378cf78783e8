package main

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strings"

	"github.com/ssekit/sse"
)

// maxErrorBody is how much of a rejected response's body sse shows.
const maxErrorBody = 64 << 10

// newClient returns the Client for o's stream, and a function that closes
// its idle connections when the stream is done. Comments go to comment,
// if it is not nil.
func newClient(o *options, stderr io.Writer, comment func([]byte)) (*sse.Client, func()) {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	hc := &http.Client{Transport: &transport{rt: tr, w: stderr, verbose: o.verbose}}
	var policy sse.RetryPolicy
	if o.maxRetries >= 0 {
		// MaxAttempts counts the failed first attempt too.
		policy.MaxAttempts = o.maxRetries + 1
	}
	if o.noReconnect {
		policy.ShouldRetry = func(int, error, bool) bool { return false }
	}

	prog := &progress{w: stderr, idle: o.idleTimeout, verbose: o.verbose, o: o}
	opts := []sse.Option{
		sse.WithHTTPClient(hc),
		sse.WithRetryPolicy(policy),
		sse.WithIdleTimeout(o.idleTimeout),
		sse.WithHooks(prog.hooks()),
		sse.WithRetryNonIdempotent(o.retryPost),
		sse.WithReopen(o.reopen),
		// A terminal can show more of a rejected answer than a program
		// keeps by default: a whole JSON error, or an MCP server's answer.
		sse.WithMaxErrorBodySize(maxErrorBody),
	}
	if o.hasLastID {
		opts = append(opts, sse.WithLastEventID(o.lastEventID))
	}
	if len(o.acceptTypes) > 0 {
		opts = append(opts, sse.WithValidator(acceptTypes(o.acceptTypes)))
	}
	if o.maxSize > 0 {
		opts = append(opts, sse.WithLimits(o.maxSize, o.maxSize))
	}
	if o.skipBig {
		opts = append(opts, sse.WithSkipOversized(func(err error) {
			fmt.Fprintf(stderr, "skipped an event: %s\n", limitMessage(err, o))
		}))
	}
	if comment != nil {
		opts = append(opts, sse.WithOnComment(comment))
	}
	return sse.NewClient(opts...), tr.CloseIdleConnections
}

// acceptTypes returns a validator that accepts what [sse.CheckResponse]
// accepts, and a 200 response whose media type is one of types too.
func acceptTypes(types []string) func(*http.Response) error {
	return func(resp *http.Response) error {
		err := sse.CheckResponse(resp)
		if errors.Is(err, sse.ErrNotEventStream) && slices.Contains(types, mediaType(resp.Header.Get("Content-Type"))) {
			return nil
		}
		return err
	}
}

// mediaType returns the media type of a Content-Type, in lower case and
// without parameters.
func mediaType(ct string) string {
	if mt, _, err := mime.ParseMediaType(ct); err == nil {
		return mt
	}
	mt, _, _ := strings.Cut(ct, ";")
	return strings.ToLower(strings.TrimSpace(mt))
}
