package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"time"

	"github.com/ssekit/sse/bench/e2e"
	"github.com/ssekit/sse/internal/corpus"
)

// e2eSettings are how the server of the e2e suite sends the corpus: the
// bytes of a net/http handler that flushes every 16 events or every event,
// written ahead of the client so that it runs flat out, and then such a
// handler itself.
func e2eSettings() []e2e.Setting {
	return []e2e.Setting{
		{Flush: 16, Ahead: true},
		{Flush: 1, Ahead: true},
		{Flush: 16},
		{Flush: 1},
	}
}

// e2eEvents is the size of the llm corpus of the e2e suite: five times
// that of the parse suite, so that the fastest client's read lasts about a
// tenth of a second and is timed well.
const e2eEvents = 1_000_000

// idleStreams is how many streams each client of the idle suite holds.
const idleStreams = 1000

// runChildIfAsked makes this process a child of the e2e or idle suite, and
// exits, when the parent started it as one; it returns otherwise.
func runChildIfAsked() {
	if e2e.IsChild() {
		os.Exit(e2e.RunChild(os.Stdout))
	}
}

func e2eConfig(o options) e2e.Config {
	return e2e.Config{
		Clients:  e2e.Select(e2e.All(), o.parsers),
		Runs:     o.runs,
		Timeout:  o.timeout,
		Progress: progress,
	}
}

// runE2E is the e2e suite.
func runE2E(w io.Writer, o options) error {
	progress("generating llm for e2e")
	c := corpus.LLM(max(2, int(e2eEvents*o.scale)))
	settings := e2eSettings()
	res, err := e2e.Throughput(context.Background(), c, settings, e2eConfig(o))
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "## Clients end to end\n\n")
	fmt.Fprintf(w, "A server on 127.0.0.1, in the parent process, streams the llm corpus (%s events, %s) to each client, which reads it to its `[DONE]` event in a child process of its own, with its library's defaults, and is stopped there; the floor reads the body to its end with no parsing. ", commas(int64(c.Want.Events)), sizeString(len(c.Data)))
	fmt.Fprintf(w, "CPU time is the child's, user + system, from the request to `[DONE]`; %d runs, medians; `CPU × floor` is the median of the ratios to the floor in the same run.\n\n", o.runs)
	fmt.Fprintf(w, "*Flat out*: the server sends the bytes that a net/http handler flushing every 16 events (or every event) sends, chunk for chunk, but encoded beforehand and written in 64 KiB writes, so that the client never waits for it: CPU per event is the client's own work, and events/s its top speed. ")
	fmt.Fprintf(w, "*net/http server*: a handler writes and flushes as fast as it can. A client that keeps pace with it then sleeps and is woken for every flush, and pays for that in CPU per event, while a slower client finds several flushes waiting and reads them at once, so there the faster client can show the higher CPU per event and even the lower events/s.\n\n")
	for i, set := range settings {
		writeE2E(w, c, set, res[i])
	}
	writeE2ESummary(w, c, settings, res)
	return nil
}

// writeE2ESummary writes, for each setting, our Client against the floor
// and against the fastest peer.
func writeE2ESummary(w io.Writer, c corpus.Corpus, settings []e2e.Setting, res [][]e2e.Result) {
	fmt.Fprintf(w, "### Summary\n\n")
	fmt.Fprintf(w, "| server | Client Next+Raw CPU × floor | Next+Event CPU × floor | Next+Raw events/s | fastest peer | its events/s | Next+Raw ÷ peer |\n")
	fmt.Fprintf(w, "|---|--:|--:|--:|---|--:|--:|\n")
	events := float64(c.Want.Events)
	rate := func(r e2e.Result) float64 {
		if r.Failed || len(r.Samples) == 0 {
			return 0
		}
		walls := make([]time.Duration, len(r.Samples))
		for i, s := range r.Samples {
			walls[i] = s.Wall
		}
		return events / median(walls).Seconds()
	}
	for i, set := range settings {
		rows := res[i]
		fi := slices.IndexFunc(rows, func(r e2e.Result) bool { return r.Client.Kind == e2e.Floor })
		var raw, ev, rawRate, peerRate float64
		peer := "none finished"
		for _, r := range rows {
			switch {
			case r.Client.Name == e2e.SSEKitRaw().Name && fi >= 0:
				raw, rawRate = e2eRatio(r, rows[fi]), rate(r)
			case r.Client.Name == e2e.SSEKitEvent().Name && fi >= 0:
				ev = e2eRatio(r, rows[fi])
			case r.Client.Kind == e2e.Peer && r.Status == "" && rate(r) > peerRate:
				peer, peerRate = r.Client.Name, rate(r)
			}
		}
		speedup := ""
		if rawRate > 0 && peerRate > 0 {
			speedup = ratioString(rawRate / peerRate)
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s |\n", settingName(set), ratioString(raw), ratioString(ev),
			commas(int64(rawRate)), peer, commas(int64(peerRate)), speedup)
	}
	fmt.Fprintln(w)
}

