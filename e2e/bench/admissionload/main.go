// Command admissionload drives an admission webhook the way the API server does: Go's HTTP
// client over TLS (HTTP/2 when the server offers it, as the API server's webhook client does),
// POSTing one AdmissionReview at a fixed rate without waiting for answers (open loop).
//
// It prints one JSON object: requests sent and answered, failures and the first failure's
// text, the negotiated protocol, connections opened, and client-side latency percentiles in ms.
package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"os"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	url := flag.String("url", "", "https URL of the webhook")
	caFile := flag.String("ca", "", "PEM file of the CA that issued the server's certificate")
	bodyFile := flag.String("body", "", "file holding the AdmissionReview to POST")
	rate := flag.Int("rate", 1000, "requests per second")
	duration := flag.Duration("duration", 20*time.Second, "how long to send for")
	warmup := flag.Duration("warmup", 10*time.Second, "sending at the same rate before measuring")
	proto := flag.String("proto", "h2", "h2 or http1.1")
	timeout := flag.Duration("timeout", 10*time.Second, "per-request timeout, as the webhook's")
	flag.Parse()

	pem, err := os.ReadFile(*caFile)
	check(err)
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		check(fmt.Errorf("no certificate in %s", *caFile))
	}
	body, err := os.ReadFile(*bodyFile)
	check(err)

	var dials atomic.Int64
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	transport := &http.Transport{
		TLSClientConfig:     &tls.Config{RootCAs: pool},
		ForceAttemptHTTP2:   *proto == "h2",
		MaxIdleConnsPerHost: 100,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			dials.Add(1)
			return dialer.DialContext(ctx, network, addr)
		},
	}
	if *proto != "h2" {
		transport.TLSNextProto = map[string]func(string, *tls.Conn) http.RoundTripper{}
	}
	client := &http.Client{Transport: transport, Timeout: *timeout}

	// One request first, so the run starts on an open connection as the API server's does.
	negotiated, err := send(client, *url, body)
	check(err)

	run(client, *url, body, *rate, *warmup, nil)
	dials.Store(0)
	fmt.Fprintln(os.Stderr, "measuring") // the caller's cue to reset its own counters
	var samples []time.Duration
	var mu sync.Mutex
	start := time.Now()
	failed, first := run(client, *url, body, *rate, *duration, func(d time.Duration) {
		mu.Lock()
		samples = append(samples, d)
		mu.Unlock()
	})
	elapsed := time.Since(start)

	sort.Slice(samples, func(i, j int) bool { return samples[i] < samples[j] })
	out := map[string]any{
		"protocol":        negotiated,
		"answered":        len(samples),
		"failed":          failed,
		"firstFailure":    first,
		"seconds":         elapsed.Seconds(),
		"perSecond":       float64(len(samples)) / elapsed.Seconds(),
		"connectionsOpen": dials.Load(),
	}
	for _, q := range []float64{0.5, 0.9, 0.99, 0.999, 1} {
		out[fmt.Sprintf("p%g", q*100)] = quantile(samples, q)
	}
	enc := json.NewEncoder(os.Stdout)
	check(enc.Encode(out))
}

// run sends at rate for d and waits for every answer; it returns failures and the first one.
func run(client *http.Client, url string, body []byte, rate int, d time.Duration,
	record func(time.Duration)) (int64, string) {
	var failed atomic.Int64
	var first atomic.Value
	var wg sync.WaitGroup
	interval := time.Second / time.Duration(rate)
	next := time.Now()
	end := next.Add(d)
	for next.Before(end) {
		sent := next
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := send(client, url, body)
			if err != nil {
				if failed.Add(1) == 1 {
					first.Store(err.Error())
				}
				return
			}
			if record != nil {
				record(time.Since(sent))
			}
		}()
		next = next.Add(interval)
		time.Sleep(time.Until(next))
	}
	wg.Wait()
	text, _ := first.Load().(string)
	return failed.Load(), text
}

func send(client *http.Client, url string, body []byte) (string, error) {
	resp, err := client.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	return resp.Proto, nil
}

func quantile(sorted []time.Duration, q float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	if i < 0 {
		i = 0
	}
	return float64(sorted[i].Microseconds()) / 1000
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "admissionload:", err)
		os.Exit(1)
	}
}
