// Command podcreatebench measures what pod-mutating admission webhooks add to pod creation through
// a real kube-apiserver, several webhooks side by side (make bench-compare, run.sh beside this
// file). It follows the method of the project's PodCreateBenchmark (sequential creates of the same
// pod, a warm-up, percentiles sorted[ceil(q*n)-1] of the client-side time of the create call) but
// uses one client (client-go, one persistent HTTP/2 connection, client-side rate limiter off)
// against any number of namespaces ("arms"), so every webhook is measured identically and
// interleaved in one window.
//
// An arm is label=namespace. The label names the webhook expected to inject the arm's pods:
// "traceroll" or "otel" (what injection() recognises); any other label (e.g. "plain") expects
// none. Every arm's namespace must hold a Deployment (default "bench", replicas 0) whose
// ReplicaSet the pods name as their controller owner (ownerReferences + pod-template-hash label),
// as a pod a ReplicaSet creates would.
//
// -webhooks label=webhook-name,... maps arms to the API server's name of their webhook: the
// measuring modes then read the API server's /metrics before and after each measured batch
// (apiserver_admission_webhook_admission_duration_seconds_count and _sum,
// apiserver_admission_webhook_fail_open_count, _rejection_count and _request_total by code) and
// record per batch the calls the arm's webhook got per pod created, its mean duration per call
// and how often the API server failed open (a timeout or an unreachable webhook: the pod is
// admitted without the agent).
//
// Modes:
//
//	latency     rounds x arms (arm order rotated each round): warm-up creates, then n measured
//	            sequential creates; the arm's pods are deleted after each batch
//	alternate   warm-up each arm, then n creates per arm taking turns pod by pod
//	throughput  for each -c (a list): per arm, c concurrent creators for -duration
//	burst       for each -idle and each -c (lists): wait the idle period without creating pods,
//	            then for each arm in the order given, c creators each create ONE pod released
//	            together by a start barrier; the next arm's burst follows at once
//	check       create one pod per arm and print what the webhooks added (injection evidence)
//	probe       dry-run creates in one arm until the answer is mutated; prints the time since
//	            -since (unix ns, a process start); with -ready-url also the time to its first
//	            200, with -pid the process's RSS/threads/CPU right after; -out appends JSON
//	procstat    RSS, peak RSS, threads and CPU seconds of -pids from /proc, as JSON to -out
//	metrics     the API server's per-webhook admission metrics, as JSON to -out
//	report      the markdown report of a results directory run.sh filled (-dir, to -md)
//	splice      replace the text between <!-- bench-compare:begin --> and
//	            <!-- bench-compare:end --> in -file with the contents of -in
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
)

var (
	mode        = flag.String("mode", "latency", "latency | alternate | throughput | burst | check | probe | procstat | metrics | report | splice")
	kubeconfig  = flag.String("kubeconfig", os.Getenv("KUBECONFIG"), "kubeconfig (admin)")
	armsFlag    = flag.String("arms", "plain=bench-plain,traceroll=bench-traceroll,otel=bench-otel", "label=namespace,...")
	webhooksArg = flag.String("webhooks", "", "label=webhook name,...: the API server's metrics of each arm's webhook are recorded per batch")
	deployment  = flag.String("deployment", "bench", "Deployment in each namespace whose ReplicaSet owns the pods")
	image       = flag.String("image", "eclipse-temurin:17", "the one container's image")
	n           = flag.Int("n", 300, "measured creates per arm and round (latency, alternate)")
	warmup      = flag.Int("warmup", 50, "warm-up creates per arm and round, not measured (latency, alternate, throughput)")
	rounds      = flag.Int("rounds", 3, "rounds (latency)")
	concurrency = flag.String("c", "8", "concurrent creators, a comma-separated list (throughput, burst)")
	idles       = flag.String("idle", "0s", "idle periods before a burst, a comma-separated list of durations (burst)")
	duration    = flag.Duration("duration", 20*time.Second, "duration per arm (throughput)")
	settle      = flag.Duration("settle", 3*time.Second, "pause after each batch's cleanup")
	out         = flag.String("out", "", "write the results (JSON) here; probe appends one JSON line")
	probeArm    = flag.String("arm", "traceroll", "arm label (probe)")
	since       = flag.Int64("since", 0, "process start, unix nanoseconds (probe)")
	probeEvery  = flag.Duration("interval", 20*time.Millisecond, "pause between probes (probe)")
	probeMax    = flag.Duration("timeout", 180*time.Second, "give up after (probe)")
	readyURL    = flag.String("ready-url", "", "also time the first 200 of this URL (probe)")
	probePid    = flag.Int("pid", 0, "the started process: fail when it exits, read /proc after (probe)")
	probeName   = flag.String("name", "", "operator name recorded with the probe's result (probe)")
	probeRound  = flag.Int("round", 0, "round recorded with the probe's result (probe)")
	pidsFlag    = flag.String("pids", "", "name=pid,... of processes whose CPU time each batch records (and procstat reads)")
	dirFlag     = flag.String("dir", "", "results directory (report)")
	mdFlag      = flag.String("md", "", "write the markdown here instead of stdout (report)")
	fileFlag    = flag.String("file", "", "file whose marker section is replaced (splice)")
	inFlag      = flag.String("in", "", "the new text of the marker section (splice)")
)

