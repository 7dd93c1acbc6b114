package benchtable

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// Report is everything Render needs.
type Report struct {
	Machine Machine
	Command string // the command that produced the report
	Plan    []*Invocation
	Set     *Set
	// Notes is the hand-written part of the file (see HandWritten), which
	// follows the report; "" if there is none.
	Notes string
}

// busyLoad is the load of other processes, in CPUs, above which the
// report warns that parallel figures are understated.
const busyLoad = 0.25

// target is one goal of a section and whether the run met it.
type target struct {
	What string
	Got  string
	Met  int // 1 met, -1 missed, 0 not measured
}

func (t target) verdict() string {
	switch t.Met {
	case 1:
		return "✅ met"
	case -1:
		return "❌ missed"
	}
	return "not measured"
}

func check(what string, got string, ok, measured bool) target {
	t := target{What: what, Got: got}
	switch {
	case !measured:
		t.Got = "—"
	case ok:
		t.Met = 1
	default:
		t.Met = -1
	}
	return t
}

// section is one benchmark's part of the report.
type section struct {
	Title   string
	Funcs   []string // the benchmark functions it shows
	Body    string   // what is measured, and the tables
	Targets []target
}

// Render returns the Markdown report.
func Render(r Report) string {
	var b strings.Builder
	m := r.Machine
	procs := m.Procs
	if procs == 0 {
		procs = m.NumCPU
	}
	sections := []section{
		mapInts(r.Set), submitGet(r.Set), cpuBound(r.Set, procs),
		nestedSection(r.Set, procs), stream(r.Set), progressSection(r.Set),
	}
	sections = append(sections, clusterSections(r.Set)...)

	b.WriteString("# shoal benchmarks\n\n")
	b.WriteString("shoal against the Go libraries people use instead: " +
		"[errgroup](https://pkg.go.dev/golang.org/x/sync/errgroup), " +
		"[conc](https://pkg.go.dev/github.com/sourcegraph/conc), " +
		"[pond v2](https://pkg.go.dev/github.com/alitto/pond/v2) and " +
		"[ants v2](https://pkg.go.dev/github.com/panjf2000/ants/v2). " +
		"The benchmarks are in [`bench/`](bench/), a module of its own so that none of these enters shoal's `go.mod`. " +
		"The sections whose titles start with Cluster compare shoal on a cluster of 2 worker processes " +
		"(package [`cluster`](cluster/), on NATS JetStream) with shoal on a local pool, side by side in the same run.\n\n")
	fmt.Fprintf(&b, "This file was written by one command, run from the repository root:\n\n```sh\n%s\n```\n\n", r.Command)
	if r.Notes != "" {
		b.WriteString("The command keeps the [notes written by hand](#notes-written-by-hand) at the end of the file as they were: " +
			"they explain the targets missed here and add measurements that no benchmark below produces.\n\n")
	}
	b.WriteString("Each figure is the median of the runs of a `go test` command listed under [Commands](#commands) " +
		"(`-count 5` unless noted); ±p% is the largest distance of a run from that median. " +
		"Every comparison is between rows of the same run of the command, and speedups and overhead ratios come " +
		"from runs timed one after the other inside the same benchmark iterations: " +
		"the machine may be shared and noisy, so absolute times move from run to run, ratios much less.\n\n")

	b.WriteString("## Machine\n\n| | |\n| --- | --- |\n")
	fmt.Fprintf(&b, "| date | %s |\n", m.Date.Format("2006-01-02 15:04 MST"))
	fmt.Fprintf(&b, "| CPUs (`nproc`) | %d |\n", m.NumCPU)
	fmt.Fprintf(&b, "| GOMAXPROCS | %d |\n", m.Procs)
	if cpu := m.Header["cpu"]; cpu != "" {
		fmt.Fprintf(&b, "| CPU | %s |\n", cpu)
	}
	fmt.Fprintf(&b, "| Go | `%s` |\n", m.GoVersion)
	fmt.Fprintf(&b, "| OS | %s |\n", m.Kernel)
	fmt.Fprintf(&b, "| load average (1, 5, 15 min) before → after | %s → %s |\n\n", m.LoadBefore, m.LoadAfter)

	invs := map[string]*Invocation{}
	for _, inv := range r.Plan {
		invs[inv.Func] = inv
	}
	// otherLoad is the most CPUs other processes kept busy while a
	// section's benchmarks ran, or -1 if unknown.
	otherLoad := func(s section) float64 {
		load := -1.0
		for _, f := range s.Funcs {
			if inv := invs[f]; inv != nil {
				load = max(load, inv.OtherLoad)
			}
		}
		return load
	}

	b.WriteString("## Targets\n\n")
	fmt.Fprintf(&b, "The last column is how many CPUs other processes kept busy, on average, while the benchmark ran: "+
		"above %.2f, parallel speedups are understated, since shoal and its peers then share the cores with them.\n\n", busyLoad)
	b.WriteString("| benchmark | target | measured | | CPUs busy with other processes |\n| --- | --- | --- | --- | --- |\n")
	for _, s := range sections {
		load := "unknown"
		if l := otherLoad(s); l >= 0 {
			load = fmt.Sprintf("%.2f", l)
		}
		for _, t := range s.Targets {
			fmt.Fprintf(&b, "| [%s](#%s) | %s | %s | %s | %s |\n", s.Title, anchor(s.Title), t.What, t.Got, t.verdict(), load)
		}
	}
	b.WriteString("\n")
	for _, s := range sections {
		fmt.Fprintf(&b, "## %s\n\n%s\n", s.Title, s.Body)
		if l := otherLoad(s); l > busyLoad {
			fmt.Fprintf(&b, "⚠️ Other processes kept %.2f CPUs busy on average while this ran: "+
				"the parallel rows shared the cores with them, so their speedups are understated.\n\n", l)
		}
		if len(s.Targets) > 0 {
			b.WriteString("| target | measured | |\n| --- | --- | --- |\n")
			for _, t := range s.Targets {
				fmt.Fprintf(&b, "| %s | %s | %s |\n", t.What, t.Got, t.verdict())
			}
			b.WriteString("\n")
		}
		for _, f := range s.Funcs {
			inv := invs[f]
			if inv == nil {
				fmt.Fprintf(&b, "`%s` was not run.\n\n", f)
				continue
			}
			if inv.Err != nil {
				fmt.Fprintf(&b, "**`%s` failed: %v.** The end of its output:\n\n```\n%s\n```\n\n", f, inv.Err, tail(inv.Output, 30))
			}
			if inv.OtherLoad >= 0 {
				fmt.Fprintf(&b, "Other processes kept %.2f CPUs busy on average while `%s` ran (%s).\n\n",
					inv.OtherLoad, f, inv.Duration.Round(time.Second))
			}
		}
	}

	b.WriteString("## Commands\n\n" +
		"The command above runs these from `bench/`, one after the other " +
		"(the deadlock probes once: a deadlocked probe costs its whole timeout; " +
		"the longest cluster benchmarks fewer times than the others):\n\n")
	b.WriteString("| command | waited for idle CPUs | took | CPUs busy with other processes meanwhile |\n| --- | --- | --- | --- |\n")
	for _, inv := range r.Plan {
		load := "unknown"
		if inv.OtherLoad >= 0 {
			load = fmt.Sprintf("%.2f", inv.OtherLoad)
		}
		waited := "—"
		if inv.Waited > 0 {
			waited = inv.Waited.Round(time.Second).String()
			if inv.IdleLoad >= busyLoad {
				waited += fmt.Sprintf(" (gave up at %.2f CPUs busy)", inv.IdleLoad)
			}
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", inv.Command(), waited, inv.Duration.Round(time.Second), load)
	}
	b.WriteString("\nTo compare two runs, save the raw output below and use " +
		"[benchstat](https://pkg.go.dev/golang.org/x/perf/cmd/benchstat): " +
		"`go run golang.org/x/perf/cmd/benchstat@latest old.txt new.txt`.\n\n")
	b.WriteString("<details><summary>Raw output</summary>\n\n```\n")
	for _, inv := range r.Plan {
		for _, line := range strings.Split(inv.Output, "\n") {
			if isResultLine(line) {
				b.WriteString(line + "\n")
			}
		}
	}
	b.WriteString("```\n\n</details>\n")
	return b.String()
}

func isResultLine(line string) bool {
	for _, p := range []string{"Benchmark", "goos:", "goarch:", "pkg:", "cpu:"} {
		if strings.HasPrefix(line, p) {
			return true
		}
	}
	return strings.HasPrefix(line, "    ") && strings.Contains(line, "_test.go:")
}

// anchor returns GitHub's anchor for a heading.
func anchor(title string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(title) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-', r == '_':
			b.WriteRune(r)
		case r == ' ':
			b.WriteByte('-')
		}
	}
	return b.String()
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// num formats v with about three significant digits.
func num(v float64) string {
	a := math.Abs(v)
	switch {
	case v == 0:
		return "0"
	case a >= 100:
		return fmt.Sprintf("%.0f", v)
	case a >= 10:
		return fmt.Sprintf("%.1f", v)
	case a >= 1:
		return fmt.Sprintf("%.2f", v)
	case a >= 0.01:
		return fmt.Sprintf("%.3f", v)
	}
	return fmt.Sprintf("%.1e", v)
}

