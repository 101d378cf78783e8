package sse

import (
	"errors"
	"net/url"
	"strings"
)

// redactURL returns u for an error message or a log line: without its
// user information and fragment, and with every query value replaced by
// "***" (a part without "=" becomes "=***"), since URLs often carry credentials such as API keys or signed
// tokens.
func redactURL(u *url.URL) string {
	r := *u
	r.User = nil
	r.Fragment, r.RawFragment = "", ""
	if r.RawQuery != "" {
		parts := strings.Split(r.RawQuery, "&")
		for i, part := range parts {
			name, _, _ := strings.Cut(part, "=")
			if part == name {
				name = "" // a bare value may be a token too
			}
			parts[i] = name + "=***"
		}
		r.RawQuery = strings.Join(parts, "&")
	}
	return r.String()
}

// unwrapURLError returns the cause inside the *url.Error that
// http.Client.Do returns, whose message would show the URL with its query.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