func main() {
	flag.Parse()
	switch *mode { // modes without a cluster
	case "report":
		must(report(*dirFlag, *mdFlag))
		return
	case "splice":
		must(splice(*fileFlag, *inFlag))
		return
	case "procstat":
		writeJSON(*out, procSnapshot(parsePids()))
		return
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", *kubeconfig)
	must(err)
	cfg.QPS = -1 // no client-side rate limiter
	cfg.UserAgent = "podcreatebench"
	cs, err := kubernetes.NewForConfig(cfg)
	must(err)
	ctx := context.Background()
	if *mode == "metrics" {
		m, err := scrape(ctx, cs)
		must(err)
		writeJSON(*out, metricsSnapshot{Time: time.Now().UTC(), Webhooks: m})
		return
	}
	arms := parseArms(ctx, cs)
	webhookOf := parseKV(*webhooksArg)

	res := phase{Mode: *mode, Started: time.Now().UTC(), Load: loadavg(), Webhooks: webhookOf}
	switch *mode {
	case "latency":
		for r := 0; r < *rounds; r++ {
			for _, a := range rotate(arms, r) {
				run := fmt.Sprintf("r%d-%s", r, a.Label)
				createSeq(ctx, cs, a, run+"-w", run, *warmup)
				before := scrapeIf(ctx, cs, webhookOf)
				c0 := markCPU()
				b := createSeq(ctx, cs, a, run+"-m", run, *n)
				b.Round, b.Mode = r, "sequential"
				b.CPUSeconds = markCPU().since(c0)
				attach([]*batch{b}, webhookOf, before, scrapeIf(ctx, cs, webhookOf))
				res.Batches = append(res.Batches, b)
				printBatch(b)
				must(cleanup(ctx, cs, a.Namespace, run))
			}
		}
		summarize(res.Batches)
	case "alternate":
		for _, a := range arms {
			createSeq(ctx, cs, a, "alt-w", "alt", *warmup)
		}
		bs := make([]*batch, len(arms))
		for j, a := range arms {
			bs[j] = &batch{Arm: a.Label, Namespace: a.Namespace, Mode: "alternate", Injection: map[string]int{}}
		}
		before := scrapeIf(ctx, cs, webhookOf)
		for i := 0; i < *n; i++ {
			for k := range arms {
				j := (k + i) % len(arms)
				createOne(ctx, cs, arms[j], arms[j].pod(fmt.Sprintf("alt-m-%d", i), "alt"), bs[j])
			}
		}
		attach(bs, webhookOf, before, scrapeIf(ctx, cs, webhookOf))
		for j, a := range arms {
			bs[j].finish()
			res.Batches = append(res.Batches, bs[j])
			printBatch(bs[j])
			must(cleanup(ctx, cs, a.Namespace, "alt"))
		}
		summarize(res.Batches)
	case "throughput":
		for ci, c := range intList(*concurrency) {
			for _, a := range rotate(arms, ci) {
				run := fmt.Sprintf("t%d-%s", c, a.Label)
				createSeq(ctx, cs, a, run+"-w", run, *warmup)
				before := scrapeIf(ctx, cs, webhookOf)
				c0 := markCPU()
				b := throughput(ctx, cs, a, c, run)
				b.CPUSeconds = markCPU().since(c0)
				attach([]*batch{b}, webhookOf, before, scrapeIf(ctx, cs, webhookOf))
				res.Batches = append(res.Batches, b)
				printBatch(b)
				must(cleanup(ctx, cs, a.Namespace, run))
			}
		}
	case "burst":
		for _, idle := range durationList(*idles) {
			for _, c := range intList(*concurrency) {
				run := fmt.Sprintf("b%d-%d", int(idle.Seconds()), c)
				before := scrapeIf(ctx, cs, webhookOf)
				fmt.Printf("burst: %s without pod creates, then %d concurrent creates per arm\n", idle, c)
				time.Sleep(idle)
				var bs []*batch
				for _, a := range arms {
					b := burst(ctx, cs, a, c, run)
					b.IdleS = idle.Seconds()
					bs = append(bs, b)
				}
				attach(bs, webhookOf, before, scrapeIf(ctx, cs, webhookOf))
				for _, b := range bs {
					res.Batches = append(res.Batches, b)
					printBatch(b)
				}
				for _, a := range arms {
					must(cleanup(ctx, cs, a.Namespace, run))
				}
			}
		}
	case "check":
		var checks []checkResult
		for _, a := range arms {
			sent := a.pod("check", "check")
			got, err := cs.CoreV1().Pods(a.Namespace).Create(ctx, sent.DeepCopy(), metav1.CreateOptions{})
			must(err)
			c := added(a, sent, got)
			checks = append(checks, c)
			fmt.Printf("== arm %s (namespace %s): injection=%s\n", a.Label, a.Namespace, c.Injection)
			for _, l := range c.lines() {
				fmt.Println("  " + l)
			}
			if *out != "" {
				raw, _ := json.MarshalIndent(got, "", "  ")
				must(os.WriteFile(strings.TrimSuffix(*out, ".json")+"-pod-"+a.Label+".json", raw, 0o644))
			}
			must(cleanup(ctx, cs, a.Namespace, "check"))
		}
		writeJSON(*out, checks)
		return
	case "probe":
		r := probe(ctx, cs, arms)
		if *out != "" {
			f, err := os.OpenFile(*out, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
			must(err)
			raw, _ := json.Marshal(r)
			_, err = f.Write(append(raw, '\n'))
			must(err)
			must(f.Close())
		}
		return
	default:
		must(fmt.Errorf("unknown mode %q", *mode))
	}
	res.Finished = time.Now().UTC()
	writeJSON(*out, res)
}

// ---- arms and pods --------------------------------------------------------------------------

type arm struct {
	Label, Namespace string
	owner            metav1.OwnerReference
	hash             string
}

func parseArms(ctx context.Context, cs *kubernetes.Clientset) []*arm {
	var arms []*arm
	for _, part := range strings.Split(*armsFlag, ",") {
		kv := strings.SplitN(part, "=", 2)
		if len(kv) != 2 {
			must(fmt.Errorf("bad -arms entry %q", part))
		}
		a := &arm{Label: kv[0], Namespace: kv[1]}
		dep, err := cs.AppsV1().Deployments(a.Namespace).Get(ctx, *deployment, metav1.GetOptions{})
		must(err)
		rsl, err := cs.AppsV1().ReplicaSets(a.Namespace).List(ctx, metav1.ListOptions{})
		must(err)
		for _, rs := range rsl.Items {
			if c := metav1.GetControllerOf(&rs); c != nil && c.UID == dep.UID {
				yes := true
				a.owner = metav1.OwnerReference{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: rs.Name,
					UID: rs.UID, Controller: &yes, BlockOwnerDeletion: &yes}
				a.hash = rs.Labels["pod-template-hash"]
			}
		}
		if a.hash == "" {
			must(fmt.Errorf("no ReplicaSet of deployment %s/%s yet", a.Namespace, *deployment))
		}
		arms = append(arms, a)
	}
	return arms
}

// The pod a ReplicaSet of the Deployment would create, plus a run label for cleanup. The same in
// every arm (the OpenTelemetry annotation is inert where that webhook is not registered).
func (a *arm) pod(name, run string) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			Name:      name,
			Namespace: a.Namespace,
			Labels: map[string]string{"app": *deployment, "pod-template-hash": a.hash,
				"bench-run": run},
			Annotations:     map[string]string{"instrumentation.opentelemetry.io/inject-java": "true"},
			OwnerReferences: []metav1.OwnerReference{a.owner},
		},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: *image}}},
	}
}