// size formats a byte count.
func size(v float64) string {
	switch {
	case v >= 1<<20:
		return num(v/(1<<20)) + " MiB"
	case v >= 1<<10:
		return num(v/(1<<10)) + " KiB"
	}
	return num(v) + " B"
}

// table renders rows of cells under a header.
func table(header []string, rows [][]string) string {
	var b strings.Builder
	b.WriteString("| " + strings.Join(header, " | ") + " |\n|")
	for range header {
		b.WriteString(" --- |")
	}
	b.WriteString("\n")
	for _, r := range rows {
		b.WriteString("| " + strings.Join(r, " | ") + " |\n")
	}
	b.WriteString("\n")
	return b.String()
}

// cells looks up benchmark metrics and formats them.
type cells struct{ s *Set }

// stat formats the median of a metric times scale, with its spread.
func (c cells) stat(name, unit string, scale float64) string {
	st, ok := c.s.Stat(name, unit)
	if !ok {
		return "—"
	}
	out := num(st.Median * scale)
	if st.N > 1 {
		out += fmt.Sprintf(" ±%.0f%%", 100*st.Spread)
	}
	return out
}

// plain formats the median of a metric times scale, without its spread.
func (c cells) plain(name, unit string, scale float64) string {
	v, ok := c.s.Median(name, unit)
	if !ok {
		return "—"
	}
	return num(v * scale)
}

