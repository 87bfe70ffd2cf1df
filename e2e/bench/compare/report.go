package main

// The markdown report of one run.sh results directory (-mode report) and the marker splice that
// puts it into docs/benchmarks.md (-mode splice). A phase whose raw file is missing is reported
// as missing, so a run that failed half-way still leaves a readable report of what it measured.

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

const (
	beginMarker = "<!-- bench-compare:begin -->"
	endMarker   = "<!-- bench-compare:end -->"
)

var armNames = map[string]string{"plain": "plain (no webhook)", "traceroll": "Traceroll", "otel": "OpenTelemetry Operator"}

func armName(a string) string {
	if n, ok := armNames[a]; ok {
		return n
	}
	return a
}

type md struct {
	b   strings.Builder
	dir string
}

func (m *md) p(format string, args ...any) { fmt.Fprintf(&m.b, format+"\n", args...) }

func (m *md) row(cells ...string) { m.p("| %s |", strings.Join(cells, " | ")) }

func (m *md) header(cells ...string) {
	m.row(cells...)
	sep := make([]string, len(cells))
	for i := range sep {
		sep[i] = "---"
	}
	m.row(sep...)
}

// Reads a JSON file of the results directory into v; false (and a note in the report) if absent.
func (m *md) load(name string, v any) bool {
	raw, err := os.ReadFile(filepath.Join(m.dir, name))
	if err != nil {
		m.p("_Not measured: `%s` is missing (the run stopped before this phase)._\n", name)
		return false
	}
	if err := json.Unmarshal(raw, v); err != nil {
		m.p("_`%s` is unreadable: %v._\n", name, err)
		return false
	}
	return true
}

func readEnv(path string) map[string]string {
	env := map[string]string{}
	raw, err := os.ReadFile(path)
	if err != nil {
		return env
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok && !strings.HasPrefix(line, "#") {
			env[k] = v
		}
	}
	return env
}

func f1(v float64) string {
	if math.IsNaN(v) {
		return "–"
	}
	return fmt.Sprintf("%.1f", v)
}

func f2(v float64) string {
	if math.IsNaN(v) {
		return "–"
	}
	return fmt.Sprintf("%.2f", v)
}

func signed(v float64) string { return fmt.Sprintf("%+.2f", v) }

func mib(kib int64) string { return fmt.Sprintf("%.0f", float64(kib)/1024) }

func ratio(a, b float64) string {
	if b <= 0 || a < 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f", a/b)
}

