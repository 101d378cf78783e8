package corpus

import (
	"strconv"
	"strings"
)

// builder writes a corpus and tallies the events it writes.
type builder struct {
	buf  []byte
	want Tally
	id   string // the last event ID in force, as a reader keeps it
	nl   string // the line ending
}

// line appends one line and its ending.
func (b *builder) line(s ...string) {
	for _, part := range s {
		b.buf = append(b.buf, part...)
	}
	b.buf = append(b.buf, b.nl...)
}

// event appends the blank line that ends an event of type typ (empty for
// the default type) and data, and tallies it.
func (b *builder) event(typ, data string) {
	b.buf = append(b.buf, b.nl...)
	b.want.AddString(typ, data, b.id)
}

// corpus returns what b wrote as the corpus called name.
func (b *builder) corpus(name string) Corpus {
	return Corpus{Name: name, Data: b.buf, Want: b.want}
}

// tokenList holds the deltas of the LLM corpora, separated by "|": words
// and word pieces of one to six characters, a few of them with JSON
// escapes or non-ASCII text.
const tokenList = "The| the| a| of| and| to| in| is| that|ing| for| it| with| as| was| on|ed| be| by| at|" +
	" this| from| are|s|,|.| an| or| have| which| model| token| stream| event| data| parse| byte|" +
	" Go| code|\\n|\\n\\n| \\\"|\\\"| —| café| 日本| über|:|;| (|)| 42|1|0| x|ly|er"

// LLM returns n events of an OpenAI chat-completion stream: JSON chunks of
// about 150 bytes, each carrying a delta of one to six characters, the
// last chunk with its finish reason, and "data: [DONE]" as the last event.
// Lines end in LF. n less than 2 counts as 2.
func LLM(n int) Corpus {
	n = max(n, 2)
	b := &builder{nl: "\n", buf: make([]byte, 0, n*170)}
	r := &rng{s: 1}
	tokens := strings.Split(tokenList, "|")
	const head = `{"id":"chatcmpl-B9MBs8","object":"chat.completion.chunk","created":1741569952,"model":"gpt-4o","choices":[{"index":0,"delta":{`
	for i := range n - 1 {
		var data string
		if i == n-2 {
			data = head + `},"finish_reason":"stop"}]}`
		} else {
			data = head + `"content":"` + tokens[r.intn(len(tokens))] + `"},"finish_reason":null}]}`
		}
		b.line("data: ", data)
		b.event("", data)
	}
	b.line("data: [DONE]")
	b.event("", "[DONE]")
	return b.corpus("llm")
}

// Anthropic returns n events of an Anthropic Messages API stream: named
// events message_start, content_block_start, many content_block_delta,
// content_block_stop, message_delta and message_stop, with an "event: ping"
// every 50 events, as the API sends them. Lines end in LF. n less than 6
// counts as 6.
func Anthropic(n int) Corpus {
	n = max(n, 6)
	b := &builder{nl: "\n", buf: make([]byte, 0, n*130)}
	r := &rng{s: 2}
	tokens := strings.Split(tokenList, "|")
	emit := func(typ, data string) {
		b.line("event: ", typ)
		b.line("data: ", data)
		b.event(typ, data)
	}
	emit("message_start", `{"type":"message_start","message":{"id":"msg_01XFDUDYJgAACzvnptvVoYEL","type":"message","role":"assistant","content":[],"model":"claude-sonnet-4-5","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":25,"output_tokens":1}}}`)
	emit("content_block_start", `{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}`)
	for i := 2; i < n-3; i++ {
		if i%50 == 0 {
			emit("ping", `{"type": "ping"}`)
			continue
		}
		emit("content_block_delta", `{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"`+tokens[r.intn(len(tokens))]+`"}}`)
	}
	emit("content_block_stop", `{"type":"content_block_stop","index":0}`)
	emit("message_delta", `{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":`+strconv.Itoa(n)+`}}`)
	emit("message_stop", `{"type":"message_stop"}`)
	return b.corpus("anthropic")
}

