package main

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"syscall"
	"time"

	"github.com/ssekit/sse"
)

// progress writes what happens to the connection on stderr:
//
//	connected (HTTP/1.1 200)
//	reconnecting in 1.8s (attempt 3): connection reset
//	stream ended
type progress struct {
	w       io.Writer
	idle    time.Duration // the idle timeout, to explain it
	verbose bool          // give the whole error, not a summary
	o       *options      // to word the whole error, with verbose
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
		why = strings.TrimPrefix(message(err, p.o, ""), "sse: ")
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
