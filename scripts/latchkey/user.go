package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strings"
)

func (c cli) user(ctx context.Context, args []string) error {
	return c.sub(ctx, "user", args, map[string]func(context.Context, []string) error{
		"create": c.userCreate, "set-claims": c.userSetClaims, "unlock": c.userUnlock, "disable": c.userDisable, "enable": c.userEnable,
	})
}

// userCreate reads the password from stdin, so it never appears in a
// process list or shell history.
func (c cli) userCreate(ctx context.Context, args []string) error {
	fs := c.flags("user create")
	username := fs.String("username", "", "username (required)")
	fromStdin := fs.Bool("password-stdin", false, "read the password from the first line of stdin (required)")
	claims := claimsFlag(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parse(fs, args, 0); err != nil {
		return err
	}
	if !*fromStdin {
		return errors.New("--password-stdin is required: pipe the password in")
	}
	line, err := bufio.NewReader(c.stdin).ReadString('\n')
	if err != nil && line == "" {
		return errors.New("no password on stdin")
	}
	a, err := c.app(ctx)
	if err != nil {
		return err
	}
	u, err := a.Service.CreateUser(ctx, *username, strings.TrimRight(line, "\r\n"))
	if err != nil {
		return err
	}
	if *claims != nil {
		if _, err := a.Service.SetUserClaims(ctx, u.Username, *claims); err != nil {
			return fmt.Errorf("user %s created, but its claims were not set (run user set-claims): %w", u.Username, err)
		}
	}
	if *asJSON {
		return c.printJSON(map[string]string{"username": u.Username, "subject": u.Subject})
	}
	c.printf("subject: %s\n", u.Subject)
	return nil
}
