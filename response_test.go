package sse

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSummarize(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		secrets []string
		want    string
	}{
		{"OpenAI", `{"error":{"message":"Incorrect API key provided: sk-abc.","type":"invalid_request_error","code":"invalid_api_key"}}`, nil, "Incorrect API key provided: sk-abc."},
		{"Anthropic", `{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}`, nil, "invalid x-api-key"},
		{"error string", `{"error":"invalid_token"}`, nil, "invalid_token"},
		{"message", `{"message":"Not Found","documentation_url":"https://docs.example.com"}`, nil, "Not Found"},
		{"JSON-RPC", `{"jsonrpc":"2.0","id":1,"error":{"code":-32600,"message":"Bad Request: No valid session ID provided"}}`, nil, "Bad Request: No valid session ID provided"},
		{"JSON of another shape: its text", `{"detail":"rate limited"}`, nil, `{"detail":"rate limited"}`},
		{"first line of text", "\n\n  upstream connect error\nreset reason: overflow\n", nil, "upstream connect error"},
		{"HTML", "<html>\r\n<head><title>502 Bad Gateway</title></head>", nil, "<html>"},
		{"empty", "", nil, ""},
		{"control characters go", "a\x1b[31mred\x07\u202eevil\x00!", nil, "a[31mredevil!"},
		{"tabs and newlines in a message are spaces", `{"message":"one\ttwo\nthree"}`, nil, "one two three"},
		{"invalid UTF-8", "bad \xff byte", nil, "bad \uFFFD byte"},
		{"long: cut to about 200 characters", strings.Repeat("é", 300), nil, strings.Repeat("é", 200) + "…"},
		{"OpenAI's 401, as the README shows it", `{"error":{"message":"Incorrect API key provided: sk-proj-abc123. You can find your API key at https://platform.openai.com/account/api-keys.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}`,
			[]string{"Bearer sk-proj-abc123", "sk-proj-abc123"}, "Incorrect API key provided: ***. You can find your API key at https://platform.openai.com/account/api-keys."},
		{"secrets removed", `{"error":{"message":"Incorrect API key provided: sk-live-123456. Bearer sk-live-123456"}}`, []string{"sk-live-123456"}, "Incorrect API key provided: ***. Bearer ***"},
		{"a secret split by a control character", "key sk-li\x00ve-123456 rejected", []string{"sk-live-123456"}, "key *** rejected"},
		{"a secret where the cut falls", strings.Repeat("a", 195) + "sk-live-123456", []string{"sk-live-123456"}, strings.Repeat("a", 195) + "***"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, summarize([]byte(tt.body), tt.secrets)); diff != "" {
				t.Errorf("summarize (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCredentials(t *testing.T) {
	req, _ := http.NewRequest(http.MethodPost, "https://alice:hunter22@api.example.com/v1?key=QUERYKEY&n=1&x=ok", nil)
	req.Header.Set("Authorization", "Bearer sk-token-1")
	req.Header.Set("Proxy-Authorization", "Basic "+"Ym9iOnMzY3JldA==") // bob:s3cret
	req.Header.Set("Cookie", "sid=COOKIE1; theme=dark")
	req.Header.Set("X-Api-Key", "XKEY")
	req.Header.Set("Api-Key", "AZUREKEY")
	req.Header.Set("X-Auth-Token", "AUTHTOKEN")
	req.Header.Set("Content-Type", "application/json")
	got := credentials(req)
	want := []string{
		"sid=COOKIE1; theme=dark", "Basic Ym9iOnMzY3JldA==", "Bearer sk-token-1",
		"Ym9iOnMzY3JldA==", "bob:s3cret", "sk-token-1", "AUTHTOKEN", "AZUREKEY", "QUERYKEY",
		"hunter22", "COOKIE1", "s3cret", "alice", "XKEY", "dark",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("credentials (-want +got):\n%s", diff)
	}
}