// What the stored pod carries: "traceroll" (its injected annotation or its agent init
// container, with a -javaagent option in the app container's environment), "otel" (its Java init
// container with such an option), else "partial" (one without the other) or "none". The option
// may be in JAVA_TOOL_OPTIONS (the OpenTelemetry Operator), _JAVA_OPTIONS (Traceroll now) or
// JDK_JAVA_OPTIONS.
func injection(p *corev1.Pod) string {
	agent := false
	for _, c := range p.Spec.Containers {
		for _, e := range c.Env {
			switch e.Name {
			case "JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS", "JDK_JAVA_OPTIONS":
				if strings.Contains(e.Value, "-javaagent") {
					agent = true
				}
			}
		}
	}
	if _, ok := p.Annotations["traceroll.io/injected"]; ok && agent {
		return "traceroll"
	}
	for _, c := range p.Spec.InitContainers {
		switch {
		case strings.HasPrefix(c.Name, "traceroll-agent") && agent:
			return "traceroll"
		case c.Name == "opentelemetry-auto-instrumentation-java" && agent:
			return "otel"
		}
	}
	if agent || len(p.Spec.InitContainers) > 0 {
		return "partial"
	}
	return "none"
}

// ---- batches ----------------------------------------------------------------------------------

type batch struct {
	Arm, Namespace string
	Round          int     `json:",omitempty"`
	Mode           string  // sequential, alternate, throughput, burst
	Concurrency    int     `json:",omitempty"`
	IdleS          float64 `json:",omitempty"`
	LatenciesMs    []float64
	Injection      map[string]int // what the created pods carry: traceroll, otel, partial, none
	Created        int            // creates that succeeded
	Errors         int
	FirstError     string             `json:",omitempty"`
	ElapsedS       float64            `json:",omitempty"`
	PodsPerS       float64            `json:",omitempty"`
	Stats          stats              // of LatenciesMs (successful creates)
	Webhook        *whDelta           `json:",omitempty"`
	CPUSeconds     map[string]float64 `json:",omitempty"` // of -pids, during the measured creates
	mu             sync.Mutex
	lat            []time.Duration
}

