package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"unicode"

	"github.com/aws/aws-lambda-go/events"

	"github.com/latchkey/latchkey/shared/app"
	"github.com/latchkey/latchkey/shared/config"
	"github.com/latchkey/latchkey/shared/lambdahttp"
)

// invoke runs one API Gateway event through one function's Lambda handler
// in this process, with the environment `sam local` would give it: what
// `sam local invoke -e EVENT --env-vars FILE FUNCTION` does, without
// Docker. host.docker.internal in the environment means this host. The
// walk-through test uses it to check that make dev's stack serves the
// sample events with .cache/sam-env.json.
func (c cli) invoke(ctx context.Context, args []string) error {
	fs := c.flags("invoke FUNCTION")
	event := fs.String("e", "", "the event file, e.g. events/token-client-credentials.json (required)")
	envVars := fs.String("env-vars", "infra/env.json", "sam local's environment file: one object per function")
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		args = append(args[1:], args[0]) // sam's order: the function first
	}
	if err := parse(fs, args, 1); err != nil {
		return err
	}
	ev, err := readEvent(*event)
	if err != nil {
		return err
	}
	env, err := functionEnv(*envVars, fs.Arg(0))
	if err != nil {
		return err
	}
	cfg, err := config.FromEnv(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil {
		return fmt.Errorf("%s in %s: %w", fs.Arg(0), *envVars, err)
	}
	a, err := app.New(ctx, cfg, app.Options{LogOutput: c.stderr})
	if err != nil {
		return err
	}
	res, err := lambdahttp.Handler(a.Handler(functionName(fs.Arg(0))))(ctx, ev)
	if err != nil {
		return err
	}
	return json.NewEncoder(c.stdout).Encode(res)
}

func readEvent(path string) (events.APIGatewayV2HTTPRequest, error) {
	var ev events.APIGatewayV2HTTPRequest
	b, err := os.ReadFile(path)
	if err != nil {
		return ev, err
	}
	if err := json.Unmarshal(b, &ev); err != nil {
		return ev, fmt.Errorf("%s is not an API Gateway HTTP API event: %w", path, err)
	}
	return ev, nil
}

// functionEnv returns the variables env file gives the function with
// logical id fn, host.docker.internal read as this host.
func functionEnv(file, fn string) (map[string]string, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var all map[string]map[string]string
	if err := json.Unmarshal(b, &all); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	env, ok := all[fn]
	if !ok {
		return nil, fmt.Errorf("%s has no %s (want a function logical id of template.yaml, such as TokenFunction)", file, fn)
	}
	for k, v := range env {
		env[k] = strings.ReplaceAll(v, "host.docker.internal", "127.0.0.1")
	}
	return env, nil
}

// functionName turns a logical id into the function's route-table name:
// SessionsListFunction is sessions-list.
func functionName(logicalID string) string {
	var b strings.Builder
	for i, r := range strings.TrimSuffix(logicalID, "Function") {
		if unicode.IsUpper(r) && i > 0 {
			b.WriteByte('-')
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}
