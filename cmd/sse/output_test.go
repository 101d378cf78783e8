package main

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/ssekit/sse"
)

func TestMaskHeader(t *testing.T) {
	tests := []struct{ name, value, want string }{
		{"Authorization", "Bearer sk-123", "Bearer ***"},
		{"authorization", "sk-123", "***"},
		{"Proxy-Authorization", "Basic dXNlcjpwYXNz", "Basic ***"},
		{"Cookie", "a=b", "***"},
		{"Set-Cookie", "a=b; Path=/", "***"},
		{"X-Api-Key", "k", "***"},
		{"X-Auth-Token", "t", "***"},
		{"X-Client-Secret", "s", "***"},
		{"Accept", "text/event-stream", "text/event-stream"},
		{"Last-Event-Id", "42", "42"},
		{"Location", "https://u:pw@h/cb?code=c0de&state=s", "https://h/cb?code=***&state=***"},
		{"Content-Location", "/p?sig=x", "/p?sig=***"},
		{"Location", "http://[::1%zz/?token=t", "***"},
	}
	for _, tt := range tests {
		if got := maskHeader(tt.name, tt.value); got != tt.want {
			t.Errorf("maskHeader(%q, %q) = %q, want %q", tt.name, tt.value, got, tt.want)
		}
	}
}

func TestFormatDelay(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{1849 * time.Millisecond, "1.8s"},
		{1850 * time.Millisecond, "1.9s"},
		{250400 * time.Microsecond, "250ms"},
		{0, "0s"},
		{90 * time.Second, "1m30s"},
	}
	for _, tt := range tests {
		if got := formatDelay(tt.d); got != tt.want {
			t.Errorf("formatDelay(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}

func TestDescribe(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{io.EOF, ""},
		{&sse.ResponseError{StatusCode: 503, Status: "503 Service Unavailable", Err: sse.ErrUnexpectedStatus}, "HTTP 503 Service Unavailable"},
		{fmt.Errorf("%w: no data", sse.ErrIdleTimeout), "no data for 1m0s"},
		{fmt.Errorf("sse: GET x: %w", syscall.ECONNREFUSED), "connection refused"},
		{fmt.Errorf("sse: connection to x lost: %w", syscall.ECONNRESET), "connection reset"},
		{fmt.Errorf("sse: connection to x lost: %w", io.ErrUnexpectedEOF), "connection lost"},
		{errors.New("sse: something else"), "something else"},
	}
	for _, tt := range tests {
		if got := describe(tt.err, time.Minute); got != tt.want {
			t.Errorf("describe(%v) = %q, want %q", tt.err, got, tt.want)
		}
	}
}

func TestProgressLines(t *testing.T) {
	var b strings.Builder
	p := &progress{w: &b, idle: time.Minute}
	h := p.hooks()
	req, _ := http.NewRequest("GET", "http://x/", nil)
	h.OnConnect(&http.Response{Proto: "HTTP/1.1", StatusCode: 200, Request: req})
	h.OnDisconnect(fmt.Errorf("lost: %w", syscall.ECONNRESET)) // said by OnRetry
	h.OnRetry(3, 1800*time.Millisecond, fmt.Errorf("lost: %w", syscall.ECONNRESET))
	req.Header.Set("Last-Event-ID", "7")
	h.OnConnect(&http.Response{Proto: "HTTP/2.0", StatusCode: 200, Request: req})
	h.OnDisconnect(io.EOF)
	h.OnRetry(1, time.Second, io.EOF)
	want := "connected (HTTP/1.1 200)\n" +
		"reconnecting in 1.8s (attempt 3): connection reset\n" +
		"connected (HTTP/2.0 200), resuming after event 7\n" +
		"stream ended\n" +
		"reconnecting in 1s (attempt 1)\n"
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Errorf("progress lines (-want +got):\n%s", diff)
	}
}

func TestShellQuote(t *testing.T) {
	tests := []struct{ in, want string }{
		{"http://127.0.0.1:80/feed", "http://127.0.0.1:80/feed"},
		{"Authorization: Bearer k", "'Authorization: Bearer k'"},
		{`{"a":"it's"}`, `'{"a":"it'\''s"}'`},
		{"", "''"},
	}
	for _, tt := range tests {
		if got := shellQuote(tt.in); got != tt.want {
			t.Errorf("shellQuote(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestMaskURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"http://h/p?api_key=k1&stream=1", "http://h/p?api_key=***&stream=***"},
		{"https://user:pass@h:8/p#frag", "https://h:8/p"},
		{"http://h/p?tok3n", "http://h/p?=***"},
		{"http://h/p", "http://h/p"},
		{"http://[::1%zz/?token=t", "***"},
	}
	for _, tt := range tests {
		if got := maskURL(tt.in); got != tt.want {
			t.Errorf("maskURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestMaskedRequestURI checks the request line of -v, for URLs that the
// command does not build itself too (an opaque URL with user information).
func TestMaskedRequestURI(t *testing.T) {
	tests := []struct {
		u    url.URL
		want string
	}{
		{url.URL{Scheme: "http", Host: "h", Path: "/p", RawQuery: "api_key=k&x"}, "/p?api_key=***&=***"},
		{url.URL{Scheme: "http", User: url.UserPassword("u", "pw"), Host: "h", Path: "/p"}, "/p"},
		{url.URL{Scheme: "http", Opaque: "//u:pw@h/p/q", RawQuery: "k=v"}, "http://h/p/q?k=***"},
		{url.URL{Scheme: "http", Opaque: "//u:pw@h"}, "http://h"},
	}
	for _, tt := range tests {
		if got := maskedURL(&tt.u).RequestURI(); got != tt.want {
			t.Errorf("masked request URI of %#v = %q, want %q", tt.u, got, tt.want)
		}
	}
}

func TestSizeFlag(t *testing.T) {
	tests := []struct {
		in   string
		want int // 0: an error
	}{
		{"65536", 65536}, {"64KiB", 64 << 10}, {"64K", 64 << 10}, {"32MiB", 32 << 20}, {"32MB", 32 << 20},
		{"1GiB", 1 << 30}, {"100B", 100}, {"0", 0}, {"-1", 0}, {"2GiB", 0}, {"lots", 0}, {"1.5MiB", 0},
	}
	for _, tt := range tests {
		var n int
		err := sizeFlag{&n}.Set(tt.in)
		if (err != nil) != (tt.want == 0) || n != tt.want {
			t.Errorf("Set(%q) = %d, %v; want %d", tt.in, n, err, tt.want)
		}
	}
	if got := formatSize(64 << 10); got != "64KiB" {
		t.Errorf("formatSize(64KiB) = %q", got)
	}
}