// Big line geometry: each event of [Big] has BigLines data lines of
// BigLineSize bytes, 64 KiB of data in all (plus the LFs that join them).
const (
	BigLines    = 64
	BigLineSize = 1 << 10
)

// Big returns n events of 64 KiB of data each, spread over [BigLines] data
// lines of [BigLineSize] printable ASCII bytes, as a server sends a large
// document or a file in one event. Lines end in LF.
func Big(n int) Corpus {
	b := &builder{nl: "\n", buf: make([]byte, 0, n*BigLines*(BigLineSize+7)+n)}
	r := &rng{s: 3}
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	data := make([]byte, 0, BigLines*(BigLineSize+1))
	line := make([]byte, BigLineSize)
	for range n {
		data = data[:0]
		for j := range BigLines {
			for k := range line {
				line[k] = alphabet[r.next()&63]
			}
			b.line("data: ", string(line))
			if j > 0 {
				data = append(data, '\n')
			}
			data = append(data, line...)
		}
		b.event("", string(data))
	}
	return b.corpus("big")
}

// Feed returns n events of a market data feed: each event has an "id" (a
// sequence number), an "event" field and about 300 bytes of JSON data; a
// "retry" field opens the stream and a ": keep-alive" comment follows
// every 16th event. Lines end in CRLF.
func Feed(n int) Corpus {
	b := &builder{nl: "\r\n", buf: make([]byte, 0, n*380)}
	r := &rng{s: 4}
	b.line("retry: 5000")
	b.line()
	types := [...]string{"price", "trade", "quote", "news"}
	symbols := [...]string{"AAPL", "MSFT", "GOOG", "AMZN", "NVDA", "META", "TSLA", "BRK.B"}
	for i := range n {
		id := strconv.Itoa(1_000_000 + i)
		typ := types[i%len(types)]
		px := 100_000 + r.intn(900_000)
		data := `{"seq":` + id + `,"type":"` + typ + `","symbol":"` + symbols[r.intn(len(symbols))] +
			`","exchange":"XNAS","price":` + strconv.Itoa(px/100) + "." + strconv.Itoa(10+px%90) +
			`,"size":` + strconv.Itoa(1+r.intn(5000)) + `,"bid":` + strconv.Itoa(px/100-1) + `.99,"ask":` + strconv.Itoa(px/100) +
			`.01,"ts":"2025-03-10T14:32:` + strconv.Itoa(10+i%50) + `.` + strconv.Itoa(100000+r.intn(900000)) +
			`Z","conditions":["@","F","T"],"tape":"C","venue":{"mic":"XNAS","name":"Nasdaq","country":"US"},"source":"sip","flags":{"odd_lot":false,"halted":false,"late":false}}`
		b.id = id
		b.line("id: ", id)
		b.line("event: ", typ)
		b.line("data: ", data)
		b.event(typ, data)
		if i%16 == 15 {
			b.line(": keep-alive")
			b.line()
		}
	}
	return b.corpus("feed")
}

// Tiny returns n events "data: x", the smallest event that carries data,
// so that the cost per event, not per byte, dominates. Lines end in LF.
func Tiny(n int) Corpus {
	b := &builder{nl: "\n", buf: make([]byte, 0, n*9)}
	for range n {
		b.line("data: x")
		b.event("", "x")
	}
	return b.corpus("tiny")
}

// Line returns a single event whose data is size bytes on one data line,
// the case where a parser that searches its whole pending buffer for a line
// ending after every read takes quadratic time. The line is 6 bytes longer
// than size ("data: "), so a parser needs a line limit above that.
func Line(size int) Corpus {
	b := &builder{nl: "\n", buf: make([]byte, 0, size+8)}
	b.buf = append(b.buf, "data: "...)
	for i := range size {
		b.buf = append(b.buf, 'a'+byte(i%26))
	}
	data := string(b.buf[len("data: "):])
	b.line()
	b.event("", data)
	return b.corpus("line")
}
