package sse

import (
	"context"
	"errors"
	"fmt"
	"net/http"
)

// ErrNotReplayable is wrapped by the error of a stream that could not
// send its request because the request's body cannot be read again: it
// has no GetBody, or its GetBody failed (the error then wraps GetBody's
// error too).
var ErrNotReplayable = errors.New("sse: the request body cannot be sent again")

// newRequest builds the request of one attempt.
func (s *Stream) newRequest(ctx context.Context) (*http.Request, error) {
	var req *http.Request
	if s.c.cfg.prepare != nil {
		// The hook may change any part of its request, the URL too.
		req = s.req.Clone(ctx)
	} else {
		// Only the headers change below, so only they are copied: an
		// idle stream keeps its request for as long as it is open, and
		// the transport only reads the rest.
		req = s.req.WithContext(ctx)
		req.Header = s.req.Header.Clone()
	}
	if req.Header == nil {
		// net/http sends a request without a Header as if it had an
		// empty one; so does the stream.
		req.Header = make(http.Header)
	}
	if s.req.Body != nil && s.req.Body != http.NoBody {
		switch {
		case s.req.GetBody != nil:
			body, err := s.req.GetBody()
			if err != nil {
				return nil, fmt.Errorf("%w: the request's GetBody failed: %w", ErrNotReplayable, err)
			}
			req.Body = body
		case s.sent:
			return nil, fmt.Errorf("%w: it has no GetBody", ErrNotReplayable)
		}
	}
	s.sent = true
	if req.Header.Get("Accept") == "" {
		req.Header.Set("Accept", "text/event-stream")
	}
	if req.Header.Get("Cache-Control") == "" {
		req.Header.Set("Cache-Control", "no-cache")
	}
	if s.lastID != "" {
		if err := CheckEventID(s.lastID); err != nil {
			return nil, fmt.Errorf("%w; the stream cannot resume from it: fix the server's IDs, or connect again with WithLastEventID", err)
		}
		req.Header.Set("Last-Event-ID", s.lastID)
	} else {
		req.Header.Del("Last-Event-ID")
	}
	if s.c.cfg.prepare != nil {
		if err := s.c.cfg.prepare(req); err != nil {
			return nil, fmt.Errorf("sse: preparing the request: %w", err)
		}
	}
	return req, nil
}