type stats struct {
	N                        int
	P50, P90, P99, Max, Mean float64
}

type phase struct {
	Mode              string
	Started, Finished time.Time
	Load              string
	Webhooks          map[string]string `json:",omitempty"`
	Batches           []*batch
}

// One create; counts it into b (safe for concurrent creators).
func createOne(ctx context.Context, cs *kubernetes.Clientset, a *arm, p *corev1.Pod, b *batch) {
	t0 := time.Now()
	got, err := cs.CoreV1().Pods(a.Namespace).Create(ctx, p, metav1.CreateOptions{})
	d := time.Since(t0)
	b.mu.Lock()
	defer b.mu.Unlock()
	if err != nil {
		b.Errors++
		if b.FirstError == "" {
			b.FirstError = err.Error()
		}
		return
	}
	b.Created++
	b.lat = append(b.lat, d)
	b.Injection[injection(got)]++
}

func (b *batch) finish() {
	b.LatenciesMs = make([]float64, len(b.lat))
	for i, d := range b.lat {
		b.LatenciesMs[i] = float64(d.Nanoseconds()) / 1e6
	}
	b.Stats = statsOf(b.LatenciesMs)
}

func createSeq(ctx context.Context, cs *kubernetes.Clientset, a *arm, prefix, run string, count int) *batch {
	b := &batch{Arm: a.Label, Namespace: a.Namespace, Injection: map[string]int{}}
	for i := 0; i < count; i++ {
		createOne(ctx, cs, a, a.pod(fmt.Sprintf("%s-%d", prefix, i), run), b)
	}
	b.finish()
	return b
}

func throughput(ctx context.Context, cs *kubernetes.Clientset, a *arm, c int, run string) *batch {
	b := &batch{Arm: a.Label, Namespace: a.Namespace, Mode: "throughput", Concurrency: c, Injection: map[string]int{}}
	var wg sync.WaitGroup
	start := time.Now()
	stop := start.Add(*duration)
	for w := 0; w < c; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; time.Now().Before(stop); i++ {
				createOne(ctx, cs, a, a.pod(fmt.Sprintf("%s-c%d-%d", run, w, i), run), b)
			}
		}(w)
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.finish()
	b.ElapsedS = elapsed.Seconds()
	b.PodsPerS = float64(b.Created) / elapsed.Seconds()
	return b
}

