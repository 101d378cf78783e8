package ssetest

import (
	"net/http"
)

// Response is what a [Server] answers to one request: a status, headers,
// and the steps that write the body.
//
// The zero Response is an event stream (status 200, Content-Type
// text/event-stream) that ends at once. [Stream], [Status], [NoContent]
// and [NoAnswer] make the usual ones, and [Response.With] adds headers.
type Response struct {
	// Status is the status code; zero means 200.
	Status int
	// Header holds headers to send. Without a Content-Type, a 200
	// response is sent as text/event-stream; to send no Content-Type at
	// all, give the key a nil value.
	Header http.Header
	// Steps write the body, in order. The headers are sent before the
	// first step runs.
	Steps []Step

	silent bool // send nothing at all: see NoAnswer
}

// Stream returns a 200 event stream response that plays steps.
func Stream(steps ...Step) Response {
	return Response{Status: http.StatusOK, Steps: steps}
}

// Status returns a response with status code and a plain-text body, as an
// API answers an error; add a Retry-After header with [Response.With].
func Status(code int, body string) Response {
	r := Response{Status: code, Header: http.Header{"Content-Type": {"text/plain; charset=utf-8"}}}
	if body != "" {
		r.Steps = []Step{Raw(body)}
	}
	return r
}

// NoContent returns a 204 No Content response, with which a server tells
// an event stream client to stop reconnecting.
func NoContent() Response {
	return Response{Status: http.StatusNoContent, Header: http.Header{"Content-Type": nil}}
}

// NoAnswer returns a response that never comes: the server reads the
// request and then sends nothing, not even a status line, until the client
// goes away or the server is closed. It stands for a server that hangs
// before its headers.
func NoAnswer() Response {
	return Response{silent: true}
}

// With returns a copy of r with the header key set to value, replacing
// earlier values of key. An empty value removes the header from what is
// sent, so that With("Content-Type", "") sends no Content-Type.
func (r Response) With(key, value string) Response {
	h := r.Header.Clone()
	if h == nil {
		h = make(http.Header)
	}
	if value == "" {
		h[http.CanonicalHeaderKey(key)] = nil
	} else {
		h.Set(key, value)
	}
	r.Header = h
	return r
}

func (r Response) status() int {
	if r.Status == 0 {
		return http.StatusOK
	}
	return r.Status
}

// writeHeader sends r's status and headers.
func (r Response) writeHeader(w http.ResponseWriter) {
	h := w.Header()
	for k, v := range r.Header {
		h[k] = v
	}
	if _, ok := r.Header["Content-Type"]; !ok && r.status() == http.StatusOK {
		h.Set("Content-Type", "text/event-stream")
	}
	if _, ok := r.Header["Cache-Control"]; !ok && r.status() == http.StatusOK {
		h.Set("Cache-Control", "no-cache")
	}
	w.WriteHeader(r.status())
}
