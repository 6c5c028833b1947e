package main

import (
	"context"
	"time"

	"github.com/latchkey/latchkey/shared/tokens"
)

func (c cli) token(ctx context.Context, args []string) error {
	return c.sub(ctx, "token", args, map[string]func(context.Context, []string) error{
		"mint": c.tokenMint, "list": c.tokenList, "revoke": c.tokenRevoke,
	})
}

// tokenMint mints a long-lived token, e.g. for an MCP server or an LLM
// tool that cannot run OAuth. The token is printed once.
func (c cli) tokenMint(ctx context.Context, args []string) error {
	fs := c.flags("token mint")
	subject := fs.String("subject", "", "the subject the token acts for (required)")
	name := fs.String("name", "", "what the token is for (required)")
	scopes := fs.String("scopes", "", `space-separated scopes, e.g. "read write" (required)`)
	expiresIn := fs.Duration("expires-in", 8760*time.Hour, "lifetime; 0 means never, where the deployment allows it")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parse(fs, args, 0); err != nil {
		return err
	}
	a, err := c.app(ctx)
	if err != nil {
		return err
	}
	m, err := a.Service.Mint(ctx, operator, tokens.MintRequest{
		Name: *name, Subject: *subject, Scopes: splitList(*scopes), ExpiresIn: expiresIn,
	})
	if err != nil {
		return err
	}
	if *asJSON {
		return c.printJSON(map[string]any{
			"id": m.ID, "token": m.Token, "name": m.Name, "subject": m.Subject, "scopes": m.Scopes,
			"created_at": m.CreatedAt, "expires_at": m.ExpiresAt,
		})
	}
	c.printf("id:    %s\ntoken: %s\n(the token is shown once; Latchkey keeps only its hash)\n", m.ID, m.Token)
	return nil
}

func (c cli) tokenList(ctx context.Context, args []string) error {
	return c.listEntries(ctx, "token list", tokens.ListTypeLongLived, args)
}

func (c cli) tokenRevoke(ctx context.Context, args []string) error {
	fs := c.flags("token revoke ID")
	if err := parse(fs, args, 1); err != nil {
		return err
	}
	a, err := c.app(ctx)
	if err != nil {
		return err
	}
	if err := a.Service.RevokeLongLived(ctx, operator, fs.Arg(0)); err != nil {
		return err
	}
	c.printf("token %s revoked\n", fs.Arg(0))
	return nil
}
