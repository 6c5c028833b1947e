// Command loadgen is the load generator of `make bench` (scripts/bench.sh).
//
// It seeds a running `latchkey serve` on 127.0.0.1 through the table it
// serves from (TABLE_NAME, DYNAMODB_ENDPOINT and KEY_ENCRYPTION_KEY as the
// server has them), records the DynamoDB capacity each operation consumes,
// then drives every endpoint with closed-loop load at each concurrency for
// a fixed time and prints one row per endpoint and concurrency: requests
// per second, p50/p99 latency, errors, and the server's CPU milliseconds
// per request, read from /proc/PID/stat of the server process alone.
//
//	loadgen -url http://127.0.0.1:18080 -pid 1234 -clk-tck 100 -seconds 10 -concurrency 1,8,32 -markdown out.md
package main

import (
	"context"
	"flag"
	"fmt"
	"net/url"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// options are the command line.
type options struct {
	base        string
	pid         int
	clkTck      int
	seconds     float64
	concurrency []int
	scenarios   []string
	serverLog   string
	markdown    string
	// lambdaMemoryMB and dynamoMS are the cost model's assumptions.
	lambdaMemoryMB int
	dynamoMS       float64
	// lambdaDir holds the functions built as SAM builds them (sizes);
	// startupDir the same builds for this machine (start-up times).
	lambdaDir  string
	startupDir string
	functions  []string
	template   string
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	o, err := parseOptions(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(2)
	}
	if err := run(ctx, o); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

func parseOptions(args []string) (options, error) {
	fs := flag.NewFlagSet("loadgen", flag.ContinueOnError)
	var o options
	var levels, names string
	fs.StringVar(&o.base, "url", "", "base URL of latchkey serve; must be http://127.0.0.1:PORT")
	fs.IntVar(&o.pid, "pid", 0, "process id of latchkey serve, for its CPU time")
	fs.IntVar(&o.clkTck, "clk-tck", 0, "clock ticks per second of /proc/PID/stat (getconf CLK_TCK)")
	fs.Float64Var(&o.seconds, "seconds", 10, "seconds of load per endpoint and concurrency")
	fs.StringVar(&levels, "concurrency", "1,8,32", "comma-separated concurrency levels")
	fs.StringVar(&names, "scenarios", strings.Join(scenarioNames(), ","), "comma-separated endpoints to drive")
	fs.StringVar(&o.serverLog, "server-log", "", "the server's log file, for log bytes per request")
	fs.StringVar(&o.markdown, "markdown", "", "also write the tables as Markdown to this file")
	fs.IntVar(&o.lambdaMemoryMB, "lambda-memory-mb", 256, "Lambda memory size for the cost model (template.yaml MemorySize)")
	fs.Float64Var(&o.dynamoMS, "dynamodb-ms", 5, "assumed DynamoDB round trip from Lambda, ms, for the cost model")
	fs.StringVar(&o.lambdaDir, "lambda-dir", "", "directory of the functions built for Lambda (sizes); empty: skip")
	fs.StringVar(&o.startupDir, "startup-dir", "", "directory of the functions built for this machine (start-up times)")
	fs.StringVar(&o.template, "template", "template.yaml", "the SAM template, for which functions hold the key-encryption key")
	var fns string
	fs.StringVar(&fns, "functions", "token,refresh,revoke,mint,introspect,sessions-list", "comma-separated functions to size and start")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	o.functions = strings.Split(fns, ",")
	if o.lambdaDir != "" && o.startupDir == "" {
		return o, fmt.Errorf("-lambda-dir needs -startup-dir")
	}
	if err := checkLoopback(o.base); err != nil {
		return o, err
	}
	if o.pid <= 0 || o.clkTck <= 0 || o.seconds <= 0 || o.lambdaMemoryMB <= 0 {
		return o, fmt.Errorf("-pid, -clk-tck, -seconds and -lambda-memory-mb must be positive")
	}
	for _, f := range strings.Split(levels, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 || n > 256 {
			return o, fmt.Errorf("bad concurrency %q (1 to 256)", f)
		}
		o.concurrency = append(o.concurrency, n)
	}
	for _, n := range strings.Split(names, ",") {
		if scenarioByName(n) == nil {
			return o, fmt.Errorf("unknown scenario %q (have %s)", n, strings.Join(scenarioNames(), ","))
		}
		o.scenarios = append(o.scenarios, n)
	}
	return o, nil
}

// checkLoopback refuses any target but 127.0.0.1: the load generator is
// for the local server only.
func checkLoopback(base string) error {
	u, err := url.Parse(base)
	if err != nil || u.Scheme != "http" || u.Hostname() != "127.0.0.1" || u.Port() == "" || u.Path != "" {
		return fmt.Errorf("-url must be http://127.0.0.1:PORT, got %q", base)
	}
	return nil
}

// run seeds, measures capacity, drives the load and reports.
func run(ctx context.Context, o options) error {
	started, loadBefore := time.Now(), loadAverage()
	env, err := seed(ctx, o.base)
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	capacity, err := measureCapacity(ctx, env)
	if err != nil {
		return fmt.Errorf("capacity: %w", err)
	}
	printCapacity(os.Stdout, capacity)
	var results []result
	for _, name := range o.scenarios {
		sc := scenarioByName(name)
		pool := newWorkerPool(env)
		for _, c := range o.concurrency {
			r, err := measure(ctx, o, sc, pool, c)
			if err != nil {
				return fmt.Errorf("%s at concurrency %d: %w", name, c, err)
			}
			printResult(os.Stdout, r, len(results) == 0)
			results = append(results, r)
		}
	}
	var starts []startup
	if o.lambdaDir != "" {
		if starts, err = measureStartups(ctx, env, o); err != nil {
			return fmt.Errorf("start-up: %w", err)
		}
		printStartups(os.Stdout, starts)
	}
	fmt.Printf("\n(%d requests in %s)\n", totalRequests(results), time.Since(started).Round(time.Second))
	if o.markdown == "" {
		return nil
	}
	rep := report{results: results, capacity: capacity, starts: starts, loadBefore: loadBefore, loadAfter: loadAverage()}
	return writeMarkdown(o.markdown, rep, o)
}
