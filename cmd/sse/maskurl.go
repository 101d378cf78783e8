package main

import (
	"net/url"
	"strings"
)

// maskURL returns raw for the terminal: without its user information or
// fragment, and with each query value shown as ***, since URLs often
// carry API keys and signed tokens. A URL that does not parse is shown
// as *** as a whole.
func maskURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "***"
	}
	return maskedURL(u).String()
}

// maskedURL returns a copy of u without user information or fragment,
// with its query values masked; an opaque URL ("//user:pass@host/path")
// loses its user information too.
func maskedURL(u *url.URL) *url.URL {
	m := *u
	m.User = nil
	m.Fragment, m.RawFragment = "", ""
	if rest, ok := strings.CutPrefix(m.Opaque, "//"); ok {
		authority, path, slash := strings.Cut(rest, "/")
		if at := strings.LastIndexByte(authority, '@'); at >= 0 {
			authority = authority[at+1:]
		}
		m.Opaque = "//" + authority
		if slash {
			m.Opaque += "/" + path
		}
	}
	m.RawQuery = maskQuery(m.RawQuery)
	return &m
}

// maskQuery replaces each value of a raw query with ***; a part without
// "=" may be a token itself, and becomes "=***".
func maskQuery(q string) string {
	if q == "" {
		return ""
	}
	parts := strings.Split(q, "&")
	for i, part := range parts {
		name, _, ok := strings.Cut(part, "=")
		if !ok {
			name = ""
		}
		parts[i] = name + "=***"
	}
	return strings.Join(parts, "&")
}
