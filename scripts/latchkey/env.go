package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"slices"
	"strings"

	"github.com/latchkey/latchkey/shared/app"
	"github.com/latchkey/latchkey/shared/config"
)

// localDefaults fill what a DynamoDB Local setup leaves out.
var localDefaults = map[string]string{
	"TABLE_NAME": "latchkey-local",
	"ISSUER":     "http://127.0.0.1:8080",
}

// errNoTarget: the CLI acts on AWS only when told which table.
var errNoTarget = errors.New("no table to act on: inside the checkout, run `make dev` (it writes " + devEnvPath +
	"); for another DynamoDB Local set DYNAMODB_ENDPOINT; to act on a table in AWS, set TABLE_NAME to its name")

// config reads the configuration from wherever the CLI should act:
//
//   - the environment, when it sets DYNAMODB_ENDPOINT (DynamoDB Local; the
//     table and issuer default to make dev's) or TABLE_NAME (with no
//     endpoint: that table in AWS, named explicitly);
//   - otherwise, inside a checkout, the dev environment file make dev
//     writes (.cache/dev.env), under whatever else the environment sets;
//   - otherwise nowhere: without a named table the CLI never falls back
//     to AWS, where the shell's credentials may reach a real account.
func (c cli) config() (config.Config, error) {
	lookup, err := c.target()
	if err != nil {
		return config.Config{}, err
	}
	return config.FromEnv(lookup)
}

// target returns the variable lookup config reads.
func (c cli) target() (config.Lookup, error) {
	if c.isSet("DYNAMODB_ENDPOINT") {
		return layered(c.lookup, localDefaults), nil
	}
	if c.isSet("TABLE_NAME") {
		return c.lookup, nil
	}
	dev, path, err := readDevEnv(c.dir)
	if err != nil {
		return nil, err
	}
	if dev == nil {
		return nil, errNoTarget
	}
	if dev["DYNAMODB_ENDPOINT"] == "" {
		return nil, fmt.Errorf("%s sets no DYNAMODB_ENDPOINT: run make dev again", path)
	}
	return layered(c.lookup, dev, localDefaults), nil
}

func (c cli) isSet(name string) bool {
	v, ok := c.lookup(name)
	return ok && strings.TrimSpace(v) != ""
}

// layered looks a variable up in first, then in each map in turn.
func layered(first config.Lookup, then ...map[string]string) config.Lookup {
	return func(k string) (string, bool) {
		if v, ok := first(k); ok && strings.TrimSpace(v) != "" {
			return v, true
		}
		for _, m := range then {
			if v, ok := m[k]; ok {
				return v, true
			}
		}
		return "", false
	}
}

// app wires the process the same way a Lambda function does.
func (c cli) app(ctx context.Context) (*app.App, error) {
	cfg, err := c.config()
	if err != nil {
		return nil, err
	}
	c.announce(cfg)
	return app.New(ctx, cfg, app.Options{LogOutput: c.stderr})
}

// announce says on stderr when the CLI is about to act on AWS.
func (c cli) announce(cfg config.Config) {
	if cfg.DynamoDBEndpoint == "" {
		fmt.Fprintf(c.stderr, "latchkey: acting on table %s in AWS (%s)\n", cfg.TableName, cfg.Region)
	}
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