// settingName describes a setting in a few words.
func settingName(set e2e.Setting) string {
	every := fmt.Sprintf("every %d events", set.Flush)
	if set.Flush == 1 {
		every = "every event"
	}
	if set.Ahead {
		return "flat out, chunks of " + every
	}
	return "net/http, flushing " + every
}

// e2eRatio is the median over runs of r's CPU time over the floor's in the
// same run.
func e2eRatio(r, floor e2e.Result) float64 {
	n := min(len(r.Samples), len(floor.Samples))
	if n == 0 {
		return 0
	}
	rs := make([]float64, n)
	for i := range n {
		rs[i] = float64(r.Samples[i].CPU) / float64(floor.Samples[i].CPU)
	}
	slices.Sort(rs)
	return medianSorted(rs)
}

func writeE2E(w io.Writer, c corpus.Corpus, set e2e.Setting, rows []e2e.Result) {
	events := float64(c.Want.Events)
	fmt.Fprintf(w, "### %s\n\n", settingName(set))
	fmt.Fprintf(w, "| client | correct | events/s | CPU ns/event | wall ns/event | allocs/event | B/event | B/read | CPU × floor |\n")
	fmt.Fprintf(w, "|---|---|--:|--:|--:|--:|--:|--:|--:|\n")
	fi := slices.IndexFunc(rows, func(r e2e.Result) bool { return r.Client.Kind == e2e.Floor })
	for _, r := range rows {
		correct := "✓"
		switch {
		case r.Client.Kind == e2e.Floor && r.Status == "":
			correct = "–"
		case r.Status != "":
			correct = "✗ " + errorString(fmt.Errorf("%s", r.Status))
		}
		if r.Failed || len(r.Samples) == 0 {
			fmt.Fprintf(w, "| %s | %s | | | | | | | |\n", r.Client.Name, correct)
			continue
		}
		var cpus, walls []time.Duration
		var mallocs, bytes uint64
		var reads int64
		for _, s := range r.Samples {
			cpus, walls = append(cpus, s.CPU), append(walls, s.Wall)
			mallocs += s.Mallocs
			bytes += s.Bytes
			reads += s.Reads
		}
		runs := float64(len(r.Samples))
		ratio := ""
		if fi >= 0 {
			ratio = ratioString(e2eRatio(r, rows[fi]))
		}
		perRead := ""
		if reads > 0 {
			perRead = commas(int64(runs) * int64(len(c.Data)) / reads)
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", r.Client.Name, correct,
			commas(int64(events/median(walls).Seconds())),
			sig3(float64(median(cpus).Nanoseconds())/events),
			sig3(float64(median(walls).Nanoseconds())/events),
			allocString(float64(mallocs)/runs/events),
			commas(int64(float64(bytes)/runs/events)),
			perRead, ratio)
	}
	fmt.Fprintln(w)
}

// runIdle is the idle suite.
func runIdle(w io.Writer, o options) error {
	streams := max(10, int(idleStreams*min(o.scale, 1)))
	rows, err := e2e.Idle(context.Background(), streams, e2eConfig(o))
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "## Idle streams\n\n")
	fmt.Fprintf(w, "Each client holds %s streams open at once in a child process of its own; the server, in the parent process, sends each one comment and then nothing. ", commas(int64(streams)))
	fmt.Fprintf(w, "Figures are per stream: what the open streams add to the child's live heap (after collections) and to its goroutine stacks, and goroutines; %d runs, medians. ", o.runs)
	fmt.Fprintf(w, "Each stream is held by a goroutine that sends the request and reads the stream in one function, as a caller writes it (`for s.Next() { use(s.Raw()) }` for ours); the floor is a bare net/http GET whose body that goroutine reads in 4 KiB reads.\n\n")
	fmt.Fprintf(w, "| client | heap B/stream | stack B/stream | heap + stack | over the floor | goroutines/stream |\n")
	fmt.Fprintf(w, "|---|--:|--:|--:|--:|--:|\n")
	fi := slices.IndexFunc(rows, func(r e2e.Result) bool { return r.Client.Kind == e2e.Floor })
	for _, r := range rows {
		if r.Failed || len(r.Idle) == 0 {
			fmt.Fprintf(w, "| %s ✗ %s | | | | | |\n", r.Client.Name, errorString(fmt.Errorf("%s", r.Status)))
			continue
		}
		heap, stack, total, over, gs := idleMedians(r, rows, fi)
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s |\n", r.Client.Name,
			commas(int64(heap)), commas(int64(stack)), commas(int64(total)), signed(over, r.Client.Kind == e2e.Floor), sig3(gs))
	}
	fmt.Fprintln(w)
	return nil
}

