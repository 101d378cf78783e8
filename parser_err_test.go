package sse

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestParserErrWhen checks when Err reports the parser's one error: not
// between calls to Next that return events, even once the reader has
// failed with the last bytes; after Next returns false, and on every later
// call; never for io.EOF; and, from a function that Next calls, as soon as
// the reader has failed.
func TestParserErrWhen(t *testing.T) {
	boom := errors.New("boom")
	big := strings.Repeat("x", 200)
	tests := []struct {
		name  string
		input string
		final error
		skip  bool // SkipOversized, with a report that calls Err
		want  []string
	}{
		{
			name:  "reader error with the last bytes",
			input: "data: a\n\ndata: b\n\ndata: cut",
			final: boom,
			want:  []string{"event a, Err <nil>", "event b, Err <nil>", "end, Err boom", "end, Err boom"},
		},
		{
			name:  "io.EOF with the last bytes",
			input: "data: a\n\ndata: b\r",
			final: io.EOF,
			want:  []string{"event a, Err <nil>", "end, Err <nil>", "end, Err <nil>"},
		},
		{
			name:  "skip report after the reader failed",
			input: "data: a\n\ndata: " + big + "\n\ndata: c\n\n",
			final: boom,
			skip:  true,
			want: []string{
				"event a, Err <nil>",
				"skipped, Err boom",
				"event c, Err <nil>",
				"end, Err boom", "end, Err boom",
			},
		},
		{
			name:  "a limit before the reader's error",
			input: "data: a\n\ndata: " + big + "\n\n",
			final: boom,
			want:  []string{"event a, Err <nil>", "end, Err sse: event too large", "end, Err sse: event too large"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := NewParser(&chunkReader{chunks: [][]byte{[]byte(tt.input)}, final: tt.final, withLast: true})
			p.SetLimits(0, 100)
			var got []string
			if tt.skip {
				p.SkipOversized(func(error) { got = append(got, fmt.Sprintf("skipped, Err %v", p.Err())) })
			}
			for p.Next() {
				got = append(got, fmt.Sprintf("event %s, Err %v", p.Event().Data, p.Err()))
			}
			for range 2 {
				err := p.Err()
				if le := (*LimitError)(nil); errors.As(err, &le) {
					err = le.Err
				}
				got = append(got, fmt.Sprintf("end, Err %v", err))
				p.Next()
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
