package sse

import (
	"errors"
	"net/url"
	"strings"
)

// redactURL returns u for an error message or a log line: without its
// user information and fragment, and with every query value replaced by
// "***" (a part without "=" becomes "=***"), since URLs often carry
// credentials such as API keys or signed tokens. The user information of
// an opaque URL ("//user:pass@host/path" in URL.Opaque) goes too.
func redactURL(u *url.URL) string {
	r := *u
	r.User = nil
	r.Fragment, r.RawFragment = "", ""
	s := r.String()
	if r.Opaque != "" && !strings.HasPrefix(r.Opaque, "//") && r.Host != "" {
		// An opaque path, as for a request that must send its path
		// unescaped: name the host that is dialled, which String leaves
		// out.
		s = r.Scheme + "://" + r.Host + strings.TrimPrefix(s, r.Scheme+":")
	}
	return redactURLText(s)
}

// redactURLText masks the secrets of a URL, or of what looks like one,
// written as text: it drops the user information of the authority (before
// an "@" that comes before the path) and the fragment, and masks every
// query value. It needs no valid URL, since the texts it masks are often
// those that did not parse.
func redactURLText(s string) string {
	s, _, _ = strings.Cut(s, "#")
	s, query, hasQuery := strings.Cut(s, "?")
	prefix, rest := "", s
	if i := strings.Index(s, "//"); i >= 0 {
		prefix, rest = s[:i+2], s[i+2:]
	}
	authority := rest
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		authority = rest[:i]
	}
	if at := strings.LastIndexByte(authority, '@'); at >= 0 {
		rest = rest[at+1:]
	}
	s = prefix + rest
	if hasQuery {
		s += "?" + redactQuery(query)
	}
	return s
}

// redactQuery replaces each value of a raw query by "***".
func redactQuery(q string) string {
	parts := strings.Split(q, "&")
	for i, part := range parts {
		name, _, _ := strings.Cut(part, "=")
		if part == name {
			name = "" // a bare value may be a token too
		}
		parts[i] = name + "=***"
	}
	return strings.Join(parts, "&")
}

// redactText masks every URL in an error message: each quoted string and
// each word that holds "//", "?" or "@" goes through redactURLText.
// net/http quotes the URLs that it puts into its errors, such as a
// redirect's Location that does not parse, which may carry the request's
// own query.
func redactText(msg string) string {
	var b strings.Builder
	for i := 0; i < len(msg); {
		c := msg[i]
		switch {
		case c == '"':
			j := closingQuote(msg, i+1)
			b.WriteByte('"')
			b.WriteString(redactWord(msg[i+1 : j]))
			if j < len(msg) {
				b.WriteByte('"')
			}
			i = j + 1
		case c == ' ' || c == '\t' || c == '\n':
			b.WriteByte(c)
			i++
		default:
			j := i
			for j < len(msg) && !strings.ContainsRune(" \t\n\"", rune(msg[j])) {
				j++
			}
			word := msg[i:j]
			trimmed := strings.TrimRight(word, ":;,.)")
			b.WriteString(redactWord(trimmed))
			b.WriteString(word[len(trimmed):])
			i = j
		}
	}
	return b.String()
}

// closingQuote returns the index of the quote that ends a Go-quoted string
// whose text starts at i, or len(s) when none does.
func closingQuote(s string, i int) int {
	for ; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			return i
		}
	}
	return len(s)
}

// redactWord masks w if it may be a URL.
func redactWord(w string) string {
	if strings.ContainsAny(w, "?@") || strings.Contains(w, "//") {
		return redactURLText(w)
	}
	return w
}

// redactError returns the cause inside the *url.Error that http.Client.Do
// returns, whose message would show the URL with its query, with any URL
// in the cause's own message masked too. The result still wraps the
// cause, for errors.Is and errors.As.
func redactError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if msg, masked := err.Error(), redactText(err.Error()); masked != msg {
		return &redactedError{msg: masked, err: err}
	}
	return err
}

// redactedError is an error whose message had URLs masked.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }
