package parsers

import (
	"bytes"
	"io"
	"net/http"

	"github.com/openai/openai-go/v3/packages/ssestream"
	"github.com/ssekit/sse/internal/corpus"
)

// OpenAI is the event stream decoder of github.com/openai/openai-go/v3
// (packages/ssestream), which the SDK's streaming calls use. It takes an
// *http.Response, so the adapter wraps r in one. The decoder keeps the LF
// that ends the last data line, which the standard removes; the adapter
// removes it. The decoder has no notion of event IDs, and its line limit
// is fixed (32 MiB).
func OpenAI() Parser {
	return Parser{Name: "openai-go ssestream", Module: "github.com/openai/openai-go/v3", Kind: Peer,
		Parse: func(r io.Reader, t *corpus.Tally) (Result, error) {
			res := &http.Response{
				StatusCode: http.StatusOK,
				Header:     http.Header{"Content-Type": {"text/event-stream"}},
				Body:       io.NopCloser(r),
			}
			dec := ssestream.NewDecoder(res)
			var out Result
			for dec.Next() {
				ev := dec.Event()
				data := bytes.TrimSuffix(ev.Data, []byte("\n"))
				out.Events++
				out.DataBytes += int64(len(data))
				if t != nil {
					t.Add([]byte(ev.Type), data, nil)
				}
			}
			return out, dec.Err()
		}}
}
