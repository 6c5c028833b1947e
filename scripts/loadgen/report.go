package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"time"
)

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func printCapacity(w io.Writer, rows []capacityRow) {
	fmt.Fprintf(w, "DynamoDB per operation (warm process; ReturnConsumedCapacity=INDEXES on DynamoDB Local)\n")
	fmt.Fprintf(w, "%-62s %-30s %6s %8s %6s %8s\n", "operation", "calls", "RCU", "RRU AWS", "WCU", "GSI WCU")
	for _, r := range rows {
		fmt.Fprintf(w, "%-62s %-30s %6.1f %8.1f %6.1f %8.1f\n", r.op, describeCalls(r.calls),
			r.usage.read+r.usage.indexRead, r.usage.billedRead, r.usage.write, r.usage.indexWrite)
	}
	fmt.Fprintln(w)
}

func printStartups(w io.Writer, starts []startup) {
	fmt.Fprintf(w, "\nLambda functions (arm64 size; start-up of the host build, median of %d)\n", startupRuns)
	fmt.Fprintf(w, "%-14s %10s %9s %12s %10s %9s\n", "function", "size MiB", "init ms", "init CPU ms", "first ms", "warm ms")
	for _, s := range starts {
		fmt.Fprintf(w, "%-14s %10.1f %9.1f %12.0f %10.1f %9.1f\n", s.function, float64(s.size)/(1<<20),
			ms(s.init), ms(s.initCPU), ms(s.first), ms(s.second))
	}
}

func printResult(w io.Writer, r result, header bool) {
	if header {
		fmt.Fprintf(w, "%-48s %5s %9s %8s %8s %7s %12s %9s\n", "endpoint", "conc", "req/s", "p50 ms", "p99 ms", "errors", "CPU ms/req", "log B/req")
	}
	fmt.Fprintf(w, "%-48s %5d %9.0f %8.2f %8.2f %7d %12.3f %9.0f\n", r.sc.route, r.concurrency, r.rps(),
		ms(r.p50), ms(r.p99), r.errors, r.cpuPerRequest(), r.logPerRequest())
	if r.firstError != nil {
		fmt.Fprintf(w, "    first error: %v\n", r.firstError)
	}
}

// report is everything one run measured.
type report struct {
	results               []result
	capacity              []capacityRow
	starts                []startup
	loadBefore, loadAfter string
}

// loadAverage is the first three fields of /proc/loadavg: how busy the
// machine was, which the CPU figures depend on.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	return strings.Join(f[:min(3, len(f))], " ")
}

// writeMarkdown writes the tables for docs/performance.md.
func writeMarkdown(path string, rep report, o options) error {
	results, capacity, starts := rep.results, rep.capacity, rep.starts
	var b strings.Builder
	fmt.Fprintf(&b, "Measured %s on %s, %s; Go %s; %g s per endpoint and concurrency; load average %s before, %s after.\n\n",
		time.Now().UTC().Format("2006-01-02"), machine(), memory(), strings.TrimPrefix(runtime.Version(), "go"), o.seconds,
		rep.loadBefore, rep.loadAfter)
	b.WriteString("| endpoint | concurrency | requests/s | p50 ms | p99 ms | errors | server CPU ms/request | log bytes/request |\n")
	b.WriteString("|---|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, r := range results {
		fmt.Fprintf(&b, "| %s | %d | %.0f | %.2f | %.2f | %d | %.3f | %.0f |\n", r.sc.route, r.concurrency, r.rps(),
			ms(r.p50), ms(r.p99), r.errors, r.cpuPerRequest(), r.logPerRequest())
	}
	b.WriteString("\nDynamoDB requests and consumed capacity per operation, warm process (client and key set cached):\n\n")
	b.WriteString("| operation | DynamoDB calls | read units reported | read units billed on AWS | write units (table) | write units (GSI) |\n")
	b.WriteString("|---|---|---:|---:|---:|---:|\n")
	for _, r := range capacity {
		fmt.Fprintf(&b, "| %s | %s | %.1f | %.1f | %.1f | %.1f |\n", r.op, describeCalls(r.calls),
			r.usage.read+r.usage.indexRead, r.usage.billedRead, r.usage.write, r.usage.indexWrite)
	}
	b.WriteString("\n")
	writeCosts(&b, results, capacity, o)
	if len(starts) > 0 {
		b.WriteString("Lambda functions: binary size as SAM builds them (linux/arm64, `-tags lambda.norpc -trimpath -ldflags=-s`), " +
			"and start-up of the same build for this machine under a stand-in Lambda Runtime API, median of 5 cold processes " +
			"(init = exec until the runtime asks for its first event: config, AWS client, app wiring; the first invocation " +
			"reads the client and the key set and opens the key):\n\n")
		b.WriteString("| function | binary MiB | init ms | init CPU ms | first invocation ms | warm invocation ms |\n")
		b.WriteString("|---|---:|---:|---:|---:|---:|\n")
		for _, s := range starts {
			fmt.Fprintf(&b, "| %s | %.1f | %.1f | %.0f | %.1f | %.1f |\n", s.function, float64(s.size)/(1<<20),
				ms(s.init), ms(s.initCPU), ms(s.first), ms(s.second))
		}
		b.WriteString("\n")
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

// machine is "N CPUs, model" from /proc/cpuinfo.
func machine() string {
	model := "unknown CPU"
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		defer f.Close()
		s := bufio.NewScanner(f)
		for s.Scan() {
			if k, v, ok := strings.Cut(s.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
	}
	return fmt.Sprintf("%d CPUs (%s/%s, %s)", runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, model)
}

// memory is MemTotal from /proc/meminfo in GiB.
func memory() string {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return "unknown memory"
	}
	var kib int64
	for _, line := range strings.Split(string(b), "\n") {
		if _, err := fmt.Sscanf(line, "MemTotal: %d kB", &kib); err == nil {
			break
		}
	}
	return fmt.Sprintf("%.1f GiB RAM", float64(kib)/(1<<20))
}
