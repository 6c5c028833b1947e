package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/latchkey/latchkey/shared/httpapi"
)

// startupRuns is how many cold starts of each function are timed.
const startupRuns = 5

// startup is one function's size and cold start, medians of startupRuns.
type startup struct {
	function string
	size     int64         // the arm64 binary SAM would deploy
	init     time.Duration // exec until the runtime asks for its first event
	initCPU  time.Duration // the process's CPU time over init
	first    time.Duration // the first invocation: event out, response in
	second   time.Duration // the next invocation, warm
}

// invocation is one event for a function and the check of its answer.
type invocation func(ctx context.Context) (events.APIGatewayV2HTTPRequest, error)

// measureStartups times each function's binary (built for this machine)
// under a stand-in Lambda Runtime API: what Lambda's init phase and first
// invocations cost the process itself, without the sandbox or the
// download of the code, which Lambda adds on top.
func measureStartups(ctx context.Context, e *env, o options) ([]startup, error) {
	template, err := os.ReadFile(o.template)
	if err != nil {
		return nil, err
	}
	var out []startup
	for _, fn := range o.functions {
		fi, err := os.Stat(filepath.Join(o.lambdaDir, fn))
		if err != nil {
			return nil, err
		}
		inv, err := invocationFor(e, fn)
		if err != nil {
			return nil, err
		}
		runs := make([]startup, 0, startupRuns)
		for range startupRuns {
			s, err := coldStart(ctx, filepath.Join(o.startupDir, fn), functionEnv(e, template, fn), inv)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", fn, err)
			}
			runs = append(runs, s)
		}
		s := medianStartup(runs)
		s.function, s.size = fn, fi.Size()
		out = append(out, s)
	}
	return out, nil
}

// functionEnv is the server's environment as template.yaml gives it to
// fn: the key-encryption key only where the function has one.
func functionEnv(e *env, template []byte, fn string) []string {
	env := []string{
		"TABLE_NAME=" + e.cfg.TableName, "DYNAMODB_ENDPOINT=" + e.cfg.DynamoDBEndpoint, "ISSUER=" + e.cfg.Issuer,
		"AWS_REGION=us-east-1", "AWS_ACCESS_KEY_ID=local", "AWS_SECRET_ACCESS_KEY=local", "LOG_LEVEL=info",
		"AWS_LAMBDA_FUNCTION_NAME=" + fn, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE=256", "PATH=" + os.Getenv("PATH"),
	}
	if signs(template, fn) {
		env = append(env, "KEY_ENCRYPTION_KEY="+os.Getenv("KEY_ENCRYPTION_KEY"))
	}
	return env
}

// nextResource matches the line that starts a template resource.
var nextResource = regexp.MustCompile(`\n(?:  )?[A-Za-z0-9]+:`)

// signs reports whether fn's resource in template.yaml is given the
// key-encryption secret.
func signs(template []byte, fn string) bool {
	t := string(template)
	i := strings.Index(t, "\n  "+httpapi.LogicalID(fn)+":\n")
	if i < 0 {
		return false
	}
	block := t[i+1:]
	if j := nextResource.FindStringIndex(block[1:]); j != nil {
		block = block[:j[0]+1]
	}
	return strings.Contains(block, "KEY_ENCRYPTION_SECRET_ARN")
}

// coldStart runs one process of a function binary against a stand-in
// Runtime API and times its init and first two invocations.
func coldStart(ctx context.Context, bin string, env []string, inv invocation) (startup, error) {
	rt, err := newRuntimeAPI()
	if err != nil {
		return startup{}, err
	}
	defer rt.close()
	cmd := exec.CommandContext(ctx, bin)
	cmd.Env = append(env, "AWS_LAMBDA_RUNTIME_API="+rt.addr)
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return startup{}, err
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	var s startup
	if err := rt.awaitNext(10 * time.Second); err != nil {
		return startup{}, fmt.Errorf("init: %w", err)
	}
	s.init = time.Since(start)
	s.initCPU = threadsCPU(cmd.Process.Pid)
	for _, d := range []*time.Duration{&s.first, &s.second} {
		ev, err := inv(ctx)
		if err != nil {
			return startup{}, err
		}
		if *d, err = rt.invoke(ev); err != nil {
			return startup{}, err
		}
	}
	return s, nil
}

