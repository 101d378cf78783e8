package sse

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"

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

// TestWithValidatorAcceptsAWrongContentType: a server that sends events
// under a wrong Content-Type can still be read, on purpose; a validator's
// own error is a ResponseError with the server's reason.
func TestWithValidatorAcceptsAWrongContentType(t *testing.T) {
	events := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, "data: a\n\ndata: b\n\n")
	}
	srv := newScript(t, events)
	acceptAny := WithValidator(func(resp *http.Response) error {
		if resp.StatusCode != http.StatusOK {
			return ErrUnexpectedStatus
		}
		return nil
	})
	req, _ := http.NewRequest(http.MethodPost, srv.srv.URL, nil)
	evs, err := collect(NewClient(WithHTTPClient(srv.srv.Client()), acceptAny).Connect(req))
	if diff := cmp.Diff([]Event{{Type: "message", Data: "a"}, {Type: "message", Data: "b"}}, evs); diff != "" || err != nil {
		t.Errorf("Err() = %v; events (-want +got):\n%s", err, diff)
	}

	errWrongTenant := errors.New("wrong tenant")
	refuse := WithValidator(func(*http.Response) error { return errWrongTenant })
	srv2 := newScript(t, serveStatus(http.StatusOK, `{"message":"tenant t-1"}`, "Content-Type", "text/event-stream"))
	req2, _ := http.NewRequest(http.MethodPost, srv2.srv.URL, nil)
	_, err = collect(NewClient(WithHTTPClient(srv2.srv.Client()), refuse).Connect(req2))
	var re *ResponseError
	want := fmt.Sprintf("sse: POST %s: 200 OK: wrong tenant; the server said: tenant t-1", srv2.srv.URL)
	if !errors.As(err, &re) || !errors.Is(err, errWrongTenant) || err.Error() != want {
		t.Errorf("Err() = %v, want a ResponseError wrapping the validator's error: %s", err, want)
	}
}

// FuzzSummarize: whatever the body and the secrets, the reason is short,
// has no control characters, and never holds a secret.
func FuzzSummarize(f *testing.F) {
	f.Add([]byte(`{"error":{"message":"Incorrect API key provided: sk-abcd"}}`), "sk-abcd")
	f.Add([]byte("line one\r\nline two"), "one")
	f.Add([]byte("\x00\x01sk-\x7fabcd\u202e"), "sk-abcd")
	f.Add([]byte(`{"error":"tok-1234 tok-1234"}`), "tok-1234")
	f.Fuzz(func(t *testing.T, body []byte, secret string) {
		// As credentials gives them: trimmed, and long enough; and
		// without the "*" of the summary's own masks, which could form
		// a secret made of them.
		secret = strings.TrimSpace(secret)
		var secrets []string
		if len(secret) >= minSecret && !strings.Contains(secret, "*") {
			secrets = []string{secret}
		}
		got := summarize(body, secrets)
		if n := utf8.RuneCountInString(got); n > maxReason+1 {
			t.Errorf("summary of %d characters: %q", n, got)
		}
		if printable(got) != got {
			t.Errorf("summary %q has control characters or runs of space", got)
		}
		if p := printable(secret); len(secrets) > 0 && len(p) >= minSecret && strings.Contains(got, p) {
			t.Errorf("summary %q holds the secret %q", got, secret)
		}
	})
}

func TestClient204Stops(t *testing.T) {
	srv := newScript(t, serveStatus(http.StatusNoContent, ""))
	evs, err := collect(NewClient(WithHTTPClient(srv.srv.Client())).Connect(newGet(t, srv.srv.URL)))
	if err != nil || len(evs) != 0 {
		t.Fatalf("got %v, %v; want no events and nil", evs, err)
	}
	if n := len(srv.requests()); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}

