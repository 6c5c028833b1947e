package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"

	"github.com/latchkey/latchkey/shared/tokens"
)

// demo seeds a demo client and user into an empty table, for `make dev`.
func (c cli) demo(ctx context.Context, args []string) error {
	return c.sub(ctx, "demo", args, map[string]func(context.Context, []string) error{
		"seed": c.demoSeed,
	})
}

func (c cli) demoSeed(ctx context.Context, args []string) error {
	if err := parse(c.flags("demo seed"), args, 0); err != nil {
		return err
	}
	a, err := c.app(ctx)
	if err != nil {
		return err
	}
	existing, err := a.Service.ListClients(ctx)
	if err != nil {
		return err
	}
	if len(existing) > 0 {
		c.printf("the table already has %d clients; not seeding (latchkey client list shows them)\n", len(existing))
		return nil
	}
	cfg := a.Config
	cl, secret, err := a.Service.CreateClient(ctx, tokens.ClientSpec{
		Name: "demo", Grants: []string{"client_credentials", "password", "refresh_token"},
		Scopes: []string{"read", "write"}, AllowOfflineAccess: true,
		RefreshAbsoluteTTL: cfg.RefreshAbsoluteTTL, RefreshIdleTTL: cfg.RefreshIdleTTL,
		RefreshReuseGrace: cfg.RefreshReuseGrace,
	})
	if err != nil {
		return err
	}
	pw := make([]byte, 12)
	_, _ = rand.Read(pw)
	password := base64.RawURLEncoding.EncodeToString(pw)
	if _, err := a.Service.CreateUser(ctx, "demo", password); err != nil {
		return err
	}
	iss := cfg.Issuer
	c.printf(`Seeded a demo client and user (shown once):
  client_id:     %[1]s
  client_secret: %[2]s
  user:          demo / %[3]s

For the README's walk-through:
  export CID='%[1]s' SECRET='%[2]s' PW='%[3]s'

Try:
  curl -s -u '%[1]s:%[2]s' -d grant_type=client_credentials %[4]s/oauth2/token
  curl -s -u '%[1]s:%[2]s' -d grant_type=password -d username=demo -d 'password=%[3]s' -d 'scope=read offline_access' %[4]s/oauth2/token
`, cl.ID, secret, password, iss)
	return nil
}
