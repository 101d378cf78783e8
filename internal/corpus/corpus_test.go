package corpus

import (
	"bytes"
	"io"
	"testing"
)

// tallyOf parses a well-formed corpus (no BOM, no lone CR, no invalid
// UTF-8) the plain way, straight from the standard, and tallies its events.
func tallyOf(data []byte) Tally {
	var t Tally
	var typ, id string
	var buf []byte
	hasData := false
	for len(data) > 0 {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			break // an unterminated last line is discarded
		}
		line := bytes.TrimSuffix(data[:i], []byte("\r"))
		data = data[i+1:]
		if len(line) == 0 {
			if hasData {
				t.Add([]byte(typ), buf[:len(buf)-1], []byte(id))
			}
			typ, buf, hasData = "", buf[:0], false
			continue
		}
		name, value, found := bytes.Cut(line, []byte(":"))
		if found && len(name) == 0 {
			continue
		}
		value = bytes.TrimPrefix(value, []byte(" "))
		switch string(name) {
		case "data":
			buf = append(append(buf, value...), '\n')
			hasData = true
		case "event":
			typ = string(value)
		case "id":
			id = string(value)
		}
	}
	return t
}

func TestCorpora(t *testing.T) {
	for _, c := range []struct {
		c      Corpus
		events int
	}{
		{LLM(1000), 1000},
		{Anthropic(1000), 1000},
		{Big(3), 3},
		{Feed(1000), 1000},
		{Tiny(1000), 1000},
		{Line(100_000), 1},
	} {
		t.Run(c.c.Name, func(t *testing.T) {
			if c.c.Want.Events != c.events {
				t.Errorf("Want.Events = %d, want %d", c.c.Want.Events, c.events)
			}
			if d := c.c.Want.Diff(tallyOf(c.c.Data)); d != "" {
				t.Errorf("the corpus does not hold what its tally says: %s", d)
			}
			if !c.c.Want.Equal(tallyOf(c.c.Data)) {
				t.Errorf("Equal is false for equal tallies")
			}
		})
	}
}

func TestDeterministic(t *testing.T) {
	for _, gen := range []func(int) Corpus{LLM, Anthropic, Big, Feed, Tiny, Line} {
		a, b := gen(100), gen(100)
		if !bytes.Equal(a.Data, b.Data) || !a.Want.Equal(b.Want) {
			t.Errorf("%s: two runs differ", a.Name)
		}
	}
}

func TestShapes(t *testing.T) {
	llm := LLM(10_000)
	avg := llm.Want.DataBytes / int64(llm.Want.Events)
	if avg < 130 || avg > 170 {
		t.Errorf("llm: %d data bytes per event, want about 150", avg)
	}
	if !bytes.HasSuffix(llm.Data, []byte("data: [DONE]\n\n")) {
		t.Errorf("llm: does not end with [DONE]")
	}
	an := Anthropic(1000)
	for _, typ := range []string{"message_start", "content_block_start", "content_block_delta", "content_block_stop", "message_delta", "message_stop", "ping"} {
		if an.Want.Types[typ] == 0 {
			t.Errorf("anthropic: no %s event", typ)
		}
	}
	feed := Feed(1000)
	avg = feed.Want.DataBytes / int64(feed.Want.Events)
	if avg < 250 || avg > 350 {
		t.Errorf("feed: %d data bytes per event, want about 300", avg)
	}
	if feed.Want.IDs != 1000 || feed.Want.LastID != "1000999" {
		t.Errorf("feed: %d IDs, last %q", feed.Want.IDs, feed.Want.LastID)
	}
	if bytes.Count(feed.Data, []byte("\r\n")) != bytes.Count(feed.Data, []byte("\n")) {
		t.Errorf("feed: a line does not end in CRLF")
	}
	big := Big(2)
	if big.Want.DataBytes != 2*(BigLines*BigLineSize+BigLines-1) {
		t.Errorf("big: %d data bytes", big.Want.DataBytes)
	}
}

func TestReader(t *testing.T) {
	data := Tiny(1000).Data
	for _, size := range []int{1, MSS, Read4K, Read32K, 0} {
		r := NewReader(data, size)
		var got []byte
		buf := make([]byte, 64<<10)
		for {
			n, err := r.Read(buf)
			if size > 0 && n > size {
				t.Fatalf("size %d: Read returned %d bytes", size, n)
			}
			got = append(got, buf[:n]...)
			if err == io.EOF {
				break
			}
			if err != nil || n == 0 {
				t.Fatalf("size %d: Read = %d, %v", size, n, err)
			}
		}
		if !bytes.Equal(got, data) {
			t.Errorf("size %d: read back different bytes", size)
		}
	}
}

func TestLoopReader(t *testing.T) {
	data := Tiny(10).Data
	r := NewLoopReader(data, 7)
	var got []byte
	buf := make([]byte, 64)
	for len(got) < 3*len(data) {
		n, err := r.Read(buf)
		if err != nil || n == 0 || n > 7 {
			t.Fatalf("Read = %d, %v", n, err)
		}
		got = append(got, buf[:n]...)
	}
	want := bytes.Repeat(data, 3)
	if !bytes.Equal(got, want) {
		t.Errorf("read back %q, want %q", got, want)
	}
}