// count formats the median of a metric as a whole number.
func (c cells) count(name, unit string) string {
	v, ok := c.s.Median(name, unit)
	if !ok {
		return "—"
	}
	return fmt.Sprintf("%.0f", v)
}

func (c cells) bytes(name string, scale float64) string {
	v, ok := c.s.Median(name, "B/op")
	if !ok {
		return "—"
	}
	return size(v * scale)
}

// ratio formats the median of unit for a over that for b.
func (c cells) ratio(a, b, unit string) (string, float64, bool) {
	va, oka := c.s.Median(a, unit)
	vb, okb := c.s.Median(b, unit)
	if !oka || !okb || vb == 0 {
		return "—", 0, false
	}
	r := va / vb
	return num(r) + "×", r, true
}

func mapInts(s *Set) section {
	c := cells{s}
	rows := [][]string{}
	for _, r := range []struct{ name, label string }{
		{"shoal", "**shoal** `Map`"},
		{"conc", "conc `iter.Map`"},
		{"errgroup", "errgroup, `SetLimit(GOMAXPROCS)`, a `Go` per item"},
		{"errgroup-blocks", "errgroup, one hand-split block per core (lower bound)"},
		{"sequential", "sequential loop"},
	} {
		n := "MapInts/" + r.name
		ratio, _, _ := c.ratio("MapInts/shoal", n, "ns/item")
		rows = append(rows, []string{r.label, c.stat(n, "ns/item", 1), c.plain(n, "allocs/item", 1),
			c.count(n, "allocs/op"), c.bytes(n, 1), ratio})
	}
	body := "`BenchmarkMapInts`: 1,000,000 ints through `x+1` (called through a function value), " +
		"results in a new slice. The function costs nothing, so this is the per-item overhead of each library; " +
		"every row allocates the 8 MB result slice.\n\n" +
		table([]string{"", "ns/item", "allocs/item", "allocs/op", "B/op", "shoal ÷ row (time)"}, rows)

	ns, okNs := s.Median("MapInts/shoal", "ns/item")
	ratioS, ratio, okR := c.ratio("MapInts/shoal", "MapInts/conc", "ns/item")
	allocs, okA := s.Median("MapInts/shoal", "allocs/item")
	allocsOp, _ := s.Median("MapInts/shoal", "allocs/op")
	return section{
		Title: "Map over 1,000,000 ints",
		Funcs: []string{"BenchmarkMapInts"},
		Body:  body,
		Targets: []target{
			check("shoal ≤ 10 ns/item", num(ns)+" ns/item", ns <= 10, okNs),
			check("shoal ≤ 0.5 × conc", ratioS, ratio <= 0.5, okR),
			check("shoal: no allocation per item (amortized; < 0.001 allocs/item)",
				fmt.Sprintf("%s allocs/item (%.0f allocs/op)", num(allocs), allocsOp), allocs < 0.001, okA),
		},
	}
}

