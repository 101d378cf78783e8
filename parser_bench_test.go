package sse

import (
	"bufio"
	"fmt"
	"runtime"
	"testing"

	"github.com/ssekit/sse/internal/corpus"
)

// The parser benchmarks read each corpus as one endless stream through a
// reader that returns at most 4 KiB per Read, as a network connection
// does. One op is one pass over the corpus; the parser is warmed up by a
// first pass, which also checks that it finds exactly the events the
// generator wrote, so the figures are those of the steady state.
//
// Each corpus is parsed three ways:
//
//   - Raw: Next and Raw, the zero-copy API;
//   - Event: Next and Event, which copies the event into strings;
//   - ReadSlice: bufio.Reader.ReadSlice('\n') over the same bytes through
//     the same reader, with no other work: the floor that a line-based
//     parser cannot beat. Compare the others to it as ratios.
//
// Besides ns/op, B/s and allocs/op, each reports ns/event and
// allocs/event.
//
//	go test -run='^$' -bench=. -benchmem -count=5 . | benchstat -

// benchCorpora are the corpora of the parser benchmarks: the shapes of
// issue #5's corpora at sizes that keep one pass to a few milliseconds.
func benchCorpora() []corpus.Corpus {
	return []corpus.Corpus{
		corpus.LLM(20_000),
		corpus.Anthropic(20_000),
		corpus.Big(32),
		corpus.Feed(10_000),
		corpus.Tiny(200_000),
	}
}

// BenchmarkParse parses each corpus of benchCorpora through Raw, through
// Event, and splits it with the ReadSlice floor.
func BenchmarkParse(b *testing.B) {
	for _, c := range benchCorpora() {
		b.Run(c.Name, func(b *testing.B) {
			b.Run("Raw", func(b *testing.B) { benchParser(b, c, corpus.Read4K, false) })
			b.Run("Event", func(b *testing.B) { benchParser(b, c, corpus.Read4K, true) })
			b.Run("ReadSlice", func(b *testing.B) { benchReadSlice(b, c, corpus.Read4K) })
		})
	}
}

// BenchmarkLongLine parses one event of a single 1 MiB or 8 MiB data line
// delivered in TCP-segment-sized reads, from a new parser each time, so
// that the buffer's growth counts. A parser that searches its pending
// bytes from the start after each read is quadratic here, eight times
// slower per byte at 8 MiB than at 1 MiB; a linear one spends about the
// same time per byte at both sizes. The ReadSlice floor splits
// the same bytes, continuing after bufio.ErrBufferFull.
func BenchmarkLongLine(b *testing.B) {
	for _, size := range []int{1 << 20, 8 << 20} {
		c := corpus.Line(size)
		b.Run(fmt.Sprintf("%dMiB", size>>20), func(b *testing.B) {
			b.Run("Raw", func(b *testing.B) { benchLongLine(b, c) })
			b.Run("ReadSlice", func(b *testing.B) { benchReadSlice(b, c, corpus.MSS) })
		})
	}
}

// benchParser parses c, read seg bytes at a time, as an endless stream,
// one pass per op, through Event when owned is true and Raw otherwise.
func benchParser(b *testing.B, c corpus.Corpus, seg int, owned bool) {
	p := NewParser(corpus.NewLoopReader(c.Data, seg))
	events := c.Want.Events

	// Warm up with one pass, checking what the parser finds.
	var got corpus.Tally
	for range events {
		if !p.Next() {
			b.Fatalf("the stream ended early: %v", p.Err())
		}
		ev := p.Raw()
		got.Add(ev.Type, ev.Data, ev.ID)
	}
	if d := c.Want.Diff(got); d != "" {
		b.Fatalf("the parser disagrees with the generator: %s", d)
	}

	b.SetBytes(int64(len(c.Data)))
	b.ReportAllocs()
	m := startAllocs()
	var n int64
	for b.Loop() {
		for range events {
			p.Next()
			if owned {
				n += int64(len(p.Event().Data))
			} else {
				n += int64(len(p.Raw().Data))
			}
		}
	}
	reportPerEvent(b, m, events)
	if want := int64(b.N) * c.Want.DataBytes; n != want {
		b.Fatalf("read %d data bytes, want %d", n, want)
	}
}

// benchLongLine parses c, read a TCP segment at a time, from a new parser
// for each op.
func benchLongLine(b *testing.B, c corpus.Corpus) {
	r := corpus.NewReader(c.Data, corpus.MSS)
	b.SetBytes(int64(len(c.Data)))
	b.ReportAllocs()
	m := startAllocs()
	for b.Loop() {
		r.Reset(c.Data, corpus.MSS)
		p := NewParser(r)
		p.SetLimits(2*len(c.Data), 2*len(c.Data))
		if !p.Next() || int64(len(p.Raw().Data)) != c.Want.DataBytes {
			b.Fatalf("the parser did not find the event: %v", p.Err())
		}
	}
	reportPerEvent(b, m, 1)
}

// floorBufSize is the buffer of the ReadSlice floor: large enough that it
// never reads less than the reader offers (bench/parsers uses the same).
const floorBufSize = 64 << 10

// benchReadSlice is the floor: it splits c into lines with a bufio.Reader,
// reading seg bytes at a time, and does nothing else.
func benchReadSlice(b *testing.B, c corpus.Corpus, seg int) {
	br := bufio.NewReaderSize(corpus.NewLoopReader(c.Data, seg), floorBufSize)
	b.SetBytes(int64(len(c.Data)))
	b.ReportAllocs()
	m := startAllocs()
	for b.Loop() {
		for n := 0; n < len(c.Data); {
			line, err := br.ReadSlice('\n')
			if err != nil && err != bufio.ErrBufferFull {
				b.Fatal(err)
			}
			n += len(line)
		}
	}
	reportPerEvent(b, m, c.Want.Events)
}

// startAllocs returns the number of heap allocations so far.
func startAllocs() uint64 {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.Mallocs
}

// reportPerEvent reports ns/event and allocs/event for b.N ops of
// eventsPerOp events each, the allocations counted from start.
func reportPerEvent(b *testing.B, start uint64, eventsPerOp int) {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	events := float64(b.N) * float64(eventsPerOp)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/events, "ns/event")
	b.ReportMetric(float64(ms.Mallocs-start)/events, "allocs/event")
}
