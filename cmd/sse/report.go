package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"time"

	"github.com/ssekit/sse"
)

// reportError writes why the stream failed on stderr: what happened, the
// start of the body of a rejected response (where APIs put their JSON
// error), and a hint of what to do, when there is one.
//
// The words are the command's own: the library's messages advise Go
// options, where a user of sse needs a flag, so the causes are told apart
// with errors.Is and errors.As, and every hint names a flag.
//
// lastID is the stream's last event ID, which an error about it names.
func reportError(w io.Writer, err error, o *options, lastID string) {
	msg := "sse: " + strings.TrimPrefix(message(err, o, lastID), "sse: ")
	fmt.Fprintln(w, msg)
	var re *sse.ResponseError
	if errors.As(err, &re) {
		body := strings.ToValidUTF8(string(bytes.TrimSpace(re.Body)), "\uFFFD")
		body = maskSecrets(body, o)
		// The message may quote a short body whole, as "the server said".
		if body != "" && !strings.HasSuffix(msg, ": "+body) {
			cut := ""
			if re.BodyTruncated {
				cut = fmt.Sprintf(" (its first %s)", formatSize(len(re.Body)))
			}
			fmt.Fprintf(w, "response body%s:\n%s\n", cut, body)
		}
	}
	for _, h := range hints(err, o) {
		fmt.Fprintln(w, "hint: "+h)
	}
}

// message says what err is, in the command's words where the library's
// would name a Go API.
func message(err error, o *options, lastID string) string {
	var (
		rerr *sse.RetryError
		re   *sse.ResponseError
		le   *sse.LimitError
	)
	switch {
	case errors.As(err, &rerr):
		attempts := "attempts"
		if rerr.Attempts == 1 {
			attempts = "attempt"
		}
		return fmt.Sprintf("gave up reconnecting after %d failed %s in %v: %s",
			rerr.Attempts, attempts, rerr.Elapsed.Round(time.Millisecond), strings.TrimPrefix(message(rerr.Err, o, lastID), "sse: "))
	case errors.As(err, &re) && errors.Is(re.Err, sse.ErrNotEventStream):
		return fmt.Sprintf("%s %s: %s: the response is not an event stream: its Content-Type is %q",
			requestMethod(o), maskURL(o.url), re.Status, re.Header.Get("Content-Type"))
	case errors.As(err, &re):
		return re.Error()
	case errors.As(err, &le):
		return limitMessage(le, o)
	case errors.Is(err, sse.ErrIdleTimeout):
		return fmt.Sprintf("idle timeout: no data for %v, so the connection was taken for dead", o.idleTimeout)
	case errors.Is(err, sse.ErrInvalidLastEventID):
		why := fmt.Sprintf("it is %d bytes long, and sse sends back at most %d", len(lastID), sse.MaxEventIDSize)
		if len(lastID) <= sse.MaxEventIDSize {
			why = strings.TrimPrefix(sse.CheckEventID(lastID).Error(), sse.ErrInvalidLastEventID.Error()+": ")
		}
		return "the stream cannot resume, since a Last-Event-ID header cannot carry the server's last event ID: " + why
	}
	return plainMessage(err)
}

// plainMessage returns err's message without the advice that the library
// adds in parentheses at the end of a message it wraps, such as the
// option that sends a POST again: that advice is for a Go program, and
// [hint] gives the flag instead.
func plainMessage(err error) string {
	msg := err.Error()
	for inner := errors.Unwrap(err); inner != nil; inner = errors.Unwrap(inner) {
		im := inner.Error()
		if rest, ok := strings.CutPrefix(msg, im); ok && strings.HasPrefix(rest, " (") && strings.HasSuffix(rest, ")") {
			msg = im
		}
	}
	return msg
}

// limitMessage says which limit err, a *sse.LimitError, exceeded, in
// terms of --max-size.
func limitMessage(err error, o *options) string {
	var le *sse.LimitError
	if !errors.As(err, &le) {
		return err.Error()
	}
	what := "a line"
	if errors.Is(le, sse.ErrEventTooLarge) {
		what = "an event"
	}
	flag := ""
	if o.maxSize > 0 {
		flag = "--max-size "
	}
	return fmt.Sprintf("%s exceeds the limit of %s%s", what, flag, formatSize(le.Limit))
}