func report(dir, out string) error {
	if dir == "" {
		return fmt.Errorf("-dir is required")
	}
	m := &md{dir: dir}
	meta := readEnv(filepath.Join(dir, "meta.env"))
	mode := meta["MODE"]

	// ---- what was compared, where, how ----
	m.p("### Run of %s (%s)\n", meta["DATE_UTC"], map[string]string{"quick": "quick smoke run", "short": "short run", "full": "full run"}[mode])
	switch mode {
	case "quick":
		m.p("_`make bench-compare BENCH_ARGS=quick`: tiny counts, to check that every phase works; the numbers are not comparable with a full run._\n")
	case "short":
		m.p("_`make bench-compare BENCH_ARGS=short`: fewer rounds and pods than a full run, to compare two builds in a few minutes; not a replacement for the full run's table._\n")
	}
	m.header("", "compared")
	m.row("Traceroll", fmt.Sprintf("commit `%s` (%s), jar `%s` sha256 `%.12s`, JVM `%s`", meta["TRACEROLL_COMMIT"],
		meta["TRACEROLL_TREE"], meta["TRACEROLL_JAR_SOURCE"], meta["TRACEROLL_JAR_SHA256"], meta["TRACEROLL_JVM"]))
	m.row("OpenTelemetry Operator", fmt.Sprintf("%s (Go module `%s`, %s), whole manager as one process, Java `Instrumentation`",
		meta["OTEL_VERSION"], meta["OTEL_MODULE_SUM"], meta["OTEL_GO"]))
	m.row("cluster", fmt.Sprintf("kube-apiserver %s, etcd %s, KWOK %s nodes; all on loopback", meta["K8S_VERSION"], meta["ETCD_VERSION"], meta["KWOK_VERSION"]))
	m.row("machine", fmt.Sprintf("%s cores (%s), %s GiB RAM, kernel %s; load average at the start %s",
		meta["NPROC"], meta["CPU_MODEL"], meta["MEM_GIB"], meta["KERNEL"], meta["LOAD_START"]))
	m.row("counts", meta["COUNTS"])
	m.row("raw output", "`"+meta["RESULTS"]+"` (git-ignored, on the machine that ran it)")
	m.p("")

	if rows := readTSV(filepath.Join(dir, "phases.tsv")); len(rows) > 0 {
		m.p("Machine before each timed phase (whole-machine idle share over the last 10 s sample; the run waits for a quiet machine, up to a limit):\n")
		m.header("phase", "started (UTC)", "CPU idle", "load average", "quiet")
		for _, r := range rows {
			if len(r) >= 5 {
				m.row(r[0], r[1], r[2]+" %", r[3], r[4])
			}
		}
		m.p("")
	}

	// ---- a. injection evidence ----
	m.p("#### a. What each webhook adds (one pod per arm)\n")
	var checks []checkResult
	if m.load("check.json", &checks) {
		m.p("What the stored pod has that the pod sent had not, in the fields the webhooks touch (the ServiceAccount token volume every pod gets is left out):\n")
		for _, c := range checks {
			m.p("- **%s** (`%s`), classified `%s`:", armName(c.Arm), c.Namespace, c.Injection)
			for _, l := range c.lines() {
				m.p("  - `%s`", strings.ReplaceAll(l, "`", "'"))
			}
		}
		m.p("")
	}

	// ---- b. start ----
	m.p("#### b. Restart to ready and to the first mutated admission\n")
	if starts, ok := readStarts(m); ok {
		m.p("Each operator stopped (SIGTERM) and started again %s time(s), alternating, its cluster objects in place; from just before the process starts: `/readyz` 200 (polled every 20 ms), and the first server-side dry-run pod create (one every 50 ms) that comes back injected. RSS, threads and CPU right after that admission.\n", meta["START_ROUNDS"])
		m.header("operator", "round", "start → ready (ms)", "start → first mutated admission (ms)", "RSS (MiB)", "threads", "CPU (s)")
		per := map[string][][2]float64{}
		var order []string
		for _, s := range starts {
			rss, thr, cpu := "–", "–", "–"
			if s.Proc != nil {
				rss, thr, cpu = mib(s.Proc.RSSKiB), fmt.Sprint(s.Proc.Threads), f2(s.Proc.CPUSeconds)
			}
			m.row(armName(s.Name), fmt.Sprint(s.Round), fmt.Sprintf("%.0f", s.ReadyMs), fmt.Sprintf("%.0f", s.FirstMutatedMs), rss, thr, cpu)
			if _, ok := per[s.Name]; !ok {
				order = append(order, s.Name)
			}
			per[s.Name] = append(per[s.Name], [2]float64{s.ReadyMs, s.FirstMutatedMs})
		}
		for _, name := range order {
			var r, f []float64
			for _, x := range per[name] {
				r, f = append(r, x[0]), append(f, x[1])
			}
			m.row("**"+armName(name)+"** median", "", fmt.Sprintf("%.0f", median(r)), fmt.Sprintf("%.0f", median(f)), "", "", "")
		}
		m.p("")
	}

	// ---- c. idle ----
	m.p("#### c. Idle footprint\n")
	var idleA, idleB procSnap
	if m.load("proc-idle-start.json", &idleA) && m.load("proc-idle-end.json", &idleB) {
		m.p("After a pre-warm pass (%s creates per arm, not reported), %.0f s without pod creates:\n", meta["PREWARM"], idleB.Time.Sub(idleA.Time).Seconds())
		m.header("process", "RSS (MiB)", "peak RSS (MiB)", "threads", "CPU over the idle period (s)")
		for _, name := range procOrder(idleB.Procs) {
			a, b := idleA.Procs[name], idleB.Procs[name]
			m.row(procName(name), mib(b.RSSKiB), mib(b.HWMKiB), fmt.Sprint(b.Threads), f2(b.CPUSeconds-a.CPUSeconds))
		}
		m.p("")
	}

	// ---- d. latency ----
	m.p("#### d. Sequential pod-create latency\n")
	var lat phase
	if m.load("latency.json", &lat) {
		pooled, order := pool(lat.Batches)
		sort.SliceStable(order, func(i, j int) bool { return armRank(order[i]) < armRank(order[j]) })
		st := map[string]stats{}
		for _, a := range order {
			st[a] = statsOf(pooled[a])
		}
		m.p("%s rounds, arms interleaved and rotated; per arm and round %s warm-up + %s measured sequential creates of the same ReplicaSet-owned pod, one client connection. Client-side time of the create call, pooled over the rounds, ms:\n",
			meta["LAT_ROUNDS"], meta["LAT_WARMUP"], meta["LAT_N"])
		m.header("arm", "n", "p50", "p90", "p99", "max", "mean")
		for _, a := range order {
			s := st[a]
			m.row(armName(a), fmt.Sprint(s.N), f2(s.P50), f2(s.P90), f2(s.P99), f2(s.Max), f2(s.Mean))
		}
		m.p("")
		if base, ok := st["plain"]; ok {
			m.p("Added by the webhook (arm − plain), ms:\n")
			m.header("arm", "p50", "p90", "p99", "mean")
			for _, a := range order {
				if a == "plain" {
					continue
				}
				s := st[a]
				m.row(armName(a), signed(s.P50-base.P50), signed(s.P90-base.P90), signed(s.P99-base.P99), signed(s.Mean-base.Mean))
			}
			if tr, ok := st["traceroll"]; ok {
				if ot, ok := st["otel"]; ok {
					m.row("ratio Traceroll / OpenTelemetry", ratio(tr.P50-base.P50, ot.P50-base.P50), ratio(tr.P90-base.P90, ot.P90-base.P90),
						ratio(tr.P99-base.P99, ot.P99-base.P99), ratio(tr.Mean-base.Mean, ot.Mean-base.Mean))
				}
			}
			m.p("")
		}
		m.p("Per round (ms) and CPU seconds each process spent during the round's measured creates:\n")
		m.header("round", "arm", "p50", "p90", "p99", "max", "injected", "CPU Traceroll", "CPU OTel", "CPU API server")
		for _, b := range lat.Batches {
			m.row(fmt.Sprint(b.Round), armName(b.Arm), f2(b.Stats.P50), f2(b.Stats.P90), f2(b.Stats.P99), f2(b.Stats.Max),
				injectedCell(b), cpuCell(b, "traceroll"), cpuCell(b, "otel"), cpuCell(b, "apiserver"))
		}
		m.p("")
		webhookCalls(m, lat.Batches)
	}

	// ---- e. throughput ----
	m.p("#### e. Throughput\n")
	var tp phase
	if m.load("throughput.json", &tp) {
		m.p("Per arm, c concurrent creators for %s on one client connection (after %s warm-up creates):\n", meta["TP_DURATION"], meta["TP_WARMUP"])
		m.header("creators", "arm", "pods/s", "p50 (ms)", "p99 (ms)", "max (ms)", "created", "not injected", "errors", "webhook fail-open")
		bs := append([]*batch(nil), tp.Batches...)
		sort.SliceStable(bs, func(i, j int) bool {
			if bs[i].Concurrency != bs[j].Concurrency {
				return bs[i].Concurrency < bs[j].Concurrency
			}
			return armRank(bs[i].Arm) < armRank(bs[j].Arm)
		})
		for _, b := range bs {
			m.row(fmt.Sprint(b.Concurrency), armName(b.Arm), f1(b.PodsPerS), f2(b.Stats.P50), f2(b.Stats.P99), f2(b.Stats.Max),
				fmt.Sprint(b.Created), notInjected(b), fmt.Sprint(b.Errors), failOpen(b))
		}
		m.p("")
	}

	// ---- f. bursts ----
	m.p("#### f. Bursts after idle periods\n")
	var bu phase
	if m.load("bursts.json", &bu) {
		m.p("After each idle period without pod creates, c creators each create one pod at the same instant (a start barrier) in Traceroll's namespace, then at once in the OpenTelemetry Operator's. `fail-open` is the API server's `apiserver_admission_webhook_fail_open_count` for the arm's webhook over the pair of bursts: calls that failed (a timeout: Traceroll's is %ss, the OpenTelemetry Operator's %ss) and were let through without injection.\n",
			orDash(meta["TRACEROLL_TIMEOUT_S"]), orDash(meta["OTEL_TIMEOUT_S"]))
		m.header("idle (s)", "burst", "arm", "created", "injected", "not injected", "errors", "p50 (ms)", "p99 (ms)", "max (ms)", "fail-open")
		for _, b := range bu.Batches {
			m.row(fmt.Sprintf("%.0f", b.IdleS), fmt.Sprint(b.Concurrency), armName(b.Arm), fmt.Sprint(b.Created),
				fmt.Sprint(b.Injection[b.Arm]), notInjected(b), fmt.Sprint(b.Errors), f2(b.Stats.P50), f2(b.Stats.P99), f2(b.Stats.Max), failOpen(b))
		}
		m.p("")
	}

	// ---- g. processes at the end ----
	m.p("#### g. Processes at the end\n")
	var end procSnap
	if m.load("proc-end.json", &end) {
		m.p("CPU is the total since each process started (the operators were last restarted in phase b).\n")
		m.header("process", "RSS (MiB)", "peak RSS (MiB)", "threads", "CPU (s)")
		for _, name := range procOrder(end.Procs) {
			s := end.Procs[name]
			if s.Gone {
				m.row(procName(name), "exited", "", "", "")
				continue
			}
			m.row(procName(name), mib(s.RSSKiB), mib(s.HWMKiB), fmt.Sprint(s.Threads), f2(s.CPUSeconds))
		}
		m.p("")
	}

	// ---- the webhooks per phase, and why calls failed ----
	webhookPhases(m, meta)

	text := m.b.String()
	if out == "" {
		_, err := os.Stdout.WriteString(text)
		return err
	}
	return os.WriteFile(out, []byte(text), 0o644)
}

