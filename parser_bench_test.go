package sse

import (
	"bufio"
	"fmt"
	"runtime"
	"testing"
	"time"

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
// Besides ns/op, B/s and allocs/op, each reports ns/event, allocs/event
// and cpu-ns/event: the process's CPU time per event, the garbage
// collector's included, which a machine busy with other work inflates far
// less than the wall time of ns/event. Compare ratios to the floor of the
// same run.
//
//	go test -run='^$' -bench='^Benchmark(Parse|LongLine)$' -benchmem -count=5 . | benchstat -

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
// that the buffer's growth counts, with limits of 16 MiB. A parser that
// searches its pending bytes from the start after each read is quadratic
// here, eight times slower per byte at 8 MiB than at 1 MiB; a linear one
// spends about the same time per byte at both sizes. Raw reads the event
// without copying it, Event as a string. The ReadSlice floor splits the
// same bytes, continuing after bufio.ErrBufferFull; ReadSlice+String does
// the same and makes one string of the line's size, the cost of the one
// copy that Event adds to Raw.
func BenchmarkLongLine(b *testing.B) {
	for _, size := range []int{1 << 20, 8 << 20} {
		c := corpus.Line(size)
		b.Run(fmt.Sprintf("%dMiB", size>>20), func(b *testing.B) {
			b.Run("Raw", func(b *testing.B) { benchLongLine(b, c, false) })
			b.Run("Event", func(b *testing.B) { benchLongLine(b, c, true) })
			b.Run("ReadSlice", func(b *testing.B) { benchReadSlice(b, c, corpus.MSS) })
			b.Run("ReadSlice+String", func(b *testing.B) { benchReadSliceString(b, c, corpus.MSS) })
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

// longLineLimit is both limits of BenchmarkLongLine: the defaults, written
// out so that the figures compare across versions whose defaults differ.
const longLineLimit = 16 << 20

// benchLongLine parses c, read a TCP segment at a time, from a new parser
// for each op, through Event when owned is true and Raw otherwise.
func benchLongLine(b *testing.B, c corpus.Corpus, owned bool) {
	r := corpus.NewReader(c.Data, corpus.MSS)
	b.SetBytes(int64(len(c.Data)))
	b.ReportAllocs()
	m := startAllocs()
	for b.Loop() {
		r.Reset(c.Data, corpus.MSS)
		p := NewParser(r)
		p.SetLimits(longLineLimit, longLineLimit)
		if !p.Next() {
			b.Fatalf("the parser did not find the event: %v", p.Err())
		}
		n := len(p.Raw().Data)
		if owned {
			n = len(p.Event().Data)
		}
		if int64(n) != c.Want.DataBytes {
			b.Fatalf("the event has %d bytes of data, want %d", n, c.Want.DataBytes)
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

// benchReadSliceString is the floor of the long line plus one copy: it
// splits c as benchReadSlice does, and makes one string of c's data size.
func benchReadSliceString(b *testing.B, c corpus.Corpus, seg int) {
	br := bufio.NewReaderSize(corpus.NewLoopReader(c.Data, seg), floorBufSize)
	b.SetBytes(int64(len(c.Data)))
	b.ReportAllocs()
	m := startAllocs()
	var s string
	for b.Loop() {
		for n := 0; n < len(c.Data); {
			line, err := br.ReadSlice('\n')
			if err != nil && err != bufio.ErrBufferFull {
				b.Fatal(err)
			}
			n += len(line)
		}
		s = string(c.Data[:c.Want.DataBytes])
	}
	reportPerEvent(b, m, c.Want.Events)
	runtime.KeepAlive(s)
}

// benchStart is where a benchmark's counts start.
type benchStart struct {
	mallocs uint64
	cpu     time.Duration
	cpuOK   bool
}

// startAllocs returns the heap allocations and the CPU time so far.
func startAllocs() benchStart {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	cpu, ok := cpuTime()
	return benchStart{mallocs: ms.Mallocs, cpu: cpu, cpuOK: ok}
}

// reportPerEvent reports ns/event, allocs/event and cpu-ns/event for b.N
// ops of eventsPerOp events each, counted from start.
func reportPerEvent(b *testing.B, start benchStart, eventsPerOp int) {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	cpu, ok := cpuTime()
	events := float64(b.N) * float64(eventsPerOp)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/events, "ns/event")
	b.ReportMetric(float64(ms.Mallocs-start.mallocs)/events, "allocs/event")
	if ok && start.cpuOK {
		b.ReportMetric(float64((cpu-start.cpu).Nanoseconds())/events, "cpu-ns/event")
	}
}
