package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
)

// readBody returns the request body that -d gives: the text itself, the
// contents of a file for @file, or standard input for @-. It returns nil
// when there is no -d.
func readBody(o *options, stdin io.Reader) ([]byte, error) {
	switch {
	case !o.hasData:
		return nil, nil
	case o.data == "@-":
		b, err := io.ReadAll(stdin)
		if err != nil {
			return nil, fmt.Errorf("reading the request body from standard input (-d @-): %w", err)
		}
		return b, nil
	case strings.HasPrefix(o.data, "@"):
		b, err := os.ReadFile(o.data[1:])
		if err != nil {
			return nil, fmt.Errorf("reading the request body (-d %s): %w", o.data, err)
		}
		return b, nil
	}
	return []byte(o.data), nil
}

// newRequest builds the request that the stream sends, and sends again on
// each reconnection.
func newRequest(ctx context.Context, o *options, body []byte) (*http.Request, error) {
	method := o.method
	if method == "" {
		method = http.MethodGet
		if o.hasData {
			method = http.MethodPost
		}
	}
	var r io.Reader
	if o.hasData {
		// A bytes.Reader lets the request set GetBody, so that the body
		// can be sent again when the stream reconnects.
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, o.url, r)
	if err != nil {
		return nil, usagef("%v", err)
	}
	for _, h := range o.headers {
		name, value, _ := strings.Cut(h, ":")
		value = strings.TrimSpace(value)
		if strings.EqualFold(name, "Host") {
			req.Host = value
			continue
		}
		req.Header.Add(name, value)
	}
	if o.hasData && req.Header.Get("Content-Type") == "" && json.Valid(body) {
		req.Header.Set("Content-Type", "application/json")
	}
	return req, nil
}
