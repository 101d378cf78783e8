package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"syscall"

	"github.com/ssekit/sse"
)

// reportError writes why the stream failed on stderr: the error, the
// start of the body of a rejected response (where APIs put their JSON
// error), and a hint of what to do, when there is one.
func reportError(w io.Writer, err error) {
	msg := err.Error()
	if !strings.HasPrefix(msg, "sse: ") {
		msg = "sse: " + msg
	}
	fmt.Fprintln(w, msg)
	var re *sse.ResponseError
	if errors.As(err, &re) {
		if body := bytes.TrimSpace(re.Body); len(body) > 0 {
			fmt.Fprintf(w, "response body:\n%s\n", strings.ToValidUTF8(string(body), "\uFFFD"))
		}
	}
	if h := hint(err); h != "" {
		fmt.Fprintln(w, "hint: "+h)
	}
}

// hint suggests what to do about err, or returns "".
func hint(err error) string {
	var re *sse.ResponseError
	switch {
	case errors.Is(err, sse.ErrGaveUp):
		return "raise --max-retries, or leave it out to keep trying"
	case errors.Is(err, sse.ErrNotEventStream):
		return "the server did not answer with an event stream (Content-Type: text/event-stream): check the URL, and whether the API needs to be asked to stream (as with \"stream\": true in the body)"
	case errors.As(err, &re):
		switch re.StatusCode {
		case http.StatusUnauthorized, http.StatusForbidden:
			return "the server refused the credentials: check them, and send them with -H 'Authorization: Bearer ...' or the header the API names"
		case http.StatusNotFound, http.StatusGone:
			return "check the URL"
		case http.StatusMethodNotAllowed:
			return "the server does not take this method here: set it with -X (without -d the method is GET, with -d it is POST)"
		case http.StatusBadRequest, http.StatusUnprocessableEntity, http.StatusUnsupportedMediaType:
			return "the server rejected the request: check the body (-d) and its Content-Type (-H)"
		}
	case errors.Is(err, sse.ErrIdleTimeout):
		return "raise --idle-timeout, or set it to 0 to wait for ever"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "nothing listens at that address: is the server running, and is the port right?"
	}
	return ""
}
