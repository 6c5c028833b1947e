// Command testsummary reads `go test -json` (test2json events) on stdin and
// prints what plain `go test` would: one line per package, the output of
// every failing test and of every build failure. At the end it prints the
// counts, tests run, skipped and failed, and the skipped tests with their
// reason; with -counts FILE it also writes them there as shell assignments
// (run=N skipped=N failed=N) for scripts/test.sh's summary line.
//
//	go test -json ./... | go run ./scripts/testsummary -counts counts.env
package main

import (
	"flag"
	"fmt"
	"os"
)

func main() {
	countsFile := flag.String("counts", "", "also write run=N skipped=N failed=N to this file")
	flag.Parse()
	s := newSummary(os.Stdout)
	if err := s.read(os.Stdin); err != nil {
		fmt.Fprintln(os.Stderr, "testsummary:", err)
		os.Exit(1)
	}
	s.finish()
	if *countsFile != "" {
		if err := os.WriteFile(*countsFile, []byte(s.counts.shell()), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "testsummary:", err)
			os.Exit(1)
		}
	}
}

// counts are the tests (subtests and fuzz seeds included) by outcome.
type counts struct{ passed, skipped, failed int }

// run is every test that ran to a verdict: passed or failed.
func (c counts) run() int { return c.passed + c.failed }

func (c counts) shell() string {
	return fmt.Sprintf("run=%d skipped=%d failed=%d\n", c.run(), c.skipped, c.failed)
}

func (c counts) String() string {
	return fmt.Sprintf("%d tests run, %d skipped, %d failed", c.run(), c.skipped, c.failed)
}
