package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
)

// event is one test2json record (`go doc test2json`).
type event struct {
	Action     string
	Package    string
	Test       string
	Output     string
	ImportPath string
}

// maxSkipsShown bounds the list of skipped tests printed at the end.
const maxSkipsShown = 20

// summary turns the event stream into go test's usual output.
type summary struct {
	out    io.Writer
	counts counts
	// output buffers each test's lines (key package + " " + test) and each
	// package's own lines (key package), printed only if it fails.
	output map[string][]string
	skips  []string
}

func newSummary(out io.Writer) *summary {
	return &summary{out: out, output: map[string][]string{}}
}

// read consumes the stream. Lines that are not JSON (go test's own
// messages on stdout) are printed as they are.
func (s *summary) read(r io.Reader) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 16*1024*1024)
	for sc.Scan() {
		var e event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil || e.Action == "" {
			fmt.Fprintln(s.out, sc.Text())
			continue
		}
		s.handle(e)
	}
	return sc.Err()
}

func (s *summary) handle(e event) {
	switch {
	case e.Action == "build-output":
		fmt.Fprint(s.out, e.Output)
	case e.Action == "output":
		s.outputLine(e)
	case e.Test != "" && e.Action == "pass":
		s.counts.passed++
		delete(s.output, e.Package+" "+e.Test)
	case e.Test != "" && e.Action == "skip":
		s.counts.skipped++
		s.skips = append(s.skips, skipLine(e, s.output[e.Package+" "+e.Test]))
		delete(s.output, e.Package+" "+e.Test)
	case e.Test != "" && e.Action == "fail":
		s.counts.failed++
		s.flush(e.Package + " " + e.Test)
	case e.Test == "" && e.Action == "fail":
		s.flush(e.Package)
	case e.Test == "" && (e.Action == "pass" || e.Action == "skip"):
		delete(s.output, e.Package)
	}
}

// outputLine prints a package's verdict line at once and keeps the rest
// for the case it fails.
func (s *summary) outputLine(e event) {
	if e.Test == "" && isVerdict(e.Output) {
		fmt.Fprint(s.out, e.Output)
		return
	}
	key := e.Package
	if e.Test != "" {
		key += " " + e.Test
	}
	s.output[key] = append(s.output[key], e.Output)
}

// isVerdict reports whether a package-level line is go test's one-line
// result: "ok  pkg 1.2s", "FAIL pkg 1.2s", "?   pkg [no test files]".
func isVerdict(line string) bool {
	for _, p := range []string{"ok  \t", "FAIL\t", "?   \t"} {
		if strings.HasPrefix(line, p) {
			return true
		}
	}
	return false
}

// flush prints what a failed test or package logged, without the
// progress lines of parallel tests, its FAIL line naming the package
// (parallel packages interleave).
func (s *summary) flush(key string) {
	pkg, _, _ := strings.Cut(key, " ")
	for _, line := range s.output[key] {
		switch {
		case isProgress(line):
		case strings.HasPrefix(line, "--- FAIL: "):
			fmt.Fprintf(s.out, "--- FAIL: %s %s", pkg, strings.TrimPrefix(line, "--- FAIL: "))
		default:
			fmt.Fprint(s.out, line)
		}
	}
	delete(s.output, key)
}

// isProgress reports whether a line is one of go test's progress notes
// (=== RUN, PAUSE, CONT, NAME), which plain go test prints only with -v.
func isProgress(line string) bool {
	for _, p := range []string{"=== RUN", "=== PAUSE", "=== CONT", "=== NAME"} {
		if strings.HasPrefix(line, p) {
			return true
		}
	}
	return false
}

// skipLine names a skipped test and its reason: the last line it logged.
func skipLine(e event, lines []string) string {
	reason := ""
	for _, l := range slices.Backward(lines) {
		if t := strings.TrimSpace(l); t != "" && !strings.HasPrefix(t, "---") && !strings.HasPrefix(t, "===") {
			reason = t
			break
		}
	}
	return strings.TrimSpace(fmt.Sprintf("%s %s: %s", e.Package, e.Test, reason))
}

// finish prints the counts and the skipped tests.
func (s *summary) finish() {
	fmt.Fprintf(s.out, "go test: %s\n", s.counts)
	for i, line := range s.skips {
		if i == maxSkipsShown {
			fmt.Fprintf(s.out, "  … and %d more skipped\n", len(s.skips)-maxSkipsShown)
			break
		}
		fmt.Fprintf(s.out, "  skipped %s\n", line)
	}
}
