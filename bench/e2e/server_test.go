package e2e

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ssekit/sse/internal/corpus"
)

// rawBody sends a GET for path over a plain connection and returns the
// response's body as it came over the wire, in the chunked coding.
func rawBody(t *testing.T, srv *Server, path string) []byte {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	io.WriteString(conn, "GET "+path+" HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
	all, err := io.ReadAll(bufio.NewReader(conn))
	if err != nil {
		t.Fatal(err)
	}
	_, body, ok := bytes.Cut(all, []byte("\r\n\r\n"))
	if !ok {
		t.Fatalf("%s: no end of headers in %q", path, all)
	}
	return body
}

func TestAheadSendsWhatTheHandlerSends(t *testing.T) {
	c := corpus.LLM(1000)
	srv, err := NewServer(c.Data)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	for _, flush := range []int{1, 16, 7} {
		live := rawBody(t, srv, strings.TrimPrefix(srv.StreamURL(flush), srv.URL))
		ahead := rawBody(t, srv, strings.TrimPrefix(srv.AheadURL(flush), srv.URL))
		if !bytes.Equal(live, ahead) {
			t.Errorf("flush %d: /ahead sent %d bytes that differ from the handler's %d", flush, len(ahead), len(live))
		}
		if n := bytes.Count(live, []byte("\r\n")); n < 2*(1000/flush) {
			t.Errorf("flush %d: %d CRLFs, fewer than two per chunk", flush, n)
		}
	}
}

func TestClientsReadTheCorpus(t *testing.T) {
	c := corpus.LLM(2000)
	srv, err := NewServer(c.Data)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	content, err := ContentBytes(c)
	if err != nil {
		t.Fatal(err)
	}
	if content == 0 {
		t.Fatal("the corpus has no content")
	}
	want := wanted{events: c.Want.Events, dataBytes: c.Want.DataBytes, content: content}
	hc := &http.Client{Transport: &http.Transport{}}
	for _, cl := range append(All(), Typed()...) {
		for _, url := range []string{srv.StreamURL(16), srv.AheadURL(1)} {
			got, err := cl.Stream(ctx, hc, url)
			if err != nil {
				t.Errorf("%s, %s: %v", cl.Name, url, err)
				continue
			}
			if d := want.diff(cl, len(c.Data), got); d != "" {
				t.Errorf("%s, %s: %s", cl.Name, url, d)
			}
		}
	}
}
