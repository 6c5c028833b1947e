package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestMain lets the test binary stand in for `walkthrough check`, which
// the generated script calls back through os.Executable.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == "check" {
		if err := checkCommand(os.Args[2:]); err != nil {
			fmt.Fprintln(os.Stderr, "walk-through:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

const sampleREADME = "# Title\n\n```sh\nnot run\n```\n\n" + marker + "\n```sh\n" +
	"# a comment\n" +
	"curl -s $U/a \\\n     -d x=1\n" +
	"# → 200 {\"a\":1}\n" +
	"X=$(curl -s $U/b | tr a-z A-Z)\n" +
	"echo \"$X\"\n" +
	"# → 201 {\"b\":\"…\",…}\n" +
	"echo hi\n" +
	"# → hi\n" +
	"```\n"

func TestParseREADME(t *testing.T) {
	steps, err := parseREADME(strings.NewReader(sampleREADME))
	if err != nil {
		t.Fatal(err)
	}
	want := []step{
		{line: 10, command: "curl -s $U/a \\\n     -d x=1", curl: true, answer: `200 {"a":1}`},
		{line: 13, command: "X=$(curl -s $U/b | tr a-z A-Z)"},
		{line: 14, command: `echo "$X"`, curl: true, answer: `201 {"b":"…",…}`},
		{line: 16, command: "echo hi", answer: "hi"},
	}
	if fmt.Sprint(steps) != fmt.Sprint(want) {
		t.Errorf("parseREADME() =\n%+v\nwant\n%+v", steps, want)
	}
}

func TestParseREADMEErrors(t *testing.T) {
	for name, readme := range map[string]string{
		"marker without block": marker + "\ntext\n",
		"unclosed block":       marker + "\n```sh\necho\n",
		"answer first":         marker + "\n```sh\n# → 200 {}\n```\n",
		"two answers":          marker + "\n```sh\necho\n# → a\n# → b\n```\n",
		"dangling backslash":   marker + "\n```sh\necho \\\n```\n",
	} {
		if _, err := parseREADME(strings.NewReader(readme)); err == nil {
			t.Errorf("%s: parseREADME() = nil error; want one", name)
		}
	}
}

func TestMatchBody(t *testing.T) {
	tests := []struct {
		shown, got string
		ok         bool
	}{
		{`{"active":false}`, `{"active":false}`, true},
		{`{"active":false}`, `{"active":false,"sub":"x"}`, false},
		{`{"active":true,…}`, `{"active":true,"sub":"x"}`, true},
		{`{"active":true,…}`, `{"active":false,"sub":"x"}`, false},
		{`{"access_token":"eyJ…","expires_in":900}`, `{"access_token":"eyJhbG","expires_in":900}`, true},
		{`{"access_token":"eyJ…","expires_in":900}`, `{"access_token":"lk_at_x","expires_in":900}`, false},
		{`{"access_token":"eyJ…","expires_in":900}`, `{"access_token":"eyJhbG","expires_in":"900"}`, false},
		{`{"id":"…"}`, `{"id":""}`, false},
		{`{"exp":…}`, `{"exp":1795953869}`, true},
		{`{"exp":…}`, `{"exp":null}`, false},
		{`{"exp":…}`, `{}`, false},
		{`{"revoked":1}`, `{"revoked":2}`, false},
		{`{}`, `{}`, true},
		{`{}`, `{"a":1}`, false},
		{`{"s":[{"id":"x",…},…]}`, `{"s":[{"id":"x","t":1},{"id":"y"}]}`, true},
		{`{"s":[{"id":"x",…},…]}`, `{"s":[]}`, false},
		{`{"scopes":["read"]}`, `{"scopes":["read","write"]}`, false},
		{`{"d":"a … b"}`, `{"d":"a … b"}`, true},
		{`{"q":"say \"…\""}`, `{"q":"say \"hi\""}`, true},
		{`[{"state":"current",…},…]`, "[\n  {\"state\": \"current\", \"kid\": \"k\"}\n]\n", true},
		{`client X disabled …`, "client X disabled (at once)\n", true},
		{`client X disabled`, "client Y disabled\n", false},
		{`{"a":1}`, `not json`, false},
		{`{"rt":"lk_rt_….2.…"}`, `{"rt":"lk_rt_abc.2.mac"}`, true},
		{`{"rt":"lk_rt_….2.…"}`, `{"rt":"lk_rt_abc.1.mac"}`, false},
		{`{"rt":"a…b…b"}`, `{"rt":"ab"}`, false},
		{`{"rt":"a…b…c"}`, `{"rt":"a-b-c"}`, true},
	}
	for _, tt := range tests {
		err := matchBody(tt.shown, []byte(tt.got))
		if (err == nil) != tt.ok {
			t.Errorf("matchBody(%s, %s) = %v; want ok %v", tt.shown, tt.got, err, tt.ok)
		}
	}
}

func TestParseAnswer(t *testing.T) {
	for in, want := range map[string]answer{
		`200 {"a":1}`:  {"200", `{"a":1}`},
		`{"a":1}`:      {"", `{"a":1}`},
		`404`:          {"404", ""},
		`2000 things`:  {"", "2000 things"},
		`hello world`:  {"", "hello world"},
		` 201  [1, 2]`: {"201", "[1, 2]"},
	} {
		if got := parseAnswer(in); got != want {
			t.Errorf("parseAnswer(%q) = %+v; want %+v", in, got, want)
		}
	}
}

// TestExpandable: bash expands $NAME and ${NAME} in a shown answer and
// nothing else.
func TestExpandable(t *testing.T) {
	in := `{"sub":"$SUB","t":"${T}x","lit":"$1 $ \"q\" \\ ` + "`date`" + `"}`
	out, err := exec.Command("bash", "-c", "SUB=usr_1 T=tt; printf %s "+expandable(in)).Output()
	if err != nil {
		t.Fatal(err)
	}
	want := `{"sub":"usr_1","t":"ttx","lit":"$1 $ \"q\" \\ ` + "`date`" + `"}`
	if string(out) != want {
		t.Errorf("bash expanded %s to\n%s\nwant\n%s", in, out, want)
	}
}

// TestRun runs a small README against a real server: its answers match,
// then one that does not, and a failing command, must fail the run.
func TestRun(t *testing.T) {
	if _, err := exec.LookPath("curl"); err != nil {
		t.Fatal("the walk-through needs curl")
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/b" {
			w.WriteHeader(http.StatusCreated)
			fmt.Fprint(w, `{"b":"made","extra":true}`)
			return
		}
		fmt.Fprint(w, `{"a":1}`)
	}))
	defer srv.Close()
	t.Setenv("U", srv.URL)
	tests := []struct {
		name, readme string
		ok           bool
	}{
		{"as shown", sampleREADME, true},
		{"other status", strings.Replace(sampleREADME, `# → 200 {"a":1}`, `# → 400 {"a":1}`, 1), false},
		{"other field", strings.Replace(sampleREADME, `# → 200 {"a":1}`, `# → 200 {"a":2}`, 1), false},
		{"other output", strings.Replace(sampleREADME, "# → hi", "# → ho", 1), false},
		{"failing command", strings.Replace(sampleREADME, "echo hi", "false", 1), false},
		{"unreachable", strings.Replace(sampleREADME, "$U/a", "http://127.0.0.1:1/a", 1), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "README.md")
			if err := os.WriteFile(path, []byte(tt.readme), 0o600); err != nil {
				t.Fatal(err)
			}
			steps, err := parseREADME(strings.NewReader(tt.readme))
			if err != nil {
				t.Fatal(err)
			}
			if err := run(path, steps, ""); (err == nil) != tt.ok {
				t.Errorf("run() = %v; want ok %v", err, tt.ok)
			}
		})
	}
}
