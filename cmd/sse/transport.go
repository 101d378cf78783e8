package main

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// transport sends the stream's requests. It reports a 204, which ends a
// stream, and with -v the request line and the headers of each request
// and response, with credentials, user information and query values
// masked.
type transport struct {
	rt      http.RoundTripper
	w       io.Writer
	verbose bool
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if t.verbose {
		fmt.Fprintf(t.w, "> %s %s %s\n", req.Method, maskedURL(req.URL).RequestURI(), req.Proto)
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
	case n == "location" || n == "content-location" || n == "referer":
		// A redirect can carry a signed token in its query.
		if u, err := url.Parse(value); err == nil {
			return maskedURL(u).String()
		}
		return "***"
	}
	return value
}