// c creators, each with its pod built, wait at a barrier; closing it releases all at once.
func burst(ctx context.Context, cs *kubernetes.Clientset, a *arm, c int, run string) *batch {
	b := &batch{Arm: a.Label, Namespace: a.Namespace, Mode: "burst", Concurrency: c, Injection: map[string]int{}}
	gate := make(chan struct{})
	var ready, done sync.WaitGroup
	for w := 0; w < c; w++ {
		ready.Add(1)
		done.Add(1)
		go func(w int) {
			defer done.Done()
			p := a.pod(fmt.Sprintf("%s-%s-%d", run, a.Label, w), run)
			ready.Done()
			<-gate
			createOne(ctx, cs, a, p, b)
		}(w)
	}
	ready.Wait()
	start := time.Now()
	close(gate)
	done.Wait()
	b.ElapsedS = time.Since(start).Seconds()
	b.finish()
	return b
}

// ---- check ------------------------------------------------------------------------------------

type checkResult struct {
	Arm, Namespace, Injection string
	InitContainers            []string // name image
	Env                       []string // container: NAME=value
	VolumeMounts              []string // container: name -> path
	Volumes                   []string
	Annotations               []string
	Labels                    []string
}

// What the stored pod has that the pod sent had not, in the fields the webhooks touch; the
// ServiceAccount token volume every pod gets from the API server's own admission is left out.
func added(a *arm, sent, got *corev1.Pod) checkResult {
	r := checkResult{Arm: a.Label, Namespace: a.Namespace, Injection: injection(got)}
	short := func(s string) string {
		if len(s) > 120 {
			return s[:117] + "..."
		}
		return s
	}
	for _, c := range got.Spec.InitContainers {
		r.InitContainers = append(r.InitContainers, c.Name+" "+c.Image)
	}
	for _, c := range got.Spec.Containers {
		for _, e := range c.Env {
			v := e.Value
			if e.ValueFrom != nil {
				v = "(valueFrom)"
			}
			r.Env = append(r.Env, c.Name+": "+e.Name+"="+short(v))
		}
		for _, m := range c.VolumeMounts {
			if !strings.HasPrefix(m.Name, "kube-api-access-") {
				r.VolumeMounts = append(r.VolumeMounts, c.Name+": "+m.Name+" -> "+m.MountPath)
			}
		}
	}
	for _, v := range got.Spec.Volumes {
		if !strings.HasPrefix(v.Name, "kube-api-access-") {
			r.Volumes = append(r.Volumes, v.Name)
		}
	}
	for k, v := range got.Annotations {
		if _, ok := sent.Annotations[k]; !ok {
			r.Annotations = append(r.Annotations, k+"="+short(v))
		}
	}
	for k, v := range got.Labels {
		if _, ok := sent.Labels[k]; !ok {
			r.Labels = append(r.Labels, k+"="+v)
		}
	}
	sort.Strings(r.Annotations)
	sort.Strings(r.Labels)
	return r
}

func (c checkResult) lines() []string {
	var l []string
	add := func(what string, xs []string) {
		for _, x := range xs {
			l = append(l, what+" "+x)
		}
	}
	add("initContainer", c.InitContainers)
	add("env", c.Env)
	add("volumeMount", c.VolumeMounts)
	add("volume", c.Volumes)
	add("annotation", c.Annotations)
	add("label", c.Labels)
	if len(l) == 0 {
		l = append(l, "(nothing added)")
	}
	return l
}

// ---- probe ------------------------------------------------------------------------------------

type probeResult struct {
	Name           string
	Round          int
	Injection      string
	FirstMutatedMs float64
	Probes         int
	ReadyMs        float64   `json:",omitempty"`
	Proc           *procStat `json:",omitempty"`
}