// idleMedians returns the medians over runs of r's heap, stack, their sum,
// the sum less the floor's in the same run, and goroutines, per stream.
func idleMedians(r e2e.Result, rows []e2e.Result, fi int) (heap, stack, total, over, goroutines float64) {
	var hs, ss, ts, ovs, gs []float64
	for i, s := range r.Idle {
		hs, ss, gs = append(hs, s.Heap), append(ss, s.Stack), append(gs, s.Goroutines)
		ts = append(ts, s.Heap+s.Stack)
		if fi >= 0 && i < len(rows[fi].Idle) {
			f := rows[fi].Idle[i]
			ovs = append(ovs, s.Heap+s.Stack-f.Heap-f.Stack)
		}
	}
	med := func(xs []float64) float64 {
		if len(xs) == 0 {
			return 0
		}
		slices.Sort(xs)
		return medianSorted(xs)
	}
	return med(hs), med(ss), med(ts), med(ovs), med(gs)
}

// signed writes a difference in bytes with its sign; the floor shows a
// dash.
func signed(x float64, floor bool) string {
	if floor {
		return "–"
	}
	n := int64(math.Round(x))
	if n >= 0 {
		return "+" + commas(n)
	}
	return "−" + commas(-n)
}

// typedEvents is the size of the llm corpus of the typed suite: decoding
// a chunk costs some microseconds, so a fifth of the e2e suite's corpus
// is read as long as the e2e suite's fastest client reads it all.
const typedEvents = 200_000

// typedSettings are the e2e settings with flushes every 16 events: flat
// out and from a net/http handler.
func typedSettings() []e2e.Setting {
	return []e2e.Setting{{Flush: 16, Ahead: true}, {Flush: 16}}
}

// runTyped is the typed suite: each chunk of the llm corpus decoded into
// a struct, by our Client through DecodeJSON and by openai-go's SDK,
// beside the floor and our Client's Next+Event, which makes the strings
// that DecodeJSON decodes.
func runTyped(w io.Writer, o options) error {
	progress("generating llm for typed")
	c := corpus.LLM(max(2, int(typedEvents*o.scale)))
	cfg := e2eConfig(o)
	cfg.Clients = e2e.Select(append([]e2e.Client{e2e.NetHTTP(), e2e.SSEKitEvent()}, e2e.Typed()...), o.parsers)
	settings := typedSettings()
	res, err := e2e.Throughput(context.Background(), c, settings, cfg)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "## Typed LLM chunks\n\n")
	fmt.Fprintf(w, "The e2e suite's server and llm corpus (%s events, %s), each event decoded into a chat-completion chunk struct: ours with `sse.DecodeJSON[e2e.Chunk]` over `Stream.All` (encoding/json, a struct of the API's fields), openai-go's with `client.Chat.Completions.NewStreaming` (its `ChatCompletionChunk`), both sending the same POST. ", commas(int64(c.Want.Events)), sizeString(len(c.Data)))
	fmt.Fprintf(w, "Figures per event, as in the e2e suite; %d runs, medians.\n\n", o.runs)
	for i, set := range settings {
		writeE2E(w, c, set, res[i])
	}
	fmt.Fprintf(w, "### Summary\n\n")
	fmt.Fprintf(w, "| server | DecodeJSON CPU ns/chunk | its allocs/chunk | openai-go CPU ns/chunk | its allocs/chunk | openai-go ÷ DecodeJSON (CPU, same run) |\n")
	fmt.Fprintf(w, "|---|--:|--:|--:|--:|--:|\n")
	for i, set := range settings {
		rows := res[i]
		find := func(name string) (e2e.Result, bool) {
			j := slices.IndexFunc(rows, func(r e2e.Result) bool { return r.Client.Name == name })
			if j < 0 || rows[j].Failed || len(rows[j].Samples) == 0 {
				return e2e.Result{}, false
			}
			return rows[j], true
		}
		ours, ok1 := find(e2e.SSEKitJSON().Name)
		peer, ok2 := find(e2e.OpenAITyped().Name)
		if !ok1 || !ok2 {
			fmt.Fprintf(w, "| %s | | | | | |\n", settingName(set))
			continue
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s |\n", settingName(set),
			sig3(perEvent(ours, c)), allocString(allocsPerEvent(ours, c)),
			sig3(perEvent(peer, c)), allocString(allocsPerEvent(peer, c)),
			ratioString(e2eRatio(peer, ours)))
	}
	fmt.Fprintln(w)
	return nil
}

// perEvent is r's median CPU time per event of c, in nanoseconds.
func perEvent(r e2e.Result, c corpus.Corpus) float64 {
	cpus := make([]time.Duration, len(r.Samples))
	for i, s := range r.Samples {
		cpus[i] = s.CPU
	}
	return float64(median(cpus).Nanoseconds()) / float64(c.Want.Events)
}

// allocsPerEvent is r's mean allocations per event of c.
func allocsPerEvent(r e2e.Result, c corpus.Corpus) float64 {
	var n uint64
	for _, s := range r.Samples {
		n += s.Mallocs
	}
	return float64(n) / float64(len(r.Samples)) / float64(c.Want.Events)
}
