package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ssekit/sse/bench/e2e"
	"github.com/ssekit/sse/bench/parsers"
	"github.com/ssekit/sse/internal/corpus"
)

// limit is the largest event and line that every library with a
// configurable limit is told to accept in the timed runs, so that big and
// the 8 MiB line fit. The check with default limits is separate.
const limit = 16 << 20

// slowPass is how long one pass may take before a parser is timed over a
// single pass instead of several rounds.
const slowPass = 2 * time.Second

// job is one corpus delivered through one read size.
type job struct {
	c   corpus.Corpus
	seg int
}

// row is what one parser did on one job.
type row struct {
	p      parsers.Parser
	status string // empty when the parser found exactly what the generator wrote
	failed bool   // it stopped with an error, so it has no figures
	repeat int    // passes per timed sample
	cpu    []time.Duration
	wall   []time.Duration
	allocs uint64 // over all timed passes
	bytes  uint64
	passes int
}

// runParse is the parse suite.
func runParse(w io.Writer, o options) error {
	ps := selectParsers(parsers.All(limit), o.parsers)
	defaults := selectParsers(parsers.All(0), o.parsers)
	fmt.Fprintf(w, "## Parsers\n\n")
	fmt.Fprintf(w, "Every parser reads the whole corpus from memory through a reader that returns at most the given number of bytes per Read. ")
	fmt.Fprintf(w, "Libraries with a size limit are given %s here; the last table checks them with their defaults.\n\n", sizeString(limit))
	var summary []summaryRow
	var defaultChecks []defaultCheck
	for _, name := range strings.Split(o.corpora, ",") {
		c, err := makeCorpus(strings.TrimSpace(name), o.scale)
		if err != nil {
			return err
		}
		segs := []int{corpus.MSS}
		if c.Name != "line" {
			segs = nil
			for _, s := range strings.Split(o.segments, ",") {
				n, err := strconv.Atoi(strings.TrimSpace(s))
				if err != nil || n <= 0 {
					return fmt.Errorf("bad read size %q", s)
				}
				segs = append(segs, n)
			}
		}
		for _, seg := range segs {
			j := job{c: c, seg: seg}
			progress("%s, %s reads: %d parsers", c.Name, sizeString(seg), len(ps))
			rows := measure(j, ps, o)
			writeJob(w, j, rows)
			summary = append(summary, summarize(j, rows))
		}
		defaultChecks = append(defaultChecks, checkDefaults(c, defaults, o))
	}
	writeSummary(w, summary)
	writeDefaults(w, defaults, defaultChecks)
	return nil
}

// selectParsers keeps the floors, the string floor and the parsers whose name holds one of
// the comma-separated substrings in filter; an empty filter keeps all.
func selectParsers(ps []parsers.Parser, filter string) []parsers.Parser {
	if filter == "" {
		return ps
	}
	return slices.DeleteFunc(ps, func(p parsers.Parser) bool {
		if p.Kind == parsers.Floor || p.Kind == parsers.Bound {
			return false
		}
		for _, f := range strings.Split(filter, ",") {
			if f = strings.TrimSpace(f); f != "" && strings.Contains(p.Name, f) {
				return false
			}
		}
		return true
	})
}

// makeCorpus builds a corpus at its full size times scale.
func makeCorpus(name string, scale float64) (corpus.Corpus, error) {
	n := func(full int) int { return max(1, int(float64(full)*scale)) }
	progress("generating %s", name)
	switch name {
	case "llm":
		return corpus.LLM(n(200_000)), nil
	case "anthropic":
		return corpus.Anthropic(n(200_000)), nil
	case "big":
		return corpus.Big(n(2_000)), nil
	case "feed":
		return corpus.Feed(n(100_000)), nil
	case "tiny":
		return corpus.Tiny(n(1_000_000)), nil
	case "line":
		return corpus.Line(8 << 20), nil
	}
	return corpus.Corpus{}, fmt.Errorf("unknown corpus %q", name)
}

