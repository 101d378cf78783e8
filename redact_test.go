package sse

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestRedactURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://api.example.com/v1/chat", "https://api.example.com/v1/chat"},
		{"https://user:secret@host/path", "https://host/path"},
		{"https://host/path?key=sk-123&cursor=9", "https://host/path?key=***&cursor=***"},
		{"https://host/path?sk-bare-token", "https://host/path?=***"},
		{"https://host/path#access_token=abc", "https://host/path"},
		{"http://127.0.0.1:8080/?a=1&&b", "http://127.0.0.1:8080/?a=***&=***&=***"},
		{"https://host/users/@me?x=1", "https://host/users/@me?x=***"},
	}
	for _, tt := range tests {
		u, err := url.Parse(tt.in)
		if err != nil {
			t.Fatal(err)
		}
		if got := redactURL(u); got != tt.want {
			t.Errorf("redactURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if u.String() != tt.in {
			t.Errorf("redactURL changed its argument to %q", u)
		}
	}
}

// TestRedactOpaqueURL checks URLs built with Opaque, as a caller does to
// send a path unescaped, which url.Parse never makes.
func TestRedactOpaqueURL(t *testing.T) {
	tests := []struct {
		u    url.URL
		want string
	}{
		{url.URL{Scheme: "http", Host: "h:1", Opaque: "//user:pa55@h:1/p", RawQuery: "k=sk-1"}, "http://h:1/p?k=***"},
		{url.URL{Scheme: "https", Host: "h", Opaque: "//tok@h/a%2Fb"}, "https://h/a%2Fb"},
		{url.URL{Scheme: "https", Host: "h", Opaque: "/a%2Fb", RawQuery: "token=x"}, "https://h/a%2Fb?token=***"},
		{url.URL{Scheme: "https", Host: "h", Opaque: "//h/p?token=in-opaque"}, "https://h/p?token=***"},
	}
	for _, tt := range tests {
		if got := redactURL(&tt.u); got != tt.want {
			t.Errorf("redactURL(%#v) = %q, want %q", tt.u, got, tt.want)
		}
	}
}

func TestRedactText(t *testing.T) {
	tests := []struct{ in, want string }{
		// What net/http says of a redirect whose Location does not parse.
		{
			`failed to parse Location header "http://[::1%zz/?token=sk-1": parse "http://[::1%zz/?token=sk-1": invalid URL escape "%zz"`,
			`failed to parse Location header "http://[::1%zz/?token=***": parse "http://[::1%zz/?token=***": invalid URL escape "%zz"`,
		},
		{`parse "http://u:p@h/x?a=1#f": bad`, `parse "http://h/x?a=***": bad`},
		{`quoted "http://h/?t=a\"b c\" d": end`, `quoted "http://h/?t=***": end`},
		{`invalid proxy address "user:pa55@proxy:bad": parse`, `invalid proxy address "proxy:bad": parse`},
		{`relative "/p?token=sk-2"`, `relative "/p?token=***"`},
		{`unquoted http://u:p@h/p?k=v: refused`, `unquoted http://h/p?k=***: refused`},
		{`an unclosed "http://h/?k=v`, `an unclosed "http://h/?k=***`},
		// No URL: unchanged.
		{`dial tcp 127.0.0.1:80: connect: connection refused`, `dial tcp 127.0.0.1:80: connect: connection refused`},
		{`unsupported protocol scheme "ftp"`, `unsupported protocol scheme "ftp"`},
		{`http2: stream #3 reset: "x"`, `http2: stream #3 reset: "x"`},
		{``, ``},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, redactText(tt.in)); diff != "" {
			t.Errorf("redactText(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestRedactErrorKeepsTheChain(t *testing.T) {
	cause := errors.New(`parse "http://h/?token=sk-3": bad`)
	err := redactError(&url.Error{Op: "Get", URL: "http://h/?token=sk-3", Err: fmt.Errorf("wrapped: %w", cause)})
	if got, want := err.Error(), `wrapped: parse "http://h/?token=***": bad`; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if !errors.Is(err, cause) {
		t.Error("the masked error does not wrap its cause")
	}
	plain := errors.New("connection reset")
	if got := redactError(plain); got != plain {
		t.Errorf("redactError changed an error with no URL: %v", got)
	}
}

// TestClientSecretsInWrappedErrors checks the paths where a secret hid
// inside another error's text or in a URL's Opaque part: Stream.Err, the
// hooks and the log lines must not show it.
func TestClientSecretsInWrappedErrors(t *testing.T) {
	srv := newScript(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/redirect":
			// A Location that does not parse, made from the request's
			// own query, as a misconfigured proxy may.
			w.Header().Set("Location", "http://[::1%zz/?token="+r.URL.Query().Get("token"))
			w.WriteHeader(http.StatusFound)
		default:
			w.WriteHeader(http.StatusForbidden)
		}
	})
	host := strings.TrimPrefix(srv.srv.URL, "http://")
	redirect := newGet(t, srv.srv.URL+"/redirect?token=sk-SECRET-QUERY")
	opaque := newGet(t, srv.srv.URL)
	opaque.URL = &url.URL{Scheme: "http", Host: host, Opaque: "//user:pa55word@" + host + "/v1/opaque", RawQuery: "api_key=sk-SECRET-OPAQUE"}

	for _, tt := range []struct {
		req  *http.Request
		says string // what the error must still say
	}{
		{redirect, "failed to parse Location header"},
		{opaque, "403 Forbidden"},
	} {
		req := tt.req
		var logs bytes.Buffer
		var hooked []string
		c := NewClient(
			WithHTTPClient(srv.srv.Client()),
			WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))),
			WithHooks(Hooks{
				OnDisconnect: func(err error) { hooked = append(hooked, err.Error()) },
				OnRetry:      func(_ int, _ time.Duration, err error) { hooked = append(hooked, err.Error()) },
			}),
			NewFakeClock().Option(), maxAttempts(2),
		)
		_, err := collect(c.Connect(req))
		if err == nil {
			t.Fatalf("%s: want an error", req.URL.Path)
		}
		all := err.Error() + "\n" + strings.Join(hooked, "\n") + "\n" + logs.String()
		for _, secret := range []string{"sk-SECRET", "pa55word", "user:"} {
			if strings.Contains(all, secret) {
				t.Errorf("%q appears in errors, hooks or logs:\n%s", secret, all)
			}
		}
		if !strings.Contains(all, tt.says) {
			t.Errorf("the errors no longer say %q:\n%s", tt.says, all)
		}
	}
}
