package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// result is one endpoint at one concurrency.
type result struct {
	sc          *scenario
	concurrency int
	requests    int
	errors      int
	firstError  error
	elapsed     time.Duration
	p50, p99    time.Duration
	cpu         time.Duration // the server's user+system CPU over the phase
	logBytes    int64         // what the server logged over the phase
}

func (r result) rps() float64 { return float64(r.requests) / r.elapsed.Seconds() }

// cpuPerRequest is the server's CPU milliseconds per request.
func (r result) cpuPerRequest() float64 {
	return float64(r.cpu) / float64(time.Millisecond) / float64(max(r.requests, 1))
}

func (r result) logPerRequest() float64 { return float64(r.logBytes) / float64(max(r.requests, 1)) }

// measure readies c workers, then drives the scenario for o.seconds and
// reads the server's CPU time before and after. A worker starts no
// request after the deadline and finishes the one in flight, so every
// request the server worked on is counted.
func measure(ctx context.Context, o options, sc *scenario, pool *workerPool, c int) (result, error) {
	workers := pool.take(c)
	phase := time.Duration(o.seconds * float64(time.Second))
	if err := setupAll(ctx, sc, workers, time.Now().Add(phase/2)); err != nil {
		return result{}, fmt.Errorf("setup: %w", err)
	}
	cpu0, err := serverCPU(o.pid, o.clkTck)
	if err != nil {
		return result{}, err
	}
	log0 := fileSize(o.serverLog)
	start := time.Now()
	runs := drive(ctx, sc, workers, start.Add(phase))
	elapsed := time.Since(start)
	cpu1, err := serverCPU(o.pid, o.clkTck)
	if err != nil {
		return result{}, err
	}
	r := summarise(runs)
	r.sc, r.concurrency, r.elapsed, r.cpu = sc, c, elapsed, cpu1-cpu0
	r.logBytes = fileSize(o.serverLog) - log0
	return r, ctx.Err()
}

func setupAll(ctx context.Context, sc *scenario, workers []*worker, until time.Time) error {
	errs := make([]error, len(workers))
	var wg sync.WaitGroup
	for i, w := range workers {
		wg.Go(func() { errs[i] = sc.setup(ctx, w, until) })
	}
	wg.Wait()
	return errors.Join(errs...)
}

// workerRun is what one worker saw.
type workerRun struct {
	latencies []time.Duration
	errors    int
	first     error
}

// drive runs every worker until the deadline, or until one of them runs
// out of work (errPoolEmpty), which ends the phase for all.
func drive(ctx context.Context, sc *scenario, workers []*worker, deadline time.Time) []workerRun {
	runs := make([]workerRun, len(workers))
	var stop sync.Once
	done := make(chan struct{})
	var wg sync.WaitGroup
	for i, w := range workers {
		wg.Go(func() {
			r := &runs[i]
			for time.Now().Before(deadline) && ctx.Err() == nil {
				select {
				case <-done:
					return
				default:
				}
				t := time.Now()
				err := sc.do(ctx, w)
				if errors.Is(err, errPoolEmpty) {
					stop.Do(func() { close(done) })
					return
				}
				r.latencies = append(r.latencies, time.Since(t))
				if err != nil {
					r.errors++
					r.first = cmpOr(r.first, err)
				}
			}
		})
	}
	wg.Wait()
	return runs
}

func cmpOr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

// summarise merges the workers' runs into counts and percentiles.
func summarise(runs []workerRun) result {
	var all []time.Duration
	var r result
	for _, w := range runs {
		all = append(all, w.latencies...)
		r.errors += w.errors
		r.firstError = cmpOr(r.firstError, w.first)
	}
	slices.Sort(all)
	r.requests = len(all)
	r.p50, r.p99 = percentile(all, 0.50), percentile(all, 0.99)
	return r
}

// percentile returns the nearest-rank percentile of sorted durations.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted))*p+0.999999) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

// serverCPU returns the user+system CPU time of process pid so far, from
// fields 14 and 15 of /proc/PID/stat (clock ticks; proc(5)). Only that
// process: DynamoDB Local and this load generator are other processes.
func serverCPU(pid, clkTck int) (time.Duration, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, fmt.Errorf("server CPU: %w", err)
	}
	// The command name (field 2) may hold spaces; the fields after it do not.
	s := string(b)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(fields) < 13 {
		return 0, fmt.Errorf("server CPU: short /proc/%d/stat", pid)
	}
	utime, err1 := strconv.ParseInt(fields[11], 10, 64)
	stime, err2 := strconv.ParseInt(fields[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, fmt.Errorf("server CPU: %w", err)
	}
	return time.Duration(utime+stime) * time.Second / time.Duration(clkTck), nil
}

// fileSize returns the size of the file at path, 0 when there is none.
func fileSize(path string) int64 {
	if path == "" {
		return 0
	}
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.Size()
}

func totalRequests(rs []result) int {
	n := 0
	for _, r := range rs {
		n += r.requests
	}
	return n
}