// measure checks every parser on j once, then times those that did not
// fail in rounds: in each round every parser runs in turn, so that a
// change in the machine's load falls on all of them alike.
func measure(j job, ps []parsers.Parser, o options) []row {
	rows := make([]row, len(ps))
	rd := &deadlineReader{}
	for i, p := range ps {
		r := &rows[i]
		r.p = p
		var t corpus.Tally
		tally := &t
		if p.Kind == parsers.Floor {
			tally = nil
		}
		rd.reset(j.c.Data, j.seg, o.timeout)
		start := time.Now()
		res, err := p.Parse(rd, tally)
		took := time.Since(start)
		switch {
		case err != nil:
			r.status, r.failed = errorString(err), true
		case p.Kind == parsers.Floor:
			if res.DataBytes != int64(len(j.c.Data)) {
				r.status, r.failed = fmt.Sprintf("read %d bytes, want %d", res.DataBytes, len(j.c.Data)), true
			}
		default:
			r.status = j.c.Want.Diff(t)
		}
		r.repeat = max(1, int(o.minTime/max(took, time.Microsecond))+1)
		if took > slowPass {
			r.repeat = 0 // a single timed pass, in the first round
		}
	}
	// One collection before the rounds, not one per sample: memory that a
	// pass frees is reused by the next, as in a long-running program,
	// instead of going back to the system and costing page faults again.
	runtime.GC()
	for round := range o.runs {
		for i := range rows {
			r := &rows[i]
			if r.failed || (r.repeat == 0 && round > 0) {
				continue
			}
			n := max(r.repeat, 1)
			var m0, m1 runtime.MemStats
			runtime.ReadMemStats(&m0)
			c0, _ := e2e.CPUTime()
			w0 := time.Now()
			for range n {
				rd.reset(j.c.Data, j.seg, o.timeout)
				r.p.Parse(rd, nil)
			}
			wall := time.Since(w0)
			c1, ok := e2e.CPUTime()
			runtime.ReadMemStats(&m1)
			cpu := c1 - c0
			if !ok {
				cpu = wall
			}
			r.cpu = append(r.cpu, cpu/time.Duration(n))
			r.wall = append(r.wall, wall/time.Duration(n))
			r.allocs += m1.Mallocs - m0.Mallocs
			r.bytes += m1.TotalAlloc - m0.TotalAlloc
			r.passes += n
		}
	}
	return rows
}

// floorIndex is the row of the floor named name: ratios refer to the
// ReadSlice floor, and the tables also give them to the IndexByte floor.
func floorIndex(rows []row, name string) int {
	return slices.IndexFunc(rows, func(r row) bool { return r.p.Name == name })
}

// ratio is the median over rounds of r's time over the floor's in the
// same round; a parser timed once is compared with the floor's median.
func ratio(r, floor row) float64 {
	if len(r.cpu) == 0 || len(floor.cpu) == 0 {
		return 0
	}
	if len(r.cpu) != len(floor.cpu) {
		return float64(r.cpu[0]) / float64(median(floor.cpu))
	}
	rs := make([]float64, len(r.cpu))
	for i := range r.cpu {
		rs[i] = float64(r.cpu[i]) / float64(floor.cpu[i])
	}
	slices.Sort(rs)
	return medianSorted(rs)
}

