package main

import (
	"context"
	"flag"
	"time"

	"github.com/latchkey/latchkey/shared/config"
	"github.com/latchkey/latchkey/shared/tokens"
)

func (c cli) client(ctx context.Context, args []string) error {
	return c.sub(ctx, "client", args, map[string]func(context.Context, []string) error{
		"create": c.clientCreate, "list": c.clientList, "disable": c.clientDisable,
	})
}

// clientFlags binds the client settings of DESIGN.md §2 to flags, with the
// deployment's defaults.
func clientFlags(fs *flag.FlagSet, cfg config.Config, spec *tokens.ClientSpec) (grants, scopes *string) {
	fs.StringVar(&spec.Name, "name", "", "client name (required)")
	grants = fs.String("grants", "client_credentials", "comma-separated grants: client_credentials,password,refresh_token")
	scopes = fs.String("scopes", "", `space-separated scopes the client may request, e.g. "read write"`)
	fs.BoolVar(&spec.AllowOfflineAccess, "offline", false, "allow refresh tokens (the offline_access scope)")
	fs.BoolVar(&spec.Public, "public", false, "a public client: no secret (token_endpoint_auth_method none)")
	fs.BoolVar(&spec.Introspect, "introspect", false, "a resource server that may introspect any token")
	fs.BoolVar(&spec.AllowSelfMint, "allow-mint", false, "let this client's users mint long-lived tokens for themselves")
	fs.StringVar(&spec.AccessTokenFormat, "access-token-format", tokens.FormatJWT, "jwt or reference")
	fs.DurationVar(&spec.AccessTokenTTL, "access-ttl", cfg.AccessTokenTTL, "access token lifetime")
	fs.DurationVar(&spec.RefreshAbsoluteTTL, "refresh-absolute", cfg.RefreshAbsoluteTTL, "refresh absolute lifetime")
	fs.DurationVar(&spec.RefreshIdleTTL, "refresh-idle", cfg.RefreshIdleTTL, "refresh idle window (0: none)")
	fs.DurationVar(&spec.RefreshReuseGrace, "refresh-reuse-grace", cfg.RefreshReuseGrace, "grace window for the previous refresh token (0 to 60s)")
	fs.StringVar(&spec.RefreshRotation, "refresh-rotation", tokens.RotationRotate, "rotate or reuse")
	fs.IntVar(&spec.MaxSessionsPerSubject, "max-sessions", tokens.DefaultMaxSessions, "sessions per subject and client before the oldest is revoked")
	return grants, scopes
}

func (c cli) clientCreate(ctx context.Context, args []string) error {
	cfg, err := c.config()
	if err != nil {
		return err
	}
	fs := c.flags("client create")
	var spec tokens.ClientSpec
	grants, scopes := clientFlags(fs, cfg, &spec)
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parse(fs, args, 0); err != nil {
		return err
	}
	spec.Grants, spec.Scopes = splitList(*grants), splitList(*scopes)
	a, err := c.app(ctx)
	if err != nil {
		return err
	}
	cl, secret, err := a.Service.CreateClient(ctx, spec)
	if err != nil {
		return err
	}
	if *asJSON {
		return c.printJSON(map[string]string{"client_id": cl.ID, "client_secret": secret})
	}
	c.printf("client_id:     %s\n", cl.ID)
	if secret != "" {
		c.printf("client_secret: %s\n(the secret is shown once; Latchkey keeps only its hash)\n", secret)
	}
	return nil
}

// clientView is what `client list` prints: settings, never the secret hash.
type clientView struct {
	ID                 string        `json:"client_id"`
	Name               string        `json:"name"`
	AuthMethod         string        `json:"token_endpoint_auth_method"`
	Grants             []string      `json:"grants"`
	Scopes             []string      `json:"scopes"`
	AllowOfflineAccess bool          `json:"allow_offline_access"`
	Introspect         bool          `json:"introspect"`
	AccessTokenFormat  string        `json:"access_token_format"`
	AccessTokenTTL     time.Duration `json:"access_token_ttl_ns"`
	Disabled           bool          `json:"disabled"`
	CreatedAt          time.Time     `json:"created_at"`
}

func (c cli) clientList(ctx context.Context, args []string) error {
	fs := c.flags("client list")
	if err := parse(fs, args, 0); err != nil {
		return err
	}
	a, err := c.app(ctx)
	if err != nil {
		return err
	}
	clients, err := a.Service.ListClients(ctx)
	if err != nil {
		return err
	}
	views := make([]clientView, 0, len(clients))
	for _, cl := range clients {
		views = append(views, clientView{cl.ID, cl.Name, cl.AuthMethod, cl.Grants, cl.Scopes, cl.AllowOfflineAccess,
			cl.Introspect, cl.AccessTokenFormat, cl.AccessTokenTTL, cl.Disabled, cl.CreatedAt})
	}
	return c.printJSON(views)
}

func (c cli) clientDisable(ctx context.Context, args []string) error {
	fs := c.flags("client disable ID")
	if err := parse(fs, args, 1); err != nil {
		return err
	}
	a, err := c.app(ctx)
	if err != nil {
		return err
	}
	if err := a.Service.DisableClient(ctx, fs.Arg(0)); err != nil {
		return err
	}
	c.printf("client %s disabled\n", fs.Arg(0))
	return nil
}
