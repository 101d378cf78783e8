package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/ssekit/sse"
)

// printer writes events to stdout in the format that the flags chose:
// the event stream format by default, one JSON object per line with
// --json, or the bare data with --data-only.
type printer struct {
	w        io.Writer
	json     bool
	dataOnly bool
	jsonData bool     // pretty-print data that is JSON
	types    []string // print only these event types; all if empty
	buf      bytes.Buffer
}

func newPrinter(w io.Writer, o *options) *printer {
	return &printer{w: w, json: o.jsonOut, dataOnly: o.dataOnly, jsonData: o.jsonData, types: o.events}
}

// print writes ev, unless the --event filter leaves it out.
func (p *printer) print(ev sse.Event) error {
	if len(p.types) > 0 && !slices.Contains(p.types, ev.Type) {
		return nil
	}
	p.buf.Reset()
	switch {
	case p.json:
		p.writeJSON(ev)
	case p.dataOnly:
		p.writeData(ev.Data)
		p.buf.WriteByte('\n')
	default:
		p.writeEvent(ev)
	}
	_, err := p.w.Write(p.buf.Bytes())
	return err
}

// writeEvent writes ev in the event stream format, with the "event" and
// "id" fields only when they are not the defaults, and a blank line after
// it. A stream saved this way parses back to the same events.
func (p *printer) writeEvent(ev sse.Event) {
	if ev.Type != "message" {
		fmt.Fprintf(&p.buf, "event: %s\n", ev.Type)
	}
	if ev.ID != "" {
		fmt.Fprintf(&p.buf, "id: %s\n", ev.ID)
	}
	data := ev.Data
	if p.jsonData {
		data = prettyJSON(data)
	}
	for line := range strings.SplitSeq(data, "\n") {
		fmt.Fprintf(&p.buf, "data: %s\n", line)
	}
	p.buf.WriteByte('\n')
}

// writeData writes data, pretty-printed if asked and it is JSON.
func (p *printer) writeData(data string) {
	if p.jsonData {
		data = prettyJSON(data)
	}
	p.buf.WriteString(data)
}

// writeJSON writes ev as one line of JSON. With --json-data, data that is
// JSON is embedded as a value rather than as a string.
func (p *printer) writeJSON(ev sse.Event) {
	type jsonEvent struct {
		Type string `json:"type"`
		Data any    `json:"data"`
		ID   string `json:"id"`
	}
	var data any = ev.Data
	if p.jsonData && json.Valid([]byte(ev.Data)) {
		data = json.RawMessage(ev.Data)
	}
	enc := json.NewEncoder(&p.buf)
	enc.SetEscapeHTML(false)
	// Encoding a string or a valid json.RawMessage cannot fail.
	_ = enc.Encode(jsonEvent{Type: ev.Type, Data: data, ID: ev.ID})
}

// prettyJSON indents data if it is JSON, and returns it unchanged if not.
func prettyJSON(data string) string {
	var b bytes.Buffer
	if err := json.Indent(&b, []byte(data), "", "  "); err != nil {
		return data
	}
	return b.String()
}

// progress writes what happens to the connection on stderr:
//
//	connected (HTTP/1.1 200)
//	reconnecting in 1.8s (attempt 3): connection reset
//	stream ended
type progress struct {
	w       io.Writer
	idle    time.Duration // the idle timeout, to explain it
	verbose bool          // give the whole error, not a summary
}

func (p *progress) hooks() sse.Hooks {
	return sse.Hooks{
		OnConnect:    p.connected,
		OnDisconnect: p.disconnected,
		OnRetry:      p.retrying,
	}
}

func (p *progress) connected(resp *http.Response) {
	line := fmt.Sprintf("connected (%s %d)", resp.Proto, resp.StatusCode)
	if resp.Request != nil {
		if id := resp.Request.Header.Get("Last-Event-ID"); id != "" {
			line += ", resuming after event " + id
		}
	}
	fmt.Fprintln(p.w, line)
}

func (p *progress) disconnected(err error) {
	if errors.Is(err, io.EOF) {
		fmt.Fprintln(p.w, "stream ended")
	}
}

func (p *progress) retrying(attempt int, delay time.Duration, err error) {
	line := fmt.Sprintf("reconnecting in %s (attempt %d)", formatDelay(delay), attempt)
	why := describe(err, p.idle)
	if p.verbose && !errors.Is(err, io.EOF) {
		why = err.Error()
	}
	if why != "" {
		line += ": " + why
	}
	fmt.Fprintln(p.w, line)
}

// formatDelay rounds a wait for a person to read: 1.8s, 250ms.
func formatDelay(d time.Duration) string {
	if d >= time.Second {
		return d.Round(100 * time.Millisecond).String()
	}
	return d.Round(time.Millisecond).String()
}

// describe says in a few words why a connection failed or ended; "" for
// a clean end of stream, which the line before already reported.
func describe(err error, idle time.Duration) string {
	var re *sse.ResponseError
	switch {
	case errors.Is(err, io.EOF):
		return ""
	case errors.As(err, &re):
		return "HTTP " + re.Status
	case errors.Is(err, sse.ErrIdleTimeout):
		return fmt.Sprintf("no data for %v", idle)
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset"
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "connection lost"
	}
	return strings.TrimPrefix(err.Error(), "sse: ")
}

// transport sends the stream's requests. It reports a 204, which ends a
// stream, and with -v the headers of each request and response, with
// credentials masked.
type transport struct {
	rt      http.RoundTripper
	w       io.Writer
	verbose bool
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if t.verbose {
		fmt.Fprintf(t.w, "> %s %s %s\n", req.Method, req.URL.RequestURI(), req.Proto)
		host := req.Host
		if host == "" {
			host = req.URL.Host
		}
		fmt.Fprintf(t.w, "> Host: %s\n", host)
		writeHeaders(t.w, "> ", req.Header)
	}
	resp, err := t.rt.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	if t.verbose {
		fmt.Fprintf(t.w, "< %s %s\n", resp.Proto, resp.Status)
		writeHeaders(t.w, "< ", resp.Header)
	}
	if resp.StatusCode == http.StatusNoContent {
		fmt.Fprintf(t.w, "stream ended (%s %s)\n", resp.Proto, resp.Status)
	}
	return resp, nil
}

// writeHeaders writes h sorted by name, one line per value, with the
// values of credential headers masked.
func writeHeaders(w io.Writer, prefix string, h http.Header) {
	names := make([]string, 0, len(h))
	for name := range h {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		shown := name
		if shown == "Last-Event-Id" {
			shown = "Last-Event-ID" // as the standard spells it
		}
		for _, v := range h[name] {
			fmt.Fprintf(w, "%s%s: %s\n", prefix, shown, maskHeader(name, v))
		}
	}
}

// maskHeader returns a header's value for display: "***" for credentials
// (Authorization, cookies, and headers named like an API key or token),
// keeping the scheme of an Authorization header, as in "Bearer ***".
func maskHeader(name, value string) string {
	switch n := strings.ToLower(name); {
	case n == "authorization" || n == "proxy-authorization":
		if scheme, _, ok := strings.Cut(value, " "); ok && scheme != "" {
			return scheme + " ***"
		}
		return "***"
	case n == "cookie" || n == "set-cookie",
		strings.Contains(n, "key"), strings.Contains(n, "token"), strings.Contains(n, "secret"):
		return "***"
	}
	return value
}