// writeJob writes the table of one job.
func writeJob(w io.Writer, j job, rows []row) {
	events := j.c.Want.Events
	fmt.Fprintf(w, "### %s, %s reads\n\n", j.c.Name, sizeString(j.seg))
	fmt.Fprintf(w, "%s events, %s, %.0f bytes per event.\n\n", commas(int64(events)), sizeString(len(j.c.Data)), float64(len(j.c.Data))/float64(events))
	fmt.Fprintf(w, "| parser | correct | MB/s | ns/event | wall ns/event | allocs/event | B/event | × ReadSlice | × IndexByte |\n")
	fmt.Fprintf(w, "|---|---|--:|--:|--:|--:|--:|--:|--:|\n")
	fi := floorIndex(rows, parsers.ReadSlice().Name)
	ii := floorIndex(rows, parsers.IndexByte().Name)
	for _, r := range rows {
		correct := "✓"
		switch {
		case r.p.Kind == parsers.Floor && !r.failed:
			correct = "–"
		case r.status != "":
			correct = "✗ " + r.status
		}
		if r.failed {
			fmt.Fprintf(w, "| %s | %s | | | | | | | |\n", r.p.Name, correct)
			continue
		}
		cpu := median(r.cpu)
		perEvent := float64(cpu.Nanoseconds()) / float64(events)
		note := ""
		if r.repeat == 0 {
			note = " (one run)"
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s | %s%s | %s |\n", r.p.Name, correct,
			commas(int64(float64(len(j.c.Data))/cpu.Seconds()/1e6)),
			sig3(perEvent),
			sig3(float64(median(r.wall).Nanoseconds())/float64(events)),
			allocString(float64(r.allocs)/float64(r.passes)/float64(events)),
			commas(int64(float64(r.bytes)/float64(r.passes)/float64(events))),
			ratioString(ratio(r, rows[fi])), note, ratioString(ratio(r, rows[ii])))
	}
	fmt.Fprintln(w)
}

// summaryRow condenses one job: our two APIs and the fastest peer, as
// ratios to the floor.
type summaryRow struct {
	job                   job
	raw, event            float64
	eventStrings          float64 // Event over the string floor
	peer                  string
	peerRatio             float64
	peerCorrect, complete bool
}

// summarize condenses the rows of one job for the summary table.
func summarize(j job, rows []row) summaryRow {
	s := summaryRow{job: j, complete: true}
	fi := floorIndex(rows, parsers.ReadSlice().Name)
	si := floorIndex(rows, parsers.Strings().Name)
	for _, r := range rows {
		x := ratio(r, rows[fi])
		switch {
		case r.p.Name == parsers.SSEKitRaw(0).Name:
			s.raw = x
			s.complete = s.complete && !r.failed && r.status == ""
		case r.p.Name == parsers.SSEKitEvent(0).Name:
			s.event = x
			if si >= 0 && !rows[si].failed {
				s.eventStrings = ratio(r, rows[si])
			}
			s.complete = s.complete && !r.failed && r.status == ""
		case r.p.Kind == parsers.Peer && !r.failed && (s.peer == "" || x < s.peerRatio):
			s.peer, s.peerRatio, s.peerCorrect = r.p.Name, x, r.status == ""
		}
	}
	return s
}

// writeSummary writes the summary table.
func writeSummary(w io.Writer, rows []summaryRow) {
	fmt.Fprintf(w, "### Summary\n\n")
	fmt.Fprintf(w, "CPU time per event as a multiple of the bufio ReadSlice floor in the same round (medians), Next+Event as a multiple of the string floor (a minimal parser that makes the same strings), and how many times faster than the fastest peer that finished (✗: that peer's events were not all right).\n\n")
	fmt.Fprintf(w, "| corpus | reads | Next+Raw | Next+Event | Event × string floor | fastest peer | peer × ReadSlice | Raw speed-up | Event speed-up |\n")
	fmt.Fprintf(w, "|---|--:|--:|--:|--:|---|--:|--:|--:|\n")
	for _, s := range rows {
		mark := ""
		if !s.complete {
			mark = " ✗"
		}
		peer, pr, su1, su2 := "none finished", "", "", ""
		if s.peer != "" {
			peer = s.peer
			if !s.peerCorrect {
				peer += " ✗"
			}
			pr = ratioString(s.peerRatio)
			if s.raw > 0 && s.event > 0 {
				su1, su2 = ratioString(s.peerRatio/s.raw), ratioString(s.peerRatio/s.event)
			}
		}
		fmt.Fprintf(w, "| %s%s | %s | %s | %s | %s | %s | %s | %s | %s |\n", s.job.c.Name, mark, sizeString(s.job.seg),
			ratioString(s.raw), ratioString(s.event), ratioString(s.eventStrings), peer, pr, su1, su2)
	}
	fmt.Fprintln(w)
}

