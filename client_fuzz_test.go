package sse_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/ssekit/sse"
)

// craftedTransport answers the first request with a response made from
// fuzz input, and every later one with 204 No Content, which ends the
// stream. It stands for a server that can send anything, without the
// cost of a real connection for every input.
type craftedTransport struct {
	status int
	header http.Header
	body   []byte
	chunk  int   // bytes per Read
	end    error // what the body returns after its bytes: io.EOF or a failure
	trips  int
}

func (c *craftedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	c.trips++
	if c.trips > 1 {
		return &http.Response{StatusCode: 204, Status: "204 No Content", Header: http.Header{}, Body: http.NoBody, Request: req}, nil
	}
	return &http.Response{
		StatusCode: c.status,
		Status:     fmt.Sprintf("%d %s", c.status, http.StatusText(c.status)),
		Proto:      "HTTP/1.1",
		ProtoMajor: 1,
		ProtoMinor: 1,
		Header:     c.header.Clone(),
		Body:       &chunkedBody{data: c.body, chunk: c.chunk, end: c.end},
		Request:    req,
	}, nil
}

// chunkedBody returns data a few bytes per Read, then end.
type chunkedBody struct {
	data   []byte
	chunk  int
	end    error
	closed bool
}

func (b *chunkedBody) Read(p []byte) (int, error) {
	if b.closed {
		return 0, errors.New("read after close")
	}
	if len(b.data) == 0 {
		return 0, b.end
	}
	n := copy(p[:min(len(p), b.chunk)], b.data)
	b.data = b.data[n:]
	return n, nil
}

func (b *chunkedBody) Close() error {
	b.closed = true
	return nil
}

// errInjected is the failure a fuzzed body may end with.
var errInjected = errors.New("injected read failure")

