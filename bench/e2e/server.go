package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Server serves, on 127.0.0.1, a corpus as an event stream and idle event
// streams, for the clients that the parent process starts.
//
//	/stream/N  the corpus, as fast as net/http can write it, with a
//	           flush after every N events; then the response ends
//	/ahead/N   the same bytes on the wire, chunk for chunk, but written
//	           ahead of the client in 64 KiB writes, so that the client
//	           never waits for the server
//	/idle      headers and one comment, then nothing until the client
//	           goes or the server closes
//	/warm      a short plain response, to warm a client up
//
// The two corpus paths answer any method, and also below them at
// chat/completions, so that an SDK whose base URL is one of them (such
// as openai-go's, which POSTs a completion request) reads the corpus.
type Server struct {
	// URL is the server's base URL, such as http://127.0.0.1:43210.
	URL string

	data []byte
	ends []int // the offset just past each event's blank line
	srv  *http.Server
	stop chan struct{}
	done chan struct{}

	mu  sync.Mutex
	enc map[int][]byte // the responses of /ahead by flush interval
}

// NewServer starts a Server that streams data, an event stream whose
// events each end with a blank line made of LFs ("\n\n").
func NewServer(data []byte) (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &Server{
		URL:  "http://" + ln.Addr().String(),
		data: data,
		ends: eventEnds(data),
		stop: make(chan struct{}),
		done: make(chan struct{}),
		enc:  make(map[int][]byte),
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/stream/{flush}", s.stream)
	mux.HandleFunc("/stream/{flush}/chat/completions", s.stream)
	mux.HandleFunc("/ahead/{flush}", s.ahead)
	mux.HandleFunc("/ahead/{flush}/chat/completions", s.ahead)
	mux.HandleFunc("/idle", s.idle)
	mux.HandleFunc("/warm", func(w http.ResponseWriter, _ *http.Request) {
		io.WriteString(w, "ok\n")
	})
	s.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		defer close(s.done)
		s.srv.Serve(ln)
	}()
	return s, nil
}

// Close stops the server, ends every stream and waits for it to stop
// accepting connections.
func (s *Server) Close() error {
	close(s.stop)
	err := s.srv.Close()
	<-s.done
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// StreamURL is the URL of the corpus flushed every flush events.
func (s *Server) StreamURL(flush int) string {
	return s.URL + "/stream/" + strconv.Itoa(flush)
}

// AheadURL is the URL of the corpus in chunks of flush events, written
// ahead of the client.
func (s *Server) AheadURL(flush int) string {
	return s.URL + "/ahead/" + strconv.Itoa(flush)
}

// IdleURL is the URL of an idle stream.
func (s *Server) IdleURL() string { return s.URL + "/idle" }

// eventEnds returns the offset just past each "\n\n" in data.
func eventEnds(data []byte) []int {
	var ends []int
	for off := 0; ; {
		i := bytes.Index(data[off:], []byte("\n\n"))
		if i < 0 {
			return ends
		}
		off += i + 2
		ends = append(ends, off)
	}
}

// flushParam returns the flush interval of the request's path, or writes an error
// and returns false.
func flushParam(w http.ResponseWriter, r *http.Request) (int, bool) {
	flush, err := strconv.Atoi(r.PathValue("flush"))
	if err != nil || flush < 1 {
		http.Error(w, "flush must be a positive number of events", http.StatusBadRequest)
		return 0, false
	}
	return flush, true
}

// chunks calls fn with the corpus in pieces of flush events.
func (s *Server) chunks(flush int, fn func([]byte) error) error {
	prev := 0
	for i := flush - 1; prev < len(s.data); i += flush {
		end := len(s.data)
		if i < len(s.ends) {
			end = s.ends[i]
		}
		if err := fn(s.data[prev:end]); err != nil {
			return err
		}
		prev = end
	}
	return nil
}

func (s *Server) stream(w http.ResponseWriter, r *http.Request) {
	flush, ok := flushParam(w, r)
	if !ok {
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	f := w.(http.Flusher)
	s.chunks(flush, func(b []byte) error {
		if _, err := w.Write(b); err != nil {
			return err
		}
		f.Flush()
		return nil
	})
}

// aheadWrite is the size of the writes of /ahead.
const aheadWrite = 64 << 10

// ahead writes the response that /stream writes, chunk for chunk in the
// chunked transfer coding, but encoded before the first byte is sent and
// written in large writes, so that writing costs the server little and
// the client always finds its next bytes already there. The connection
// then closes.
func (s *Server) ahead(w http.ResponseWriter, r *http.Request) {
	flush, ok := flushParam(w, r)
	if !ok {
		return
	}
	resp := s.encoded(flush)
	// A request body left unread when the connection closes would make
	// the kernel reset it, and the client lose the end of the response.
	if _, err := io.Copy(io.Discard, r.Body); err != nil {
		return
	}
	conn, bw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	defer conn.Close()
	if err := bw.Flush(); err != nil {
		return
	}
	for len(resp) > 0 {
		n := min(len(resp), aheadWrite)
		if _, err := conn.Write(resp[:n]); err != nil {
			return
		}
		resp = resp[n:]
	}
}

// encoded returns the whole HTTP/1.1 response of /stream with flushes
// every flush events, as net/http writes it: one chunk per flush.
func (s *Server) encoded(flush int) []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	if b, ok := s.enc[flush]; ok {
		return b
	}
	b := make([]byte, 0, len(s.data)+len(s.data)/100+1024)
	b = append(b, "HTTP/1.1 200 OK\r\n"+
		"Cache-Control: no-cache\r\n"+
		"Connection: close\r\n"+
		"Content-Type: text/event-stream\r\n"+
		"Transfer-Encoding: chunked\r\n\r\n"...)
	s.chunks(flush, func(c []byte) error {
		b = strconv.AppendInt(b, int64(len(c)), 16)
		b = append(b, "\r\n"...)
		b = append(b, c...)
		b = append(b, "\r\n"...)
		return nil
	})
	b = append(b, "0\r\n\r\n"...)
	s.enc[flush] = b
	return b
}

func (s *Server) idle(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	io.WriteString(w, ": open\n\n")
	w.(http.Flusher).Flush()
	select {
	case <-r.Context().Done():
	case <-s.stop:
	}
}

// warm fetches /warm with hc, so that what a first request sets up once
// for the whole process is not counted as a stream's.
func warm(ctx context.Context, hc *http.Client, base string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/warm", nil)
	if err != nil {
		return err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("warm-up: unexpected status %s", resp.Status)
	}
	return nil
}