func probe(ctx context.Context, cs *kubernetes.Clientset, arms []*arm) probeResult {
	var a *arm
	for _, x := range arms {
		if x.Label == *probeArm {
			a = x
		}
	}
	if a == nil {
		must(fmt.Errorf("no arm %q", *probeArm))
	}
	r := probeResult{Name: *probeName, Round: *probeRound}
	deadline := time.Now().Add(*probeMax)
	alive := func() {
		if *probePid > 0 {
			if _, err := os.Stat(fmt.Sprintf("/proc/%d", *probePid)); err != nil {
				must(fmt.Errorf("process %d exited", *probePid))
			}
		}
	}
	readyCh := make(chan float64, 1)
	if *readyURL != "" {
		go func() {
			hc := &http.Client{Timeout: time.Second}
			for time.Now().Before(deadline) {
				if resp, err := hc.Get(*readyURL); err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode == 200 {
						readyCh <- float64(time.Now().UnixNano()-*since) / 1e6
						return
					}
				}
				time.Sleep(*probeEvery)
			}
		}()
	}
	last := "no answer yet"
	for {
		if time.Now().After(deadline) {
			must(fmt.Errorf("no mutated admission in arm %s within %s (last answer: %s)", a.Label, *probeMax, last))
		}
		alive()
		r.Probes++
		sent := a.pod(fmt.Sprintf("probe-%d", r.Probes), "probe")
		got, err := cs.CoreV1().Pods(a.Namespace).Create(ctx, sent.DeepCopy(),
			metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
		if err == nil && injection(got) == a.Label {
			r.FirstMutatedMs = float64(time.Now().UnixNano()-*since) / 1e6
			r.Injection = injection(got)
			break
		}
		if err != nil {
			last = "error: " + err.Error()
		} else {
			last = "injection " + injection(got) + "; " + strings.Join(added(a, sent, got).lines(), "; ")
		}
		time.Sleep(*probeEvery)
	}
	if *readyURL != "" {
		select {
		case r.ReadyMs = <-readyCh:
		case <-time.After(time.Until(deadline)):
			must(fmt.Errorf("%s not 200 within %s", *readyURL, *probeMax))
		}
	}
	if *probePid > 0 {
		s := readProc(strconv.Itoa(*probePid))
		r.Proc = &s
	}
	fmt.Printf("first mutated admission (%s) %.0f ms after process start (%d probes)", r.Injection, r.FirstMutatedMs, r.Probes)
	if r.ReadyMs > 0 {
		fmt.Printf(", ready after %.0f ms", r.ReadyMs)
	}
	if r.Proc != nil {
		fmt.Printf(", rss %d KiB, threads %d, cpu %.2f s", r.Proc.RSSKiB, r.Proc.Threads, r.Proc.CPUSeconds)
	}
	fmt.Println()
	return r
}

// Deletes the batch's pods (grace period 0: deleting is not measured) and waits until the API
// server has none left, then pauses so the next batch starts from a quiet cluster.
func cleanup(ctx context.Context, cs *kubernetes.Clientset, ns, run string) error {
	sel := metav1.ListOptions{LabelSelector: "bench-run=" + run}
	zero := int64(0)
	if err := cs.CoreV1().Pods(ns).DeleteCollection(ctx, metav1.DeleteOptions{GracePeriodSeconds: &zero}, sel); err != nil {
		return err
	}
	for deadline := time.Now().Add(5 * time.Minute); time.Now().Before(deadline); {
		l, err := cs.CoreV1().Pods(ns).List(ctx, sel)
		if err != nil {
			return err
		}
		if len(l.Items) == 0 {
			time.Sleep(*settle)
			return nil
		}
		time.Sleep(500 * time.Millisecond)
	}
	return fmt.Errorf("pods of run %s in %s not gone after 5 min", run, ns)
}

func rotate(arms []*arm, r int) []*arm {
	out := make([]*arm, len(arms))
	for i := range arms {
		out[i] = arms[(i+r)%len(arms)]
	}
	return out
}

// ---- the API server's webhook metrics ---------------------------------------------------------

type whStats struct {
	Calls, SumS, FailOpen, Rejections float64
	Codes                             map[string]float64 `json:",omitempty"` // webhook_request_total by code
}

type metricsSnapshot struct {
	Time     time.Time
	Webhooks map[string]*whStats
}

// A webhook's share of a batch: its calls, per pod the arm created or tried to.
type whDelta struct {
	Webhook                      string
	Calls, Pods                  float64
	CallsPerPod, MeanMsPerCall   float64
	FailOpen, Rejections, Non200 float64
}

var labelRE = regexp.MustCompile(`(\w+)="((?:[^"\\]|\\.)*)"`)

