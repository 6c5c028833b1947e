// Command walkthrough runs the README's walk-through as written and checks
// every answer it shows, so the README cannot drift from what the service
// does (scripts/walkthrough.sh starts the stack and runs it; make test).
//
// The README marks each block it runs with <!-- walkthrough --> on the
// line before the ```sh fence. The blocks run in order in one bash, from
// the README's folder; a comment line "# → STATUS BODY" under a command
// shows its answer: the last curl answer since the previous shown answer,
// or else the command's own output (match.go has the notation). Any failing
// command or differing answer fails the run, naming the README line.
//
//	walkthrough -readme README.md -env /tmp/stack/dev.env
//	walkthrough check -dir DIR -where README.md:120 -mode http -- '200 {"active":false}'
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

func main() {
	var err error
	if len(os.Args) > 1 && os.Args[1] == "check" {
		err = checkCommand(os.Args[2:])
	} else {
		err = runCommand(os.Args[1:])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "walk-through:", err)
		os.Exit(1)
	}
}

// runCommand runs the README's marked blocks.
func runCommand(args []string) error {
	fs := flag.NewFlagSet("walkthrough", flag.ContinueOnError)
	readme := fs.String("readme", "README.md", "the README whose marked blocks run")
	envFile := fs.String("env", "", "source this file where the README sources .cache/dev.env")
	if err := fs.Parse(args); err != nil {
		return err
	}
	f, err := os.Open(*readme)
	if err != nil {
		return err
	}
	steps, err := parseREADME(f)
	f.Close()
	if err != nil {
		return err
	}
	if len(steps) == 0 {
		return fmt.Errorf("%s has no block marked %s", *readme, marker)
	}
	return run(*readme, steps, *envFile)
}

// run executes the steps in bash with the README's folder as working
// directory; the commands' output is shown only when the run fails.
func run(readme string, steps []step, envFile string) error {
	dir, err := os.MkdirTemp("", "walkthrough-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	self, err := os.Executable()
	if err != nil {
		return err
	}
	path := filepath.Join(dir, "walkthrough.bash")
	if err := os.WriteFile(path, []byte(script(filepath.Base(readme), steps, envFile)), 0o600); err != nil {
		return err
	}
	var out strings.Builder
	cmd := exec.Command("bash", path)
	cmd.Dir = filepath.Dir(readme)
	cmd.Env = append(os.Environ(), "__W_DIR="+dir, "__W_BIN="+self)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		fmt.Fprintf(os.Stderr, "walk-through: output of the commands:\n%s", indent(out.String()))
		return fmt.Errorf("%s: %w", readme, err)
	}
	answers := 0
	for _, s := range steps {
		if s.answer != "" {
			answers++
		}
	}
	fmt.Printf("walk-through: %d commands ran as %s shows them, %d answers checked\n", len(steps), readme, answers)
	return nil
}

func indent(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return "    " + strings.Join(lines, "\n    ") + "\n"
}

// checkCommand compares one shown answer with what the step produced.
func checkCommand(args []string) error {
	fs := flag.NewFlagSet("walkthrough check", flag.ContinueOnError)
	dir := fs.String("dir", "", "the run's folder")
	where := fs.String("where", "", "README line, for messages")
	mode := fs.String("mode", "http", "http: the last curl answer; stdout: the command's output")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("check wants the shown answer as its one argument")
	}
	if err := check(*dir, *mode, parseAnswer(fs.Arg(0))); err != nil {
		return fmt.Errorf("%s: %w", *where, err)
	}
	return nil
}

// check compares a shown answer with the last HTTP answer (and forgets
// it, so the next check sees only newer ones) or with the saved output.
func check(dir, mode string, want answer) error {
	if mode == "stdout" {
		got, err := os.ReadFile(filepath.Join(dir, "stdout"))
		if err != nil {
			return err
		}
		return matchBody(want.body, got)
	}
	status, errS := os.ReadFile(filepath.Join(dir, "status"))
	body, errB := os.ReadFile(filepath.Join(dir, "body"))
	if errS != nil || errB != nil {
		return errors.New("no HTTP answer since the previous shown answer")
	}
	os.Remove(filepath.Join(dir, "status"))
	os.Remove(filepath.Join(dir, "body"))
	if want.status != "" && string(status) != want.status {
		return fmt.Errorf("status %s %s; want %s", status, strings.TrimSpace(string(body)), want.status)
	}
	return matchBody(want.body, body)
}