// Calls of each operator's webhook per pod, from the API server's metrics, pooled over the batches.
func webhookCalls(m *md, bs []*batch) {
	type acc struct {
		name                          string
		calls, pods, ms, fail, non200 float64
	}
	per := map[string]*acc{}
	var order []string
	for _, b := range bs {
		if b.Webhook == nil {
			continue
		}
		a := per[b.Arm]
		if a == nil {
			a = &acc{name: b.Webhook.Webhook}
			per[b.Arm] = a
			order = append(order, b.Arm)
		}
		a.calls += b.Webhook.Calls
		a.pods += b.Webhook.Pods
		a.ms += b.Webhook.MeanMsPerCall * b.Webhook.Calls
		a.fail += b.Webhook.FailOpen
		a.non200 += b.Webhook.Non200
	}
	if len(order) == 0 {
		return
	}
	sort.SliceStable(order, func(i, j int) bool { return armRank(order[i]) < armRank(order[j]) })
	m.p("The API server's view of the measured creates (`apiserver_admission_webhook_admission_duration_seconds`, by webhook name, change over the measured batches; TLS and transport included):\n")
	m.header("operator", "webhook", "pods", "calls", "calls per pod", "mean per call (ms)", "per pod (ms)", "fail-open", "non-200")
	for _, arm := range order {
		a := per[arm]
		perCall, perPod, cpp := math.NaN(), math.NaN(), math.NaN()
		if a.calls > 0 {
			perCall = a.ms / a.calls
		}
		if a.pods > 0 {
			perPod, cpp = a.ms/a.pods, a.calls/a.pods
		}
		m.row(armName(arm), "`"+a.name+"`", fmt.Sprintf("%.0f", a.pods), fmt.Sprintf("%.0f", a.calls), f2(cpp), f2(perCall), f2(perPod),
			fmt.Sprintf("%.0f", a.fail), fmt.Sprintf("%.0f", a.non200))
	}
	m.p("")
}