// FuzzClientResponse feeds the Client responses with random status codes,
// headers and bodies, delivered in random pieces and ending cleanly or
// with a failure. The Client must never panic, and must end with exactly
// the outcome the input calls for: the events a Parser finds in the body
// (for an accepted event stream), and nil, a *ResponseError carrying the
// status, or a *LimitError.
func FuzzClientResponse(f *testing.F) {
	f.Add(uint16(200), "text/event-stream", "", "", "", []byte("id: 1\ndata: a\n\ndata: b\n\n"), uint8(3), false)
	f.Add(uint16(200), "text/event-stream; charset=utf-8", "", "X-Other", "1", []byte("retry: 10\n: hi\r\ndata: x\r\n\r\n"), uint8(0), true)
	f.Add(uint16(200), "TEXT/EVENT-STREAM;;junk", "", "", "", []byte("data: "+strings.Repeat("z", 300)+"\n\n"), uint8(64), false)
	f.Add(uint16(200), "application/json", "", "", "", []byte(`{"error":"x"}`), uint8(5), false)
	f.Add(uint16(401), "application/json", "", "", "", []byte(`{"error":"bad token"}`), uint8(1), false)
	// An ID with a trailing space, which HTTP would trim: the stream ends
	// with ErrInvalidLastEventID when it must reconnect.
	f.Add(uint16(100), "text/event-stream", "", "", "", []byte("id: 0 \ndata: a\n\n"), uint8(0), false)
	f.Add(uint16(429), "text/plain", "3", "", "", []byte("slow down"), uint8(2), false)
	f.Add(uint16(503), "", "Wed, 21 Oct 2015 07:28:00 GMT", "", "", []byte(""), uint8(2), false)
	f.Add(uint16(204), "", "", "", "", []byte("ignored"), uint8(2), false)
	f.Add(uint16(200), "text/event-stream", "", "", "", []byte("\xEF\xBB\xBFid: \x01\ndata: bad id\n\n"), uint8(7), false)
	f.Fuzz(func(t *testing.T, code uint16, contentType, retryAfter, name, value string, body []byte, chunk uint8, fail bool) {
		const maxLine, maxEvent = 256, 512
		status := 100 + int(code)%500
		if status < 200 {
			status += 100 // the transport never hands out a 1xx
		}
		header := http.Header{}
		if contentType != "" {
			header.Set("Content-Type", contentType)
		}
		if retryAfter != "" {
			header.Set("Retry-After", retryAfter)
		}
		if name != "" {
			header[name] = []string{value}
		}
		rt := &craftedTransport{status: status, header: header, body: body, chunk: 1 + int(chunk)%64, end: io.EOF}
		if fail {
			rt.end = errInjected
		}
		clock := sse.NewFakeClock()
		clock.SetRand(func() float64 { return 0.5 })
		client := sse.NewClient(
			sse.WithHTTPClient(&http.Client{Transport: rt}),
			sse.WithLimits(maxLine, maxEvent),
			sse.WithIdleTimeout(0),
			clock.Option(),
		)
		req, err := http.NewRequest(http.MethodGet, "http://127.0.0.1/fuzz", nil)
		if err != nil {
			t.Fatal(err)
		}
		var got []sse.Event
		stream := client.Connect(req)
		for stream.Next() {
			got = append(got, stream.Event())
			if len(got) > len(body) {
				t.Fatalf("%d events from %d bytes", len(got), len(body))
			}
		}
		gotErr := stream.Err()
		stream.Close()

		// What the input calls for.
		var want []sse.Event
		var wantErr error
		lastID := ""
		probe := &http.Response{StatusCode: status, Header: header}
		switch {
		case status == http.StatusNoContent:
		case sse.CheckResponse(probe) != nil:
			if status != 408 && status != 429 && status < 500 {
				wantErr = &sse.ResponseError{StatusCode: status}
			}
		default:
			p := sse.NewParser(bytes.NewReader(body))
			p.SetLimits(maxLine, maxEvent)
			for p.Next() {
				want = append(want, p.Event())
			}
			if p.Err() != nil {
				wantErr = p.Err()
			}
			lastID = p.LastEventID()
		}

		if !slices.Equal(want, got) {
			t.Errorf("events differ from the parser's: %s", firstDifference(want, got))
		}
		var rerr *sse.ResponseError
		var lerr *sse.LimitError
		switch want := wantErr.(type) {
		case nil:
			if gotErr != nil && !unsendableID(gotErr, lastID) {
				t.Errorf("stream error %v, want none", gotErr)
			}
		case *sse.ResponseError:
			if !errors.As(gotErr, &rerr) || rerr.StatusCode != want.StatusCode {
				t.Errorf("stream error %v, want a *ResponseError with status %d", gotErr, want.StatusCode)
			} else if !errors.Is(gotErr, sse.ErrUnexpectedStatus) && !errors.Is(gotErr, sse.ErrNotEventStream) {
				t.Errorf("stream error %v wraps neither ErrUnexpectedStatus nor ErrNotEventStream", gotErr)
			} else if len(rerr.Body) > sse.MaxErrorBodySize || !bytes.HasPrefix(body, rerr.Body) {
				t.Errorf("error body %q is not the start of the body, within %d bytes", rerr.Body, sse.MaxErrorBodySize)
			}
		case *sse.LimitError:
			if !errors.As(gotErr, &lerr) || lerr.Err != want.Err || lerr.Limit != want.Limit {
				t.Errorf("stream error %v, want %v", gotErr, want)
			}
		}
		if rt.trips > 2 {
			t.Errorf("%d requests; want at most 2", rt.trips)
		}
	})
}

// unsendableID reports whether err is the error of a stream that stopped
// because its last event ID, which the server set, cannot travel back in a
// Last-Event-ID header: [sse.CheckEventID] refuses it.
func unsendableID(err error, lastID string) bool {
	return errors.Is(err, sse.ErrInvalidLastEventID) && sse.CheckEventID(lastID) != nil
}
