package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// devEnvPath is where `make dev` writes its stack's settings and the demo
// values, relative to the checkout's root.
const devEnvPath = ".cache/dev.env"

// modulePath identifies a checkout of this repository by its go.mod.
const modulePath = "github.com/latchkey/latchkey"

// envVar is one `export NAME='value'` line of a dev environment file.
type envVar struct{ name, value string }

var exportLine = regexp.MustCompile(`^export ([A-Z_][A-Z0-9_]*)='([^']*)'$`)

// findCheckout returns the root of the checkout holding dir (the nearest
// parent with this module's go.mod), or "" outside one.
func findCheckout(dir string) string {
	for dir != "" {
		if b, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil {
			first, _, _ := bytes.Cut(b, []byte("\n"))
			if strings.TrimSpace(string(first)) == "module "+modulePath {
				return dir
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
	return ""
}

// readDevEnv reads the dev environment file of the checkout holding dir.
// It returns its variables and path, or nil and "" when there is none.
func readDevEnv(dir string) (map[string]string, string, error) {
	root := findCheckout(dir)
	if root == "" {
		return nil, "", nil
	}
	path := filepath.Join(root, devEnvPath)
	vars, err := readEnvFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, "", nil
	}
	return vars, path, err
}

// readEnvFile parses a file of export lines as writeEnvFile writes them;
// blank lines and comments are skipped, anything else is an error.
func readEnvFile(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	vars := map[string]string{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		m := exportLine.FindStringSubmatch(line)
		if m == nil {
			return nil, fmt.Errorf("%s:%d: want export NAME='value'", path, n)
		}
		vars[m[1]] = m[2]
	}
	return vars, sc.Err()
}

// writeEnvFile writes vars as export lines a shell can source, readable by
// the owner only (it holds client secrets and a password).
func writeEnvFile(path, header string, vars []envVar) error {
	var b strings.Builder
	for _, line := range strings.Split(header, "\n") {
		fmt.Fprintf(&b, "# %s\n", line)
	}
	for _, v := range vars {
		if strings.Contains(v.value, "'") || strings.Contains(v.value, "\n") {
			return fmt.Errorf("%s: value cannot be quoted for a shell", v.name)
		}
		fmt.Fprintf(&b, "export %s='%s'\n", v.name, v.value)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(b.String()), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