func readStarts(m *md) ([]probeResult, bool) {
	f, err := os.Open(filepath.Join(m.dir, "start.jsonl"))
	if err != nil {
		m.p("_Not measured: `start.jsonl` is missing (the run stopped before this phase)._\n")
		return nil, false
	}
	defer f.Close()
	var rs []probeResult
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var r probeResult
		if json.Unmarshal(sc.Bytes(), &r) == nil {
			rs = append(rs, r)
		}
	}
	return rs, len(rs) > 0
}

func readTSV(path string) [][]string {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	var rows [][]string
	for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		if line != "" {
			rows = append(rows, strings.Split(line, "\t"))
		}
	}
	return rows
}

func armRank(a string) int {
	switch a {
	case "plain":
		return 0
	case "traceroll":
		return 1
	case "otel":
		return 2
	}
	return 3
}

func procOrder(procs map[string]procStat) []string {
	var names []string
	for n := range procs {
		names = append(names, n)
	}
	rank := map[string]int{"traceroll": 0, "otel": 1, "apiserver": 2}
	sort.Slice(names, func(i, j int) bool {
		ri, oki := rank[names[i]]
		rj, okj := rank[names[j]]
		if oki != okj {
			return oki
		}
		if ri != rj {
			return ri < rj
		}
		return names[i] < names[j]
	})
	return names
}

