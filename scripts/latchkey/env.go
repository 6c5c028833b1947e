package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"slices"
	"strings"

	"github.com/latchkey/latchkey/shared/app"
	"github.com/latchkey/latchkey/shared/config"
)

// localDefaults let the CLI run against DynamoDB Local with no setup.
var localDefaults = map[string]string{
	"TABLE_NAME": "latchkey-local",
	"ISSUER":     "http://127.0.0.1:8080",
}

// config reads the environment, with local defaults for the table name
// and issuer.
func (c cli) config() (config.Config, error) {
	return config.FromEnv(func(k string) (string, bool) {
		if v, ok := c.lookup(k); ok && v != "" {
			return v, true
		}
		v, ok := localDefaults[k]
		return v, ok
	})
}

// app wires the process the same way a Lambda function does.
func (c cli) app(ctx context.Context) (*app.App, error) {
	cfg, err := c.config()
	if err != nil {
		return nil, err
	}
	return app.New(ctx, cfg, app.Options{LogOutput: c.stderr})
}

// flags returns a flag set that prints to the CLI's stderr.
func (c cli) flags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet("latchkey "+name, flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	return fs
}

// parse parses args and rejects leftover positional arguments beyond want.
func parse(fs *flag.FlagSet, args []string, want int) error {
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if fs.NArg() != want {
		fs.Usage()
		return errUsage
	}
	return nil
}

func (c cli) printJSON(v any) error {
	enc := json.NewEncoder(c.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func keys[V any](m map[string]V) string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return strings.Join(out, "|")
}

func splitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' })
}

func (c cli) printf(format string, args ...any) { fmt.Fprintf(c.stdout, format, args...) }
