// Command latchkey is Latchkey's local server and admin CLI. `serve` runs
// every function's routes on one port with the same handlers the Lambdas
// run; the other commands talk to the table directly: on DynamoDB Local
// (DYNAMODB_ENDPOINT, or make dev's .cache/dev.env when run inside the
// checkout), or on a table in AWS only when TABLE_NAME names it.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const usage = `usage: latchkey <command> [flags]

  serve --addr 127.0.0.1:8080      serve every route on one port
  bootstrap --stack NAME           first admin client of a stack sam deploy made (reads its outputs)
  table create [--template F]      create the table as template.yaml defines it
  client create|list|disable       manage OAuth clients
  user create                      create a user (password on stdin)
  user unlock|disable|enable NAME  clear sign-in lockouts; stop a user (revokes all); let it in again
  keys rotate|list|revoke KID      manage signing keys; revoke pulls a compromised key
  session list|revoke              list or revoke a subject's sessions
  token mint|list|revoke           manage long-lived tokens
  console setup [--url U]          register the web console's client (served at U/console)
  demo seed                        seed make dev's clients and users (DynamoDB Local only)
  demo signin                      sign in through the browser as a native app would (PKCE, loopback)
  invoke FUNCTION -e EVENT         run an event through a function, as sam local invoke (no Docker)

Where it acts: DynamoDB Local at DYNAMODB_ENDPOINT (table TABLE_NAME,
default latchkey-local); else, inside the checkout, make dev's stack as
.cache/dev.env describes it; else a table in AWS, only when TABLE_NAME
names it (with the shell's AWS credentials and AWS_REGION). Signing and
keys rotate need KEY_ENCRYPTION_KEY or KEY_ENCRYPTION_SECRET_ARN; also
read: ISSUER, LOG_LEVEL and the other variables of the README.`

// cli carries the process's streams and environment to every command.
type cli struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	lookup func(string) (string, bool)
	// dir is the working directory: inside a checkout, the CLI reads the
	// dev environment file make dev writes.
	dir string
}

var errUsage = errors.New("usage")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	wd, _ := os.Getwd()
	c := cli{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, lookup: os.LookupEnv, dir: wd}
	if err := c.run(ctx, os.Args[1:]); err != nil {
		if !errors.Is(err, errUsage) {
			fmt.Fprintln(os.Stderr, "latchkey:", err)
		}
		os.Exit(2)
	}
}

// run dispatches one command line.
func (c cli) run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprintln(c.stderr, usage)
		return errUsage
	}
	cmds := map[string]func(context.Context, []string) error{
		"serve": c.serve, "table": c.table, "client": c.client,
		"user": c.user, "keys": c.keys, "demo": c.demo,
		"session": c.session, "token": c.token, "invoke": c.invoke, "console": c.console, "bootstrap": c.bootstrap,
	}
	cmd, ok := cmds[args[0]]
	if !ok {
		fmt.Fprintln(c.stderr, usage)
		return errUsage
	}
	return cmd(ctx, args[1:])
}

// sub dispatches a command's subcommands.
func (c cli) sub(ctx context.Context, name string, args []string, subs map[string]func(context.Context, []string) error) error {
	if len(args) > 0 {
		if f, ok := subs[args[0]]; ok {
			return f(ctx, args[1:])
		}
	}
	fmt.Fprintf(c.stderr, "usage: latchkey %s <%s> [flags]\n", name, keys(subs))
	return errUsage
}