func procName(n string) string {
	switch n {
	case "traceroll":
		return "Traceroll operator (JVM)"
	case "otel":
		return "OpenTelemetry Operator"
	case "apiserver":
		return "kube-apiserver"
	}
	return n
}

func injectedCell(b *batch) string {
	if b.Arm != "traceroll" && b.Arm != "otel" {
		return fmt.Sprintf("%d none", b.Injection["none"])
	}
	return fmt.Sprintf("%d/%d", b.Injection[b.Arm], b.Created)
}

func notInjected(b *batch) string {
	if b.Arm != "traceroll" && b.Arm != "otel" {
		return "–"
	}
	return fmt.Sprint(b.Created - b.Injection[b.Arm])
}

func failOpen(b *batch) string {
	if b.Webhook == nil {
		return "–"
	}
	return fmt.Sprintf("%.0f", b.Webhook.FailOpen)
}

func cpuCell(b *batch, name string) string {
	v, ok := b.CPUSeconds[name]
	if !ok {
		return "–"
	}
	return f2(v)
}

func codeDelta(before, after *whStats) string {
	if after == nil {
		return ""
	}
	var parts []string
	var codes []string
	for c := range after.Codes {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	for _, c := range codes {
		v := after.Codes[c]
		if before != nil {
			v -= before.Codes[c]
		}
		if v != 0 {
			parts = append(parts, fmt.Sprintf("%s: %.0f", c, v))
		}
	}
	return strings.Join(parts, ", ")
}

func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}

// Replaces what lies between the marker lines of file with the contents of in (markers kept).
func splice(file, in string) error {
	if file == "" || in == "" {
		return fmt.Errorf("-file and -in are required")
	}
	doc, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	body, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	text := string(doc)
	i := strings.Index(text, beginMarker)
	j := strings.Index(text, endMarker)
	if i < 0 || j < i {
		return fmt.Errorf("%s has no %s ... %s section", file, beginMarker, endMarker)
	}
	out := text[:i+len(beginMarker)] + "\n" + strings.TrimRight(string(body), "\n") + "\n" + text[j:]
	tmp := file + ".bench-compare.tmp"
	if err := os.WriteFile(tmp, []byte(out), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, file)
}