func scrape(ctx context.Context, cs *kubernetes.Clientset) (map[string]*whStats, error) {
	raw, err := cs.CoreV1().RESTClient().Get().AbsPath("/metrics").DoRaw(ctx)
	if err != nil {
		return nil, err
	}
	m := map[string]*whStats{}
	sc := bufio.NewScanner(bytes.NewReader(raw))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "apiserver_admission_webhook_") {
			continue
		}
		name, rest, _ := strings.Cut(line, "{")
		labelText, valueText, ok := strings.Cut(rest, "} ")
		if !ok {
			continue
		}
		v, err := strconv.ParseFloat(strings.Fields(valueText)[0], 64)
		if err != nil {
			continue
		}
		labels := map[string]string{}
		for _, kv := range labelRE.FindAllStringSubmatch(labelText, -1) {
			labels[kv[1]] = kv[2]
		}
		wh := labels["name"]
		if wh == "" {
			continue
		}
		s := m[wh]
		if s == nil {
			s = &whStats{Codes: map[string]float64{}}
			m[wh] = s
		}
		switch name {
		case "apiserver_admission_webhook_admission_duration_seconds_count":
			s.Calls += v
		case "apiserver_admission_webhook_admission_duration_seconds_sum":
			s.SumS += v
		case "apiserver_admission_webhook_fail_open_count":
			s.FailOpen += v
		case "apiserver_admission_webhook_rejection_count":
			s.Rejections += v
		case "apiserver_admission_webhook_request_total":
			s.Codes[labels["code"]] += v
		}
	}
	return m, sc.Err()
}

func scrapeIf(ctx context.Context, cs *kubernetes.Clientset, webhookOf map[string]string) map[string]*whStats {
	if len(webhookOf) == 0 {
		return nil
	}
	m, err := scrape(ctx, cs)
	must(err)
	return m
}

func delta(name string, before, after map[string]*whStats, pods float64) *whDelta {
	a, b := after[name], before[name]
	if a == nil {
		a = &whStats{}
	}
	if b == nil {
		b = &whStats{}
	}
	d := &whDelta{Webhook: name, Calls: a.Calls - b.Calls, Pods: pods, FailOpen: a.FailOpen - b.FailOpen,
		Rejections: a.Rejections - b.Rejections}
	for code, v := range a.Codes {
		if code != "200" {
			d.Non200 += v - b.Codes[code]
		}
	}
	if d.Calls > 0 {
		d.MeanMsPerCall = 1000 * (a.SumS - b.SumS) / d.Calls
	}
	if pods > 0 {
		d.CallsPerPod = d.Calls / pods
	}
	return d
}

// Each batch gets its arm's webhook's share of the change between two scrapes. Every arm has its
// own webhook, so batches of different arms may share one pair of scrapes.
func attach(bs []*batch, webhookOf map[string]string, before, after map[string]*whStats) {
	if before == nil || after == nil {
		return
	}
	for _, b := range bs {
		if wh, ok := webhookOf[b.Arm]; ok {
			b.Webhook = delta(wh, before, after, float64(b.Created+b.Errors))
		}
	}
}

// ---- processes --------------------------------------------------------------------------------

type procStat struct {
	Pid            string
	RSSKiB, HWMKiB int64
	Threads        int
	CPUSeconds     float64
	Gone           bool `json:",omitempty"`
}

type procSnap struct {
	Time  time.Time
	Load  string
	Procs map[string]procStat
}

// RSS, peak RSS and threads from /proc/<pid>/status; CPU seconds (user+system) from
// /proc/<pid>/stat in clock ticks of 1/100 s (USER_HZ on Linux).
func readProc(pid string) procStat {
	s := procStat{Pid: pid}
	status, err := os.ReadFile("/proc/" + pid + "/status")
	if err != nil {
		s.Gone = true
		return s
	}
	for _, line := range strings.Split(string(status), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		v, _ := strconv.ParseInt(f[1], 10, 64)
		switch f[0] {
		case "VmRSS:":
			s.RSSKiB = v
		case "VmHWM:":
			s.HWMKiB = v
		case "Threads:":
			s.Threads = int(v)
		}
	}
	s.CPUSeconds = cpuSeconds(pid)
	return s
}

func cpuSeconds(pid string) float64 {
	raw, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return math.NaN()
	}
	s := string(raw)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	ut, _ := strconv.ParseFloat(f[11], 64)
	st, _ := strconv.ParseFloat(f[12], 64)
	return (ut + st) / 100
}

func parsePids() map[string]string { return parseKV(*pidsFlag) }

func procSnapshot(pids map[string]string) procSnap {
	s := procSnap{Time: time.Now().UTC(), Load: loadavg(), Procs: map[string]procStat{}}
	for name, pid := range pids {
		s.Procs[name] = readProc(pid)
	}
	return s
}

type cpuMark map[string]float64

func markCPU() cpuMark {
	m := cpuMark{}
	for name, pid := range parsePids() {
		m[name] = cpuSeconds(pid)
	}
	return m
}

