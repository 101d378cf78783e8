package sse

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
)

// ResponseError reports a response that the stream rejected: a status
// other than 200, a Content-Type other than text/event-stream, or a
// failed check of the validator set with [WithValidator]. It holds what a
// caller needs to understand it, such as an API's JSON error body, and its
// message names the server's reason, read from the body.
//
// A 200 response that is not an event stream, such as the JSON answer of
// an MCP server in its JSON response mode, is such an error too: its
// Body holds the answer, whole when it fits in the limit that
// [WithMaxErrorBodySize] sets.
type ResponseError struct {
	StatusCode int         // as http.Response.StatusCode
	Status     string      // as http.Response.Status, e.g. "401 Unauthorized"
	Header     http.Header // the response's headers
	// Body is the response body, as the server sent it, up to the limit
	// set by [WithMaxErrorBodySize], which is [MaxErrorBodySize] by
	// default.
	Body []byte
	// BodyTruncated reports that the body was longer than the limit, so
	// that Body holds only its start.
	BodyTruncated bool
	// Err is why the response was rejected: it wraps ErrUnexpectedStatus,
	// ErrNotEventStream, or the validator's error.
	Err error

	method, url string
	// reason is a short summary of Body for the message, without the
	// request's credentials: made when the error is, so that the error
	// holds no secret.
	reason string
}

// MaxErrorBodySize is how much of a rejected response's body a
// [ResponseError] keeps by default; [WithMaxErrorBodySize] changes it.
const MaxErrorBodySize = 4 << 10

// maxReason bounds the length, in characters, of the server's reason in
// a ResponseError's message.
const maxReason = 200

// Error returns the request's method and masked URL, the status, why the
// response was rejected, and the server's reason: the message of a JSON
// error body ({"error":{"message":…}}, {"error":"…"} or {"message":…}),
// or else the body's first line of text, in at most about 200 characters,
// without control characters, and with the values of the request's
// credentials replaced by "***".
func (e *ResponseError) Error() string {
	var msg string
	if e.Err == ErrUnexpectedStatus {
		msg = fmt.Sprintf("sse: %s %s: unexpected status %s", e.method, e.url, e.Status)
	} else {
		msg = fmt.Sprintf("sse: %s %s: %s: %s", e.method, e.url, e.Status, strings.TrimPrefix(e.Err.Error(), "sse: "))
	}
	if e.reason != "" {
		msg += "; the server said: " + e.reason
	}
	return msg
}

func (e *ResponseError) Unwrap() error { return e.Err }

// ErrUnexpectedStatus is wrapped by the [*ResponseError] of a response
// whose status is not 200 OK.
var ErrUnexpectedStatus = errors.New("sse: unexpected status")

// ErrNotEventStream is wrapped by the [*ResponseError] of a 200
// response whose Content-Type is not text/event-stream.
var ErrNotEventStream = errors.New("sse: response is not an event stream")

// CheckResponse is the default validator of a [Client]: it accepts a
// response with status 200 and a Content-Type of text/event-stream, with
// any parameters, and returns an error that wraps [ErrUnexpectedStatus]
// or [ErrNotEventStream] otherwise.
func CheckResponse(resp *http.Response) error {
	if resp.StatusCode != http.StatusOK {
		return ErrUnexpectedStatus
	}
	ct := resp.Header.Get("Content-Type")
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		// Tolerate junk parameters: the media type is what counts.
		mt, _, _ = strings.Cut(ct, ";")
		mt = strings.ToLower(strings.TrimSpace(mt))
	}
	if mt != "text/event-stream" {
		return fmt.Errorf("%w: its Content-Type is %q; read the answer from ResponseError.Body (WithMaxErrorBodySize keeps more of it), or accept the type with WithValidator if the server sends events under it", ErrNotEventStream, ct)
	}
	return nil
}

// newResponseError returns the error of resp, the response to req that
// the validator rejected with verr, with up to limit bytes of its body
// (MaxErrorBodySize when limit is zero or less). url is req's URL as
// errors show it, its secrets masked.
func newResponseError(req *http.Request, resp *http.Response, verr error, limit int, url string) *ResponseError {
	if limit <= 0 {
		limit = MaxErrorBodySize
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, int64(limit)+1))
	cut := len(body) > limit
	if cut {
		body = body[:limit]
	}
	return &ResponseError{
		StatusCode:    resp.StatusCode,
		Status:        resp.Status,
		Header:        resp.Header,
		Body:          body,
		BodyTruncated: cut,
		Err:           verr,
		method:        req.Method,
		url:           url,
		reason:        summarize(body, credentials(req)),
	}
}

// summarize returns the server's reason in body for an error message:
// the message of a common JSON error shape, or else the first line of
// text; without the values in secrets, without control characters, and
// cut to about maxReason characters.
func summarize(body []byte, secrets []string) string {
	s := reasonOf(body)
	// Secrets go before and after the control characters are removed, so
	// that neither a secret split by one nor one that a cut would halve
	// remains; after, in the form that printable gives them too.
	s = hideSecrets(s, secrets)
	s = printable(s)
	s = hideSecrets(s, secrets)
	for _, secret := range secrets {
		if p := printable(secret); p != secret && len(p) >= minSecret {
			s = strings.ReplaceAll(s, p, "***")
		}
	}
	if r := []rune(s); len(r) > maxReason {
		s = strings.TrimSpace(string(r[:maxReason])) + "…"
	}
	return s
}

// reasonOf finds the server's reason in an error body.
func reasonOf(body []byte) string {
	var shape struct {
		Error   json.RawMessage `json:"error"`
		Message json.RawMessage `json:"message"`
	}
	if json.Unmarshal(body, &shape) == nil {
		var nested struct {
			Message string `json:"message"`
		}
		var text string
		switch {
		case json.Unmarshal(shape.Error, &nested) == nil && nested.Message != "":
			return nested.Message
		case json.Unmarshal(shape.Error, &text) == nil && text != "":
			return text
		case json.Unmarshal(shape.Message, &text) == nil && text != "":
			return text
		}
	}
	for line := range bytes.Lines(body) {
		if line = bytes.TrimSpace(line); len(line) > 0 {
			return string(line)
		}
	}
	return ""
}

// printable returns s as valid UTF-8 without control characters, with
// runs of white space made one space.
func printable(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	space := false
	for _, r := range s {
		switch {
		case r == ' ' || r == '\t' || r == '\n' || r == '\r':
			space = true
		case r < ' ' || (r >= 0x7f && r < 0xa0) || r == '\u2028' || r == '\u2029' ||
			(r >= '\u202a' && r <= '\u202e') || (r >= '\u2066' && r <= '\u2069'):
			// C0, DEL and C1 controls, line separators and bidirectional
			// overrides, which could disguise the rest of a log line.
		default:
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r)
		}
	}
	return b.String()
}
