// Command ssebench measures the Go SSE parsers against each other and
// against floors that bound what any parser can do, checks that each one
// found what the stream holds, and prints the results as Markdown tables.
//
//	cd bench && go run ./cmd/ssebench > results.md
//
// It runs every parser on every corpus of package corpus (llm, anthropic,
// big, feed, tiny) delivered through readers that return at most 4 KiB and
// 32 KiB per Read, and on one 8 MiB single-line event delivered in
// 1460-byte reads. Times are CPU time of the whole process per event,
// medians of several rounds in which every parser runs in turn, so that a
// busy machine slows all of them alike; ratios are to the bufio ReadSlice
// floor measured in the same round. See README.md for how to read the
// tables.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/pprof"
	"strings"
	"time"
)

// options are the command's flags.
type options struct {
	suites   string
	runs     int
	minTime  time.Duration
	timeout  time.Duration
	scale    float64
	parsers  string
	corpora  string
	segments string
	cpuprof  string
}

// suite is one part of the benchmark: it measures something and writes
// its tables.
type suite struct {
	name string
	doc  string
	run  func(w io.Writer, o options) error
}

func suites() []suite {
	return []suite{
		{name: "parse", doc: "every parser on every corpus, from memory through chunked readers", run: runParse},
		{name: "e2e", doc: "every client reading llm over loopback, each in a process of its own", run: runE2E},
		{name: "typed", doc: "LLM chunks decoded into structs: DecodeJSON against openai-go's typed stream", run: runTyped},
		{name: "idle", doc: "1,000 idle streams per client, each client in a process of its own", run: runIdle},
	}
}

func main() {
	runChildIfAsked()
	var o options
	var names []string
	for _, s := range suites() {
		names = append(names, s.name+" ("+s.doc+")")
	}
	flag.StringVar(&o.suites, "suites", "parse,e2e,typed,idle", "comma-separated suites to run: "+strings.Join(names, ", "))
	flag.IntVar(&o.runs, "runs", 5, "timed rounds per measurement; figures are their medians")
	flag.DurationVar(&o.minTime, "mintime", 40*time.Millisecond, "least time of one timed sample; short passes are repeated to fill it")
	flag.DurationVar(&o.timeout, "timeout", time.Minute, "give up on a parser that takes longer than this over one pass")
	flag.Float64Var(&o.scale, "scale", 1, "scale the corpus sizes by this factor, for a quick run")
	flag.StringVar(&o.parsers, "parsers", "", "comma-separated substrings: run only parsers whose name holds one (floors always run)")
	flag.StringVar(&o.corpora, "corpora", "llm,anthropic,big,feed,tiny,line", "comma-separated corpora")
	flag.StringVar(&o.segments, "reads", "4096,32768", "comma-separated largest Read sizes for the corpora other than line, which is read 1460 bytes at a time")
	flag.StringVar(&o.cpuprof, "cpuprofile", "", "write a CPU profile of the whole run to this file")
	flag.Parse()

	if o.cpuprof != "" {
		f, err := os.Create(o.cpuprof)
		if err != nil {
			fmt.Fprintf(os.Stderr, "ssebench: %v\n", err)
			os.Exit(1)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintf(os.Stderr, "ssebench: %v\n", err)
			os.Exit(1)
		}
		defer pprof.StopCPUProfile()
	}

	w := os.Stdout
	writeHeader(w, o)
	for _, s := range suites() {
		if !hasItem(o.suites, s.name) {
			continue
		}
		if err := s.run(w, o); err != nil {
			fmt.Fprintf(os.Stderr, "ssebench: %s: %v\n", s.name, err)
			pprof.StopCPUProfile()
			os.Exit(1)
		}
	}
}

// writeHeader writes when, where and how the tables were made.
func writeHeader(w io.Writer, o options) {
	fmt.Fprintf(w, "# ssebench results\n\n")
	fmt.Fprintf(w, "- date: %s\n", time.Now().UTC().Format("2006-01-02 15:04 MST"))
	fmt.Fprintf(w, "- Go: %s %s/%s, GOMAXPROCS=%d\n", runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.GOMAXPROCS(0))
	fmt.Fprintf(w, "- CPU: %s\n", cpuModel())
	fmt.Fprintf(w, "- command: `%s`\n", strings.Join(append([]string{"ssebench"}, os.Args[1:]...), " "))
	fmt.Fprintf(w, "- %d rounds per figure, medians; times are process CPU time\n\n", o.runs)
}

// cpuModel reads the processor's name and count from /proc/cpuinfo where
// there is one.
func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return fmt.Sprintf("unknown (%d logical CPUs)", runtime.NumCPU())
	}
	model := "unknown"
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			model = strings.TrimSpace(v)
			break
		}
	}
	return fmt.Sprintf("%s (%d logical CPUs)", model, runtime.NumCPU())
}

// hasItem reports whether the comma-separated list holds item.
func hasItem(list, item string) bool {
	for _, s := range strings.Split(list, ",") {
		if strings.TrimSpace(s) == item {
			return true
		}
	}
	return false
}