func (m cpuMark) since(before cpuMark) map[string]float64 {
	d := map[string]float64{}
	for k, v := range m {
		d[k] = math.Round((v-before[k])*100) / 100
	}
	return d
}

func loadavg() string {
	raw, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(raw))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}

// ---- numbers ----------------------------------------------------------------------------------

// Percentiles as PodCreateBenchmark takes them: sorted[ceil(q*n)-1].
func statsOf(ms []float64) stats {
	s := append([]float64(nil), ms...)
	sort.Float64s(s)
	if len(s) == 0 {
		return stats{}
	}
	q := func(p float64) float64 {
		i := int(math.Ceil(p*float64(len(s)))) - 1
		return s[max(0, min(len(s)-1, i))]
	}
	sum := 0.0
	for _, v := range s {
		sum += v
	}
	return stats{N: len(s), P50: q(0.5), P90: q(0.9), P99: q(0.99), Max: s[len(s)-1], Mean: sum / float64(len(s))}
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func printBatch(b *batch) {
	s := b.Stats
	fmt.Printf("%-10s", b.Mode)
	switch b.Mode {
	case "sequential":
		fmt.Printf(" round %d", b.Round)
	case "throughput":
		fmt.Printf(" c=%d", b.Concurrency)
	case "burst":
		fmt.Printf(" idle %.0fs c=%d", b.IdleS, b.Concurrency)
	}
	fmt.Printf(" arm %-9s n=%-5d p50 %6.2f  p90 %6.2f  p99 %6.2f  max %7.2f  mean %6.2f ms  injection %v  errors %d",
		b.Arm, s.N, s.P50, s.P90, s.P99, s.Max, s.Mean, b.Injection, b.Errors)
	if b.PodsPerS > 0 {
		fmt.Printf("  %.1f pods/s over %.1fs", b.PodsPerS, b.ElapsedS)
	}
	if w := b.Webhook; w != nil {
		fmt.Printf("  webhook %.2f calls/pod, %.2f ms/call, fail-open %.0f", w.CallsPerPod, w.MeanMsPerCall, w.FailOpen)
	}
	if len(b.CPUSeconds) > 0 {
		fmt.Printf("  cpu_s %v", b.CPUSeconds)
	}
	if b.FirstError != "" {
		fmt.Printf("  first error: %s", b.FirstError)
	}
	fmt.Println()
}

func summarize(bs []*batch) {
	pooled, order := pool(bs)
	fmt.Println("pooled over rounds:")
	for _, a := range order {
		s := statsOf(pooled[a])
		fmt.Printf("  arm %-9s n=%-5d p50 %6.2f  p90 %6.2f  p99 %6.2f  max %7.2f  mean %6.2f ms\n", a, s.N, s.P50, s.P90, s.P99, s.Max, s.Mean)
	}
}

// Latencies pooled per arm, and the arms in first-seen order.
func pool(bs []*batch) (map[string][]float64, []string) {
	pooled := map[string][]float64{}
	var order []string
	for _, b := range bs {
		if _, ok := pooled[b.Arm]; !ok {
			order = append(order, b.Arm)
		}
		pooled[b.Arm] = append(pooled[b.Arm], b.LatenciesMs...)
	}
	return pooled, order
}

// ---- small helpers ----------------------------------------------------------------------------

func parseKV(s string) map[string]string {
	m := map[string]string{}
	if s == "" {
		return m
	}
	for _, kv := range strings.Split(s, ",") {
		p := strings.SplitN(kv, "=", 2)
		if len(p) != 2 {
			must(fmt.Errorf("bad name=value entry %q", kv))
		}
		m[p[0]] = p[1]
	}
	return m
}

func intList(s string) []int {
	var out []int
	for _, x := range strings.Split(s, ",") {
		v, err := strconv.Atoi(strings.TrimSpace(x))
		must(err)
		out = append(out, v)
	}
	return out
}

func durationList(s string) []time.Duration {
	var out []time.Duration
	for _, x := range strings.Split(s, ",") {
		v, err := time.ParseDuration(strings.TrimSpace(x))
		must(err)
		out = append(out, v)
	}
	return out
}

func writeJSON(path string, v any) {
	if path == "" {
		return
	}
	raw, err := json.MarshalIndent(v, "", " ")
	must(err)
	must(os.MkdirAll(filepath.Dir(path), 0o755))
	must(os.WriteFile(path, raw, 0o644))
}

func must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "podcreatebench:", err)
		os.Exit(1)
	}
}