func submitGet(s *Set) section {
	c := cells{s}
	const tasks = 1e6
	rows := [][]string{}
	for _, r := range []struct{ name, label string }{
		{"shoal", "**shoal** `Submit`, then `Future.Get`"},
		{"pond", "pond v2 `ResultPool.Submit`, then `Wait`"},
		{"errgroup", "errgroup `SetLimit(GOMAXPROCS)`: `Go` writing a results slice, then `Wait`"},
		{"ants", "ants `Submit` writing a results slice, then a `WaitGroup`"},
		{"floor-alloc", "floor: allocate and keep one 80-byte object per task, no scheduling"},
	} {
		n := "SubmitGet/" + r.name
		ratio, _, _ := c.ratio("SubmitGet/shoal", n, "ns/task")
		rows = append(rows, []string{r.label, c.stat(n, "ns/task", 1), c.plain(n, "allocs/task", 1),
			c.bytes(n, 1/tasks), ratio})
	}
	body := "`BenchmarkSubmitGet`: 1,000,000 tiny tasks (`x+1`) submitted, then every result collected: " +
		"the cost of a future (or of what stands for one). Pools are made once, and every row runs one round of the million tasks " +
		"before the timed ones, outside the timed loop: the command times only 2 rounds, " +
		"and a process's first round also pays for growing its heap. " +
		"The floor row only allocates one object per task the size of a shoal `task[int, int]` (80 bytes, " +
		"with pointers) and keeps them all, as the benchmark keeps its million futures: " +
		"the allocation and garbage-collection cost under any design with a future per task, " +
		"on this machine most of the 250 ns target.\n\n" +
		table([]string{"", "ns/task", "allocs/task", "B/task", "shoal ÷ row (time)"}, rows)
	ns, okNs := s.Median("SubmitGet/shoal", "ns/task")
	pondS, pond, okP := c.ratio("SubmitGet/shoal", "SubmitGet/pond", "ns/task")
	egS, eg, okE := c.ratio("SubmitGet/shoal", "SubmitGet/errgroup", "ns/task")
	return section{
		Title: "Submit and Get 1,000,000 tasks",
		Funcs: []string{"BenchmarkSubmitGet"},
		Body:  body,
		Targets: []target{
			check("shoal ≤ 250 ns/task", num(ns)+" ns/task", ns <= 250, okNs),
			check("shoal ≤ 0.3 × pond", pondS, pond <= 0.3, okP),
			check("shoal ≤ 0.5 × errgroup", egS, eg <= 0.5, okE),
		},
	}
}

