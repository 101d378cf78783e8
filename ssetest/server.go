package ssetest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
)

// Server is an HTTP server on the loopback interface that answers every
// request by playing a script of [Response]s: the first request gets the
// first response, the second the second, and every request after the last
// response gets the last one again. It records each request it receives.
//
// Server is an [httptest.Server]: its URL, Client, Start, StartTLS and
// EnableHTTP2 work as they do there. Its Close also ends the responses in
// progress, such as a [Stall], so that it never waits for a stream that
// would not end by itself.
type Server struct {
	*httptest.Server

	script []Response
	done   chan struct{} // closed by Close: every response ends
	once   sync.Once

	mu       sync.Mutex
	requests []Request
	arrived  chan struct{} // closed and replaced when a request arrives
}

// NewServer starts and returns a Server that plays script. The caller
// should call Close when finished, to shut it down.
func NewServer(script ...Response) *Server {
	s := NewUnstartedServer(script...)
	s.Start()
	return s
}

// NewUnstartedServer returns a Server that plays script, but does not
// start it: set its fields (such as EnableHTTP2) first, then call Start or
// StartTLS. The caller should call Close when finished, to shut it down.
func NewUnstartedServer(script ...Response) *Server {
	s := &Server{
		script:  script,
		done:    make(chan struct{}),
		arrived: make(chan struct{}),
	}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(s.serveHTTP))
	return s
}

// Close ends the responses in progress, cuts every connection, shuts the
// server down and waits for its handlers to return.
func (s *Server) Close() {
	s.once.Do(func() { close(s.done) })
	s.Server.CloseClientConnections()
	s.Server.Close()
}

func (s *Server) closing() bool {
	select {
	case <-s.done:
		return true
	default:
		return false
	}
}

// Requests returns the requests the server has received so far, in the
// order they arrived.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// WaitForRequests waits until the server has received at least n requests
// and returns them all, or returns ctx's error.
func (s *Server) WaitForRequests(ctx context.Context, n int) ([]Request, error) {
	for {
		s.mu.Lock()
		reqs, arrived := s.requests, s.arrived
		s.mu.Unlock()
		if len(reqs) >= n {
			return append([]Request(nil), reqs...), nil
		}
		select {
		case <-arrived:
		case <-ctx.Done():
			return nil, fmt.Errorf("ssetest: %d of %d requests arrived: %w", len(reqs), n, ctx.Err())
		}
	}
}

// arrive records req and returns the response to play for it.
func (s *Server) arrive(req Request) Response {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := len(s.requests)
	s.requests = append(s.requests, req)
	close(s.arrived)
	s.arrived = make(chan struct{})
	if len(s.script) == 0 {
		return Response{}
	}
	return s.script[min(i, len(s.script)-1)]
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	req := record(r)
	resp := s.arrive(req)
	if resp.silent {
		select {
		case <-r.Context().Done():
		case <-s.done:
			panic(http.ErrAbortHandler)
		}
		return
	}
	resp.writeHeader(w)
	p := newPlayer(w, r, s.done, &req)
	if err := p.Flush(); err != nil {
		return
	}
	for _, step := range resp.Steps {
		err := step.play(p)
		if err == nil {
			continue
		}
		if errors.Is(err, errCut) {
			// Send what was written, then drop the connection without
			// ending the response.
			p.Flush()
			panic(http.ErrAbortHandler)
		}
		if s.closing() {
			// A server that goes away ends no response properly.
			panic(http.ErrAbortHandler)
		}
		return
	}
}
