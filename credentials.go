package sse

import (
	"cmp"
	"encoding/base64"
	"net/http"
	"slices"
	"strings"
)

// minSecret is the length below which a credential is not removed from a
// server's reason: so short a value cannot be told from ordinary words,
// and no real key or token is so short.
const minSecret = 4

// credentials returns the values in req that an error message must not
// repeat, longest first: the credential headers (Authorization and
// Proxy-Authorization, also the token after their scheme and the parts of
// a Basic pair; each cookie of Cookie; any header whose name speaks of a
// key, token, secret, session, password, signature or auth), the user
// information of the URL, and every query value.
func credentials(req *http.Request) []string {
	var out []string
	add := func(v string) {
		if v = strings.TrimSpace(v); len(v) >= minSecret {
			out = append(out, v)
		}
	}
	for name, values := range req.Header {
		lower := strings.ToLower(name)
		for _, v := range values {
			headerSecrets(lower, v, add)
		}
	}
	if u := req.URL; u != nil {
		if u.User != nil {
			add(u.User.Username())
			pass, _ := u.User.Password()
			add(pass)
		}
		for _, values := range u.Query() {
			for _, v := range values {
				add(v)
			}
		}
	}
	slices.SortFunc(out, func(a, b string) int { return cmp.Or(len(b)-len(a), strings.Compare(a, b)) })
	return slices.Compact(out)
}

// headerSecrets passes to add the secrets in the value v of a header
// whose lower-case name is lower: the whole value of a credential header,
// and the parts of the Authorization schemes and of a Cookie.
func headerSecrets(lower, v string, add func(string)) {
	switch {
	case lower == "authorization" || lower == "proxy-authorization":
		add(v)
		scheme, token, _ := strings.Cut(strings.TrimSpace(v), " ")
		add(token)
		if strings.EqualFold(scheme, "basic") {
			if pair, err := base64.StdEncoding.DecodeString(strings.TrimSpace(token)); err == nil {
				user, pass, _ := strings.Cut(string(pair), ":")
				add(string(pair))
				add(user)
				add(pass)
			}
		}
	case lower == "cookie":
		add(v)
		for _, c := range strings.Split(v, ";") {
			_, value, _ := strings.Cut(c, "=")
			add(value)
		}
	case credentialHeader(lower):
		add(v)
	}
}

// credentialHeader reports whether a header, by its lower-case name, is
// likely to carry a credential, as X-Api-Key, Api-Key or X-Auth-Token do.
func credentialHeader(lower string) bool {
	for _, word := range []string{"key", "token", "secret", "session", "password", "signature", "auth"} {
		if strings.Contains(lower, word) {
			return true
		}
	}
	return false
}

// hideSecrets replaces each of secrets in s with "***".
func hideSecrets(s string, secrets []string) string {
	for _, secret := range secrets {
		s = strings.ReplaceAll(s, secret, "***")
	}
	return s
}