func TestClientFailsFastWithReadableBody(t *testing.T) {
	const body = `{"error":{"message":"Incorrect API key","type":"invalid_request_error"}}`
	srv := newScript(t, serveStatus(http.StatusUnauthorized, body, "Content-Type", "application/json", "X-Request-Id", "req-1"))
	c := NewClient(WithHTTPClient(srv.srv.Client()), NewFakeClock().Option())
	_, err := collect(c.Connect(newGet(t, srv.srv.URL)))
	var re *ResponseError
	if !errors.As(err, &re) {
		t.Fatalf("Err() = %v, want a *ResponseError", err)
	}
	got := fmt.Sprintf("%d|%s|%s|%s", re.StatusCode, re.Header.Get("X-Request-Id"), re.Body, err)
	want := fmt.Sprintf("401|req-1|%s|sse: GET %s: unexpected status 401 Unauthorized; the server said: Incorrect API key", body, srv.srv.URL)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("error (-want +got):\n%s", diff)
	}
	if !errors.Is(err, ErrUnexpectedStatus) {
		t.Errorf("errors.Is(%v, ErrUnexpectedStatus) = false", err)
	}
	if n := len(srv.requests()); n != 1 {
		t.Errorf("%d requests, want 1: a 401 is not retried", n)
	}
}

func TestClientBoundsErrorBody(t *testing.T) {
	srv := newScript(t, serveStatus(http.StatusForbidden, strings.Repeat("x", 1<<20)))
	_, err := collect(NewClient(WithHTTPClient(srv.srv.Client())).Connect(newGet(t, srv.srv.URL)))
	var re *ResponseError
	if !errors.As(err, &re) || len(re.Body) != MaxErrorBodySize || !re.BodyTruncated {
		t.Fatalf("Err() = %v; want a *ResponseError with %d bytes of a truncated body", err, MaxErrorBodySize)
	}
}

func TestClientMaxErrorBodySize(t *testing.T) {
	tests := []struct {
		name                 string
		limit, size, wantLen int
		wantTrunc            bool
	}{
		{"default limit", 0, 10 << 10, MaxErrorBodySize, true},
		{"raised: the whole answer", 64 << 10, 10 << 10, 10 << 10, false},
		{"exactly the limit is whole", 100, 100, 100, false},
		{"one byte over", 100, 101, 100, true},
		{"negative keeps the default", -1, 5 << 10, MaxErrorBodySize, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newScript(t, serveStatus(http.StatusOK, strings.Repeat("x", tt.size), "Content-Type", "application/json"))
			c := NewClient(WithHTTPClient(srv.srv.Client()), WithMaxErrorBodySize(tt.limit))
			_, err := collect(c.Connect(newGet(t, srv.srv.URL)))
			var re *ResponseError
			if !errors.As(err, &re) || !errors.Is(err, ErrNotEventStream) {
				t.Fatalf("Err() = %v, want a *ResponseError for ErrNotEventStream", err)
			}
			got := fmt.Sprintf("%d %v", len(re.Body), re.BodyTruncated)
			if diff := cmp.Diff(fmt.Sprintf("%d %v", tt.wantLen, tt.wantTrunc), got); diff != "" {
				t.Errorf("len(Body) BodyTruncated (-want +got):\n%s", diff)
			}
		})
	}
}

func TestClientContentType(t *testing.T) {
	tests := []struct {
		ct     string
		accept bool
	}{
		{"text/event-stream", true},
		{"text/event-stream; charset=utf-8", true},
		{"Text/Event-Stream;charset=UTF-8", true},
		{"text/event-stream; ;;junk", true},
		{"text/event-stream;=", true},
		{"text/html", false},
		{"application/json", false},
		{"", false},
		{"text/event-streamx", false},
	}
	for _, tt := range tests {
		t.Run(tt.ct, func(t *testing.T) {
			srv := newScript(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header()["Content-Type"] = []string{tt.ct}
				io.WriteString(w, "data: x\n\n")
			}, serveStatus(http.StatusNoContent, ""))
			c := NewClient(WithHTTPClient(srv.srv.Client()), NewFakeClock().Option(), maxAttempts(1))
			evs, err := collect(c.Connect(newGet(t, srv.srv.URL)))
			if tt.accept {
				if len(evs) != 1 || err != nil {
					t.Errorf("got %v, %v; want one event, then the 204", evs, err)
				}
				return
			}
			if !errors.Is(err, ErrNotEventStream) || len(evs) != 0 {
				t.Errorf("got %v, %v; want ErrNotEventStream", evs, err)
			}
			if n := len(srv.requests()); n != 1 {
				t.Errorf("%d requests, want 1: a wrong Content-Type is not retried", n)
			}
		})
	}
}
