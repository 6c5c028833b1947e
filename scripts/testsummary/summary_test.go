package main

import (
	"strings"
	"testing"
)

// stream is a trimmed `go test -json` run: one passing package, one with a
// passing subtest, a skipped test and a failing test, one build failure.
const stream = `{"Action":"start","Package":"ex/a"}
{"Action":"run","Package":"ex/a","Test":"TestOK"}
{"Action":"output","Package":"ex/a","Test":"TestOK","Output":"=== RUN   TestOK\n"}
{"Action":"output","Package":"ex/a","Test":"TestOK","Output":"--- PASS: TestOK (0.00s)\n"}
{"Action":"pass","Package":"ex/a","Test":"TestOK"}
{"Action":"output","Package":"ex/a","Output":"PASS\n"}
{"Action":"output","Package":"ex/a","Output":"ok  \tex/a\t0.01s\n"}
{"Action":"pass","Package":"ex/a"}
{"Action":"run","Package":"ex/b","Test":"TestParent"}
{"Action":"run","Package":"ex/b","Test":"TestParent/sub"}
{"Action":"pass","Package":"ex/b","Test":"TestParent/sub"}
{"Action":"pass","Package":"ex/b","Test":"TestParent"}
{"Action":"run","Package":"ex/b","Test":"TestNeedsDB"}
{"Action":"output","Package":"ex/b","Test":"TestNeedsDB","Output":"    db_test.go:9: LATCHKEY_TEST_DYNAMODB not set\n"}
{"Action":"output","Package":"ex/b","Test":"TestNeedsDB","Output":"--- SKIP: TestNeedsDB (0.00s)\n"}
{"Action":"skip","Package":"ex/b","Test":"TestNeedsDB"}
{"Action":"run","Package":"ex/b","Test":"TestBroken"}
{"Action":"output","Package":"ex/b","Test":"TestBroken","Output":"=== RUN   TestBroken\n"}
{"Action":"output","Package":"ex/b","Test":"TestBroken","Output":"=== PAUSE TestBroken\n"}
{"Action":"output","Package":"ex/b","Test":"TestBroken","Output":"    b_test.go:5: Add(1, 1) = 3; want 2\n"}
{"Action":"output","Package":"ex/b","Test":"TestBroken","Output":"--- FAIL: TestBroken (0.00s)\n"}
{"Action":"fail","Package":"ex/b","Test":"TestBroken"}
{"Action":"output","Package":"ex/b","Output":"FAIL\n"}
{"Action":"output","Package":"ex/b","Output":"FAIL\tex/b\t0.02s\n"}
{"Action":"fail","Package":"ex/b"}
{"ImportPath":"ex/c","Action":"build-output","Output":"ex/c/c.go:3:1: syntax error\n"}
{"ImportPath":"ex/c","Action":"build-fail"}
{"Action":"output","Package":"ex/c","Output":"FAIL\tex/c [build failed]\n"}
{"Action":"fail","Package":"ex/c"}
`

func TestSummary(t *testing.T) {
	var out strings.Builder
	s := newSummary(&out)
	if err := s.read(strings.NewReader(stream)); err != nil {
		t.Fatal(err)
	}
	s.finish()
	got := out.String()
	if want := (counts{passed: 3, skipped: 1, failed: 1}); s.counts != want {
		t.Errorf("counts = %+v; want %+v", s.counts, want)
	}
	for _, want := range []string{
		"ok  \tex/a\t0.01s\n",
		"b_test.go:5: Add(1, 1) = 3; want 2\n--- FAIL: ex/b TestBroken (0.00s)",
		"FAIL\tex/b\t0.02s\n",
		"ex/c/c.go:3:1: syntax error\n",
		"FAIL\tex/c [build failed]\n",
		"go test: 4 tests run, 1 skipped, 1 failed\n",
		"skipped ex/b TestNeedsDB: db_test.go:9: LATCHKEY_TEST_DYNAMODB not set\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q; got:\n%s", want, got)
		}
	}
	for _, unwanted := range []string{"=== RUN", "=== PAUSE", "--- PASS", "PASS\n"} {
		if strings.Contains(got, unwanted) {
			t.Errorf("output has %q, which plain go test does not print; got:\n%s", unwanted, got)
		}
	}
}

func TestCountsShell(t *testing.T) {
	c := counts{passed: 10, skipped: 2, failed: 1}
	if got, want := c.shell(), "run=11 skipped=2 failed=1\n"; got != want {
		t.Errorf("shell() = %q; want %q", got, want)
	}
}

func TestNonJSONLinesPassThrough(t *testing.T) {
	var out strings.Builder
	s := newSummary(&out)
	if err := s.read(strings.NewReader("go: downloading example.com/x v1.0.0\n")); err != nil {
		t.Fatal(err)
	}
	if got, want := out.String(), "go: downloading example.com/x v1.0.0\n"; got != want {
		t.Errorf("output = %q; want %q", got, want)
	}
}