func cpuBound(s *Set, procs int) section {
	c := cells{s}
	rows := [][]string{}
	for _, r := range []struct{ name, label string }{
		{"shoal", "**shoal** `Map` on `Default()`"},
		{"conc", "conc `iter.Map`"},
		{"errgroup", "errgroup `SetLimit(GOMAXPROCS)`"},
	} {
		n := "CPUBound/" + r.name
		rows = append(rows, []string{r.label, c.stat(n, "ns/op", 1e-6), c.stat(n, "seq-ns/op", 1e-6),
			c.stat(n, "speedup", 1), c.count(n, "allocs/op")})
	}
	ideal := min(procs, 8)
	want := 0.95 * float64(ideal)
	body := "`BenchmarkCPUBound`: 8 items, each summing 10,000,000 pseudo-random floats from a xorshift generator " +
		"(a dependent chain the compiler can neither drop nor vectorize). Every iteration runs the parallel map and " +
		"a sequential loop over the same items, one after the other (alternating which goes first); " +
		"speedup is the sequential time over the parallel time of those same iterations.\n\n" +
		table([]string{"", "parallel ms/op", "sequential ms/op (same iterations)", "speedup", "allocs/op"}, rows)
	if st, ok := s.Stat("CPUBound/shoal-vs-errgroup", "errgroup/shoal"); ok {
		body += "\nshoal and errgroup timed against each other in the same iterations (`CPUBound/shoal-vs-errgroup`, " +
			"alternating which goes first), free of the drift in the sequential times the speedups divide by: " +
			fmt.Sprintf("errgroup takes %s× shoal's time (runs within ±%.0f%%).\n", num(st.Median), 100*st.Spread)
	}
	body += cpuAccount(s, procs)
	sp, ok := s.Median("CPUBound/shoal", "speedup")
	return section{
		Title: "CPU-bound map of 8 long items",
		Funcs: []string{"BenchmarkCPUBound"},
		Body:  body,
		Targets: []target{
			check(fmt.Sprintf("shoal speedup ≥ %s× (0.95 × min(GOMAXPROCS, 8); 1.9× on 2 cores)", num(want)),
				num(sp)+"×", sp >= want, ok),
		},
	}
}

// cpuAccount says where the CPU-bound maps' time went, from the figures
// each row's items recorded (bench's mapAccount), or nothing if no row has
// them.
func cpuAccount(s *Set, procs int) string {
	c := cells{s}
	rows := [][]string{}
	for _, r := range []struct{ name, label string }{
		{"shoal", "**shoal**"},
		{"conc", "conc"},
		{"errgroup", "errgroup"},
	} {
		n := "CPUBound/" + r.name
		if _, ok := s.Median(n, "busy-%"); !ok {
			continue
		}
		rows = append(rows, []string{r.label, c.plain(n, "busy-%", 1) + "%", c.plain(n, "end-idle-%", 1) + "%",
			c.plain(n, "other-%", 1) + "%", c.plain(n, "item-ratio", 1) + "×"})
	}
	if len(rows) == 0 {
		return ""
	}
	return fmt.Sprintf("\nWhere the maps' time went, from the times each item recorded (medians of the runs): "+
		"the share of the %d cores' time spent running items; the share left idle after a core's last item, "+
		"while another core still ran one; the rest (dispatching the first items, the gaps between "+
		"one item and the next on a core, returning from the map), which is all that a scheduler adds; "+
		"and how long an item took in the map against the same item in the sequential loop of the same iterations. "+
		"The speedup is %d × busy ÷ that ratio: with 8 items that take the same work, "+
		"the cores are idle at the end when the items' times differ.\n\n", procs, procs) +
		table([]string{"", "busy running items", "idle after the last item", "other", "item time, in the map ÷ alone"}, rows)
}

