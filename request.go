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

// newRequest builds the request of one attempt: a copy of the caller's
// request with a fresh body and the stream's headers, as the hook of
// WithPrepare leaves it.
func (s *Stream) newRequest(ctx context.Context) (*http.Request, error) {
	req := s.copyRequest(ctx)
	if err := s.setBody(req); err != nil {
		return nil, err
	}
	s.sent = true
	if err := s.setHeaders(req); err != nil {
		return nil, err
	}
	if s.c.cfg.prepare != nil {
		if err := s.c.cfg.prepare(req); err != nil {
			return nil, fmt.Errorf("sse: preparing the request: %w", err)
		}
	}
	return req, nil
}

// copyRequest returns a copy of the caller's request for one attempt,
// with ctx and headers of its own, which the caller's request never
// shares.
func (s *Stream) copyRequest(ctx context.Context) *http.Request {
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
	return req
}

// setBody gives req a fresh copy of the caller's body from GetBody. The
// first attempt may send a body without GetBody as it is; a later one
// cannot.
func (s *Stream) setBody(req *http.Request) error {
	if s.req.Body == nil || s.req.Body == http.NoBody {
		return nil
	}
	switch {
	case s.req.GetBody != nil:
		body, err := s.req.GetBody()
		if err != nil {
			return fmt.Errorf("%w: the request's GetBody failed: %w", ErrNotReplayable, err)
		}
		req.Body = body
	case s.sent:
		return fmt.Errorf("%w: it has no GetBody", ErrNotReplayable)
	}
	return nil
}

// setHeaders sets the headers that the stream sends: Accept and
// Cache-Control unless the caller set them, and Last-Event-ID when there
// is a last event ID, which must pass CheckEventID.
func (s *Stream) setHeaders(req *http.Request) error {
	if req.Header.Get("Accept") == "" {
		req.Header.Set("Accept", "text/event-stream")
	}
	if req.Header.Get("Cache-Control") == "" {
		req.Header.Set("Cache-Control", "no-cache")
	}
	if s.lastID == "" {
		req.Header.Del("Last-Event-ID")
		return nil
	}
	if err := CheckEventID(s.lastID); err != nil {
		return fmt.Errorf("%w; the stream cannot resume from it: fix the server's IDs, or connect again with WithLastEventID", err)
	}
	req.Header.Set("Last-Event-ID", s.lastID)
	return nil
}