// hints suggest what to do about err, each naming a flag.
func hints(err error, o *options) []string {
	var re *sse.ResponseError
	switch {
	case errors.Is(err, sse.ErrGaveUp):
		return []string{"raise --max-retries, or leave it out to keep trying"}
	case errors.Is(err, sse.ErrNotEventStream) && errors.As(err, &re):
		mt := mediaType(re.Header.Get("Content-Type"))
		if mt == "application/json" || strings.HasSuffix(mt, "+json") {
			// The answer itself, which no parser would read events from:
			// an API that streams only when asked, or an MCP server's
			// JSON response mode.
			return []string{"the server answered with one JSON document, shown above, instead of a stream: check the URL, and whether the API needs to be asked to stream (as with \"stream\": true in -d)"}
		}
		return []string{fmt.Sprintf("check the URL, and whether the API needs to be asked to stream (as with \"stream\": true in -d); to read this response as an event stream anyway, add --accept-type %s", mt)}
	case errors.Is(err, sse.ErrLineTooLong), errors.Is(err, sse.ErrEventTooLarge):
		return []string{"raise the limit with --max-size, or skip such events with --skip-oversized"}
	case errors.Is(err, sse.ErrInvalidLastEventID):
		h := "the server's IDs need fixing; to go on meanwhile, start from an ID of your choice with --last-event-id"
		if o.state != "" {
			h += ", after removing the --state file " + o.state
		}
		return []string{h}
	case errors.As(err, &re) && !transient(re.StatusCode):
		switch re.StatusCode {
		case http.StatusUnauthorized, http.StatusForbidden:
			return []string{"the server refused the credentials: check them, and send them with -H 'Authorization: Bearer ...' or the header the API names"}
		case http.StatusNotFound, http.StatusGone:
			return []string{"check the URL; -v shows the request line and headers that sse sends"}
		case http.StatusMethodNotAllowed:
			return []string{"the server does not take this method here: set it with -X (without -d the method is GET, with -d it is POST)"}
		case http.StatusBadRequest, http.StatusUnprocessableEntity, http.StatusUnsupportedMediaType:
			return []string{"the server rejected the request: check the body (-d) and its Content-Type (-H)"}
		}
		return nil
	}
	// A failure that another attempt may mend.
	var hs []string
	switch {
	case errors.Is(err, sse.ErrIdleTimeout):
		hs = append(hs, "raise --idle-timeout, or set it to 0 to wait for ever")
	case errors.Is(err, syscall.ECONNREFUSED) && o.noReconnect:
		return []string{"nothing listens at that address: check the host and port, or leave out --no-reconnect so that sse waits for the server to start"}
	}
	switch {
	case o.noReconnect:
		hs = append(hs, "leave out --no-reconnect to let sse reconnect after a failure")
	case !o.retryPost && !o.reopen && !idempotent(o):
		hs = append(hs, fmt.Sprintf("a %s is sent once, since sending it again could repeat its work; add --retry-post to send it again after a failure", requestMethod(o)))
	}
	return hs
}

// transient reports whether a response with status code may be gone on a
// later attempt, as the library's retry policy judges it.
func transient(code int) bool {
	return code == http.StatusRequestTimeout || code == http.StatusTooManyRequests || code >= 500
}

// requestMethod returns the method of o's request.
func requestMethod(o *options) string {
	switch {
	case o.method != "":
		return o.method
	case o.hasData:
		return http.MethodPost
	}
	return http.MethodGet
}

// idempotent reports whether the library sends o's request again after a
// failure without --retry-post: its method is idempotent, or it has an
// Idempotency-Key header.
func idempotent(o *options) bool {
	switch requestMethod(o) {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace, http.MethodPut, http.MethodDelete:
		return true
	}
	for _, h := range o.headers {
		name, _, _ := strings.Cut(h, ":")
		if strings.EqualFold(name, "Idempotency-Key") || strings.EqualFold(name, "X-Idempotency-Key") {
			return true
		}
	}
	return false
}

// maskSecrets replaces in text, such as a response body that echoes the
// key it refused, the credentials that o sends: the values of credential
// headers and of the URL's query and user information.
func maskSecrets(text string, o *options) string {
	var secrets []string
	for _, h := range o.headers {
		name, value, _ := strings.Cut(h, ":")
		value = strings.TrimSpace(value)
		if maskHeader(name, value) == value {
			continue
		}
		secrets = append(secrets, value)
		if _, token, ok := strings.Cut(value, " "); ok {
			secrets = append(secrets, token)
		}
	}
	if u, err := url.Parse(o.url); err == nil {
		if p, ok := u.User.Password(); ok {
			secrets = append(secrets, p)
		}
		for _, vs := range u.Query() {
			secrets = append(secrets, vs...)
		}
	}
	for _, s := range secrets {
		if len(s) >= 4 { // masking "1" or "yes" would garble the text
			text = strings.ReplaceAll(text, s, "***")
		}
	}
	return text
}