// defaultCheck is how each parser fared on one corpus with its library's
// default limits.
type defaultCheck struct {
	corpus string
	status []string
}

// checkDefaults runs, once, each parser whose library has a configurable
// limit with that limit at its default, through 32 KiB reads (1460-byte
// reads for line).
func checkDefaults(c corpus.Corpus, defaults []parsers.Parser, o options) defaultCheck {
	seg := corpus.Read32K
	if c.Name == "line" {
		seg = corpus.MSS
	}
	progress("%s: checking default limits", c.Name)
	dc := defaultCheck{corpus: c.Name}
	rd := &deadlineReader{}
	for _, p := range defaults {
		if p.Kind == parsers.Floor || !p.HasLimit {
			dc.status = append(dc.status, "")
			continue
		}
		var t corpus.Tally
		rd.reset(c.Data, seg, o.timeout)
		_, err := p.Parse(rd, &t)
		switch {
		case err != nil:
			dc.status = append(dc.status, "✗ "+errorString(err))
		case c.Want.Diff(t) != "":
			dc.status = append(dc.status, "✗ "+c.Want.Diff(t))
		default:
			dc.status = append(dc.status, "✓")
		}
	}
	return dc
}

// writeDefaults writes the table of the checks with default limits.
func writeDefaults(w io.Writer, defaults []parsers.Parser, checks []defaultCheck) {
	fmt.Fprintf(w, "### With default limits\n\n")
	fmt.Fprintf(w, "The tables above raise every configurable limit to %s. With each library's defaults (libraries without a limit behave as above):\n\n", sizeString(limit))
	fmt.Fprintf(w, "| parser |")
	for _, c := range checks {
		fmt.Fprintf(w, " %s |", c.corpus)
	}
	fmt.Fprintf(w, "\n|---|")
	for range checks {
		fmt.Fprintf(w, "---|")
	}
	fmt.Fprintln(w)
	for i, p := range defaults {
		if p.Kind == parsers.Floor || !p.HasLimit {
			continue
		}
		fmt.Fprintf(w, "| %s |", p.Name)
		for _, c := range checks {
			fmt.Fprintf(w, " %s |", c.status[i])
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w)
}

// errGaveUp stops a parser that takes longer than the time limit.
var errGaveUp = errors.New("gave up: one pass took longer than the time limit")

// deadlineReader is a corpus.Reader that fails once a deadline has passed,
// so that a parser that goes quadratic cannot stall the benchmark.
type deadlineReader struct {
	r        corpus.Reader
	deadline time.Time
	reads    int
}

// reset makes d read data from the start, seg bytes at a time, until
// timeout from now.
func (d *deadlineReader) reset(data []byte, seg int, timeout time.Duration) {
	d.r.Reset(data, seg)
	d.deadline = time.Now().Add(timeout)
	d.reads = 0
}

// Read reads from the corpus, or fails with errGaveUp once the deadline
// has passed (checked every 1,024 reads).
func (d *deadlineReader) Read(p []byte) (int, error) {
	d.reads++
	if d.reads%1024 == 0 && time.Now().After(d.deadline) {
		return 0, errGaveUp
	}
	return d.r.Read(p)
}

// progress reports what the command is doing on standard error.
func progress(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "ssebench: "+format+"\n", args...)
}

// errorString shortens an error for a table cell.
func errorString(err error) string {
	s := strings.ReplaceAll(err.Error(), "|", "/")
	if len(s) > 90 {
		s = s[:87] + "..."
	}
	return s
}
