package ssetest

import (
	"io"
	"net/http"
	"time"
)

// MaxRecordedBody is the most of a request's body that a [Server] reads
// and records in [Request.Body]; the rest is left unread.
const MaxRecordedBody = 1 << 20

// Request is what a [Server] recorded of one request it received.
type Request struct {
	// Method is the request's method, such as "GET".
	Method string
	// URL is the request target as the client sent it: the path and the
	// query, as in [http.Request.RequestURI].
	URL string
	// Proto is the protocol version, such as "HTTP/1.1" or "HTTP/2.0".
	Proto string
	// Header holds the request's headers.
	Header http.Header
	// LastEventID is the value of the Last-Event-ID header, or "" when the
	// request had none.
	LastEventID string
	// Body is the request's body, or its first [MaxRecordedBody] bytes;
	// nil when the body was empty.
	Body []byte
	// Time is when the server received the request.
	Time time.Time
}

// record reads what a Request keeps of r.
func record(r *http.Request) Request {
	rec := Request{
		Method:      r.Method,
		URL:         r.RequestURI,
		Proto:       r.Proto,
		Header:      r.Header.Clone(),
		LastEventID: r.Header.Get("Last-Event-ID"),
		Time:        time.Now(),
	}
	if r.Body != nil {
		body, _ := io.ReadAll(io.LimitReader(r.Body, MaxRecordedBody))
		if len(body) > 0 {
			rec.Body = body
		}
	}
	return rec
}
