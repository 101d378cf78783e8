package sse

import (
	"net/url"
	"testing"
)

func TestRedactURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://api.example.com/v1/chat", "https://api.example.com/v1/chat"},
		{"https://user:secret@host/path", "https://host/path"},
		{"https://host/path?key=sk-123&cursor=9", "https://host/path?key=***&cursor=***"},
		{"https://host/path?sk-bare-token", "https://host/path?=***"},
		{"https://host/path#access_token=abc", "https://host/path"},
		{"http://127.0.0.1:8080/?a=1&&b", "http://127.0.0.1:8080/?a=***&=***&=***"},
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