// threadsCPU is the CPU time of process pid's live threads, summed from
// the nanosecond counters of /proc/PID/task/*/schedstat: precise enough
// for a start-up of a few milliseconds, where clock ticks are not.
func threadsCPU(pid int) time.Duration {
	paths, _ := filepath.Glob("/proc/" + strconv.Itoa(pid) + "/task/*/schedstat")
	var total time.Duration
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		f := strings.Fields(string(b))
		if len(f) == 0 {
			continue
		}
		if ns, err := strconv.ParseInt(f[0], 10, 64); err == nil {
			total += time.Duration(ns)
		}
	}
	return total
}

func medianStartup(runs []startup) startup {
	pick := func(f func(startup) time.Duration) time.Duration {
		v := make([]time.Duration, len(runs))
		for i, r := range runs {
			v[i] = f(r)
		}
		slices.Sort(v)
		return v[len(v)/2]
	}
	return startup{
		init:    pick(func(s startup) time.Duration { return s.init }),
		initCPU: pick(func(s startup) time.Duration { return s.initCPU }),
		first:   pick(func(s startup) time.Duration { return s.first }),
		second:  pick(func(s startup) time.Duration { return s.second }),
	}
}

// runtimeAPI is the part of the Lambda Runtime API a Go function uses:
// it hands out one event per "next" and takes the response.
type runtimeAPI struct {
	addr      string
	srv       *http.Server
	next      chan chan []byte // a waiting "next" request, to be given an event
	pending   chan []byte      // the one invoke will answer
	responses chan response
}

type response struct {
	body []byte
	err  bool
}

func newRuntimeAPI() (*runtimeAPI, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	rt := &runtimeAPI{addr: l.Addr().String(), next: make(chan chan []byte), responses: make(chan response, 1)}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /2018-06-01/runtime/invocation/next", rt.serveNext)
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/response", rt.serveResult(false))
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/error", rt.serveResult(true))
	mux.HandleFunc("POST /2018-06-01/runtime/init/error", rt.serveResult(true))
	rt.srv = &http.Server{Handler: mux}
	go func() { _ = rt.srv.Serve(l) }()
	return rt, nil
}

func (rt *runtimeAPI) close() { _ = rt.srv.Close() }

func (rt *runtimeAPI) serveNext(w http.ResponseWriter, r *http.Request) {
	event := make(chan []byte)
	select {
	case rt.next <- event:
	case <-r.Context().Done():
		return
	}
	body, ok := <-event
	if !ok {
		return
	}
	h := w.Header()
	h.Set("Lambda-Runtime-Aws-Request-Id", strconv.FormatInt(time.Now().UnixNano(), 36))
	h.Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(time.Now().Add(10*time.Second).UnixMilli(), 10))
	h.Set("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:123456789012:function:bench")
	h.Set("Lambda-Runtime-Trace-Id", "Root=1-00000000-000000000000000000000000")
	_, _ = w.Write(body)
}

func (rt *runtimeAPI) serveResult(failed bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.WriteHeader(http.StatusAccepted)
		rt.responses <- response{body: b, err: failed}
	}
}

// awaitNext waits until the function asks for an event, and keeps the
// request waiting for invoke.
func (rt *runtimeAPI) awaitNext(limit time.Duration) error {
	select {
	case ev := <-rt.next:
		rt.pending = ev
		return nil
	case r := <-rt.responses:
		return fmt.Errorf("function failed: %s", r.body)
	case <-time.After(limit):
		return fmt.Errorf("no request for an event within %v", limit)
	}
}

// invoke hands the waiting function an event and times its answer, up to
// its next request for an event. A non-2xx answer is an error.
func (rt *runtimeAPI) invoke(ev events.APIGatewayV2HTTPRequest) (time.Duration, error) {
	if rt.pending == nil {
		if err := rt.awaitNext(10 * time.Second); err != nil {
			return 0, err
		}
	}
	body, err := json.Marshal(ev)
	if err != nil {
		return 0, err
	}
	start := time.Now()
	rt.pending <- body
	rt.pending = nil
	var r response
	select {
	case r = <-rt.responses:
	case <-time.After(10 * time.Second):
		return 0, fmt.Errorf("no answer to %s within 10s", ev.RouteKey)
	}
	took := time.Since(start)
	var res events.APIGatewayV2HTTPResponse
	if r.err || json.Unmarshal(r.body, &res) != nil || res.StatusCode/100 != 2 {
		return 0, fmt.Errorf("%s answered %s", ev.RouteKey, r.body)
	}
	return took, nil
}