// The API server's metrics of the two pod webhooks per phase (snapshots metrics/<n>-<phase>.json
// at the start of each phase and at the end), the reasons it logged for failing open, and
// Traceroll's own admission counters.
func webhookPhases(m *md, meta map[string]string) {
	m.p("#### The two pod webhooks per phase (API server metrics)\n")
	files, _ := filepath.Glob(filepath.Join(m.dir, "metrics", "*.json"))
	type snap struct {
		n     int
		phase string
		s     metricsSnapshot
	}
	var snaps []snap
	for _, f := range files {
		base := strings.TrimSuffix(filepath.Base(f), ".json")
		num, phase, ok := strings.Cut(base, "-")
		var n int
		if _, err := fmt.Sscan(num, &n); !ok || err != nil {
			continue
		}
		var s metricsSnapshot
		raw, err := os.ReadFile(f)
		if err != nil || json.Unmarshal(raw, &s) != nil {
			continue
		}
		snaps = append(snaps, snap{n, phase, s})
	}
	sort.Slice(snaps, func(i, j int) bool { return snaps[i].n < snaps[j].n })
	tr, ot := meta["TRACEROLL_WEBHOOK"], meta["OTEL_WEBHOOK"]
	if len(snaps) < 2 || tr == "" || ot == "" {
		m.p("_Not measured: fewer than two snapshots in `metrics/`._\n")
		return
	}
	m.p("Calls of each webhook, and the calls the API server failed open (let the pod through without injection: the webhook unreachable, or too slow for its timeout), by phase. In phase b the operators are restarted while pods are probed, so calls fail there while a process is down.\n")
	m.header("phase", "Traceroll calls", "Traceroll fail-open", "Traceroll non-200", "OTel calls", "OTel fail-open", "OTel non-200")
	phaseNames := map[string]string{"check": "a. check", "start": "b. start", "idle": "c. pre-warm, idle",
		"latency": "d. latency", "throughput": "e. throughput", "bursts": "f. bursts"}
	var total [2]*whDelta
	for i := 0; i+1 < len(snaps); i++ {
		a, b := snaps[i].s.Webhooks, snaps[i+1].s.Webhooks
		d1, d2 := delta(tr, a, b, 0), delta(ot, a, b, 0)
		name := phaseNames[snaps[i].phase]
		if name == "" {
			name = snaps[i].phase
		}
		m.row(name, fmt.Sprintf("%.0f", d1.Calls), fmt.Sprintf("%.0f", d1.FailOpen), fmt.Sprintf("%.0f", d1.Non200),
			fmt.Sprintf("%.0f", d2.Calls), fmt.Sprintf("%.0f", d2.FailOpen), fmt.Sprintf("%.0f", d2.Non200))
	}
	first, last := snaps[0].s.Webhooks, snaps[len(snaps)-1].s.Webhooks
	total[0], total[1] = delta(tr, first, last, 0), delta(ot, first, last, 0)
	m.row("**all**", fmt.Sprintf("%.0f", total[0].Calls), fmt.Sprintf("%.0f", total[0].FailOpen), fmt.Sprintf("%.0f", total[0].Non200),
		fmt.Sprintf("%.0f", total[1].Calls), fmt.Sprintf("%.0f", total[1].FailOpen), fmt.Sprintf("%.0f", total[1].Non200))
	m.p("")

	if raw, err := os.ReadFile(filepath.Join(m.dir, "apiserver-failopen.log")); err == nil {
		type key struct{ webhook, cause string }
		counts := map[key]int{}
		for _, line := range strings.Split(string(raw), "\n") {
			_, rest, ok := strings.Cut(line, "failing open ")
			if !ok {
				continue
			}
			wh, reason, _ := strings.Cut(rest, ": ")
			cause := "other"
			switch {
			case strings.Contains(reason, "connection refused"):
				cause = "connection refused (not listening)"
			case strings.Contains(reason, "deadline exceeded") || strings.Contains(reason, "Timeout") || strings.Contains(reason, "timeout awaiting"):
				cause = "timeout"
			case strings.Contains(reason, "EOF") || strings.Contains(reason, "reset"):
				cause = "connection closed"
			}
			counts[key{wh, cause}]++
		}
		if len(counts) == 0 {
			m.p("The API server logged no call it failed open.\n")
		} else {
			m.p("Why the API server failed open, from its log (`Failed calling webhook, failing open`), over the whole run:\n")
			m.header("webhook", "cause", "calls")
			var keys []key
			for k := range counts {
				keys = append(keys, k)
			}
			sort.Slice(keys, func(i, j int) bool {
				if keys[i].webhook != keys[j].webhook {
					return keys[i].webhook < keys[j].webhook
				}
				return keys[i].cause < keys[j].cause
			})
			for _, k := range keys {
				m.row("`"+k.webhook+"`", k.cause, fmt.Sprint(counts[k]))
			}
			m.p("")
		}
	}
	if raw, err := os.ReadFile(filepath.Join(m.dir, "traceroll-admissions-end.txt")); err == nil && len(raw) > 0 {
		var parts []string
		for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
			if _, rest, ok := strings.Cut(line, `result="`); ok {
				res, val, _ := strings.Cut(rest, `"} `)
				parts = append(parts, res+" "+strings.TrimSuffix(val, ".0"))
			}
		}
		m.p("Traceroll's own count of its answers since its last start (`traceroll_admissions_total`): %s.\n", strings.Join(parts, ", "))
	}
}