func nestedSection(s *Set, procs int) section {
	c := cells{s}
	seq, okSeq := s.Median("Nested/shoal", "seq-ns/op")
	rows := [][]string{}
	for _, r := range []struct{ name, label string }{
		{"shoal", "**shoal** `Map` of `Map` on `From(ctx)`"},
		{"errgroup", "errgroup in errgroup, both `SetLimit(GOMAXPROCS)`"},
		{"conc", "conc `iter.Map` in `iter.Map`"},
	} {
		n := "Nested/" + r.name
		speedup := c.stat(n, "speedup", 1)
		if r.name != "shoal" {
			speedup = "—"
			if v, ok := s.Median(n, "ns/op"); ok && okSeq && v > 0 {
				speedup = num(seq/v) + "†"
			}
		}
		rows = append(rows, []string{r.label, c.stat(n, "ns/op", 1e-9), speedup,
			c.count(n, "max-running"), c.count(n, "allocs/op")})
	}
	rows = append(rows, []string{"sequential (timed in the shoal row's iterations)", c.stat("Nested/shoal", "seq-ns/op", 1e-9), "1", "1", "—"})

	probeRows := [][]string{}
	for _, r := range []struct{ name, label string }{
		{"shoal-map", "**shoal** `Map` of `Map` on `From(ctx)`, one pool"},
		{"shoal-submit", "**shoal** tasks that `Submit` to `From(ctx)` and `Gather`, one pool"},
		{"pond", "pond v2: tasks that `Submit` to their own `ResultPool` and `Wait`"},
		{"ants", "ants: tasks that `Submit` to their own pool and wait on a `WaitGroup`"},
	} {
		probeRows = append(probeRows, []string{r.label, probeOutcome(s, "NestedSharedPool/"+r.name),
			c.count("NestedSharedPool/"+r.name, "max-running")})
	}

	want := 0.925 * float64(procs)
	body := "`BenchmarkNested`: 20 outer items, each a parallel map over 200 inner items of about 1 ms of CPU " +
		"(a busy loop calibrated when the benchmark starts, not a sleep): 4 s of work. " +
		"max running is the most inner items seen running at once: shoal keeps the one bound of GOMAXPROCS, " +
		"while nesting errgroup or conc multiplies the limits (GOMAXPROCS² goroutines competing for GOMAXPROCS cores). " +
		"The shoal row also runs the sequential loop in the same iterations and reports that speedup; " +
		"† marks a speedup computed against that sequential time instead.\n\n" +
		table([]string{"", "s/op", "speedup", "max running", "allocs/op"}, rows) +
		"`BenchmarkNestedSharedPool`: the same nesting, scaled down to 20 × 200 items of 20 µs (80 ms of work), " +
		"with ONE shared pool of GOMAXPROCS workers, as pond and ants users nest: an outer task submits its inner tasks " +
		"to the pool it runs on and waits for them. Each row runs in a child process (the test binary re-executed) " +
		"that is killed if it has not finished within the probe timeout, since a deadlocked goroutine cannot be stopped.\n\n" +
		table([]string{"", "outcome", "max running"}, probeRows)

	sp, okSp := s.Median("Nested/shoal", "speedup")
	mr, okMr := s.Median("Nested/shoal", "max-running")
	dl1, ok1 := s.Median("NestedSharedPool/shoal-map", "deadlock")
	dl2, ok2 := s.Median("NestedSharedPool/shoal-submit", "deadlock")
	return section{
		Title: "Nested maps, 20 × 200 items of 1 ms",
		Funcs: []string{"BenchmarkNested", "BenchmarkNestedSharedPool"},
		Body:  body,
		Targets: []target{
			check(fmt.Sprintf("shoal speedup ≥ %s× (0.925 × GOMAXPROCS; 1.85× on 2 cores)", num(want)),
				num(sp)+"×", sp >= want, okSp),
			check(fmt.Sprintf("shoal never runs more than GOMAXPROCS (%d) items at once", procs),
				fmt.Sprintf("%.0f at most", mr), int(mr) <= procs, okMr),
			check("shoal completes nesting on one shared pool (Map and Submit)",
				probeOutcome(s, "NestedSharedPool/shoal-map")+"; "+probeOutcome(s, "NestedSharedPool/shoal-submit"),
				dl1 == 0 && dl2 == 0, ok1 && ok2),
		},
	}
}

// probeOutcome describes how a deadlock probe ended.
func probeOutcome(s *Set, name string) string {
	dl, ok := s.Median(name, "deadlock")
	if !ok {
		return "—"
	}
	ms, _ := s.Median(name, "probe-ms")
	if dl > 0 {
		return fmt.Sprintf("**deadlock** (timed out after %s, killed)", (time.Duration(ms) * time.Millisecond).Round(time.Second))
	}
	return fmt.Sprintf("completed in %s ms", num(ms))
}

func stream(s *Set) section {
	c := cells{s}
	rows := [][]string{}
	for _, r := range []struct{ name, label string }{
		{"shoal", "**shoal** `Stream` over the `iter.Seq`"},
		{"conc-collect", "`slices.Collect`, then conc `iter.Map`"},
		{"sequential", "sequential `range` over the `iter.Seq`"},
	} {
		n := "Stream/" + r.name
		rows = append(rows, []string{r.label, c.stat(n, "ns/item", 1), c.stat(n, "peak-heap-MB", 1),
			c.plain(n, "allocs/item", 1)})
	}
	body := "`BenchmarkStream`: 10,000,000 ints produced by an `iter.Seq` (never stored in a slice), through `x+1`, " +
		"results summed as they arrive. peak heap is the largest `/memory/classes/heap/objects:bytes` " +
		"(live objects plus garbage not yet collected, the figure `MemStats.HeapAlloc` reports) " +
		"seen by a goroutine sampling it every millisecond, in MiB.\n\n" +
		table([]string{"", "ns/item", "peak heap (MiB)", "allocs/item"}, rows)
	peak, ok := s.Median("Stream/shoal", "peak-heap-MB")
	return section{
		Title: "Stream over 10,000,000 items",
		Funcs: []string{"BenchmarkStream"},
		Body:  body,
		Targets: []target{
			check("shoal peak heap < 64 MB", num(peak)+" MiB", peak < 64, ok),
		},
	}
}

func progressSection(s *Set) section {
	c := cells{s}
	rows := [][]string{}
	for _, r := range []struct{ name, label string }{
		{"off", "**shoal** `Map`, no bar"},
		{"plain", "**shoal** `Map` with `Progress(\"bench\")`, plain mode"},
		{"terminal", "**shoal** `Map` with `Progress(\"bench\")`, terminal mode"},
	} {
		n := "Progress/" + r.name
		ratio := "1"
		if r.name != "off" {
			ratio = c.stat(n, "ratio", 1)
		}
		rows = append(rows, []string{r.label, c.stat(n, "ns/item", 1), ratio, c.count(n, "allocs/op")})
	}
	body := "`BenchmarkProgress`: 1,000,000 items of about 50 ns (16 xorshift steps) mapped with and without " +
		"a progress bar drawn to `io.Discard` (set with `progress.SetOutput`). " +
		"Each row with a bar also runs the same `Map` without one in the same iterations; " +
		"ratio is the time with the bar over the time without.\n\n" +
		table([]string{"", "ns/item", "with ÷ without", "allocs/op"}, rows)
	var ts []target
	for _, mode := range []string{"plain", "terminal"} {
		r, ok := s.Median("Progress/"+mode, "ratio")
		ts = append(ts, check("Progress costs ≤ 5% ("+mode+" mode)", num(r)+"×", r <= 1.05, ok))
	}
	return section{
		Title:   "Map with a progress bar",
		Funcs:   []string{"BenchmarkProgress"},
		Body:    body,
		Targets: ts,
	}
}
