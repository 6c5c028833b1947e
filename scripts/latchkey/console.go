package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/latchkey/latchkey/shared/app"
	"github.com/latchkey/latchkey/shared/console"
	"github.com/latchkey/latchkey/shared/oauth"
	"github.com/latchkey/latchkey/shared/tokens"
)

// defaultConsoleScopes are what the console asks for besides openid and
// offline_access unless --scopes says otherwise: the scopes its users may
// mint long-lived tokens with, and the administrative ones, which reach
// only users whose latchkey_scopes claim holds them (tokens/heldscopes.go).
const defaultConsoleScopes = "read write sessions:read sessions:revoke"

func (c cli) console(ctx context.Context, args []string) error {
	return c.sub(ctx, "console", args, map[string]func(context.Context, []string) error{
		"setup": c.consoleSetup,
	})
}

// consoleSetup registers the console's client: public, first party,
// authorization code + PKCE, redirect URI <url>/console, refresh tokens
// (delivered in the HttpOnly cookie), and self-minting of long-lived
// tokens with the scopes it is given.
func (c cli) consoleSetup(ctx context.Context, args []string) error {
	fs := c.flags("console setup")
	base := fs.String("url", "", "the deployment's base URL (its issuer), e.g. https://auth.example.com")
	scopes := fs.String("scopes", defaultConsoleScopes, "scopes the console may ask for and its users may mint with")
	if err := parse(fs, args, 0); err != nil {
		return err
	}
	a, err := c.app(ctx)
	if err != nil {
		return err
	}
	if *base == "" {
		*base = a.Config.Issuer
	}
	created, err := setupConsole(ctx, a, *base, strings.Fields(*scopes))
	if err != nil {
		return err
	}
	state := "already set up"
	if created {
		state = "set up"
	}
	fmt.Fprintf(c.stdout, "console %s: client %s, open %s%s\n", state, console.ClientID, strings.TrimSuffix(*base, "/"), console.Path)
	return nil
}

// setupConsole creates the console's client unless it exists; it reports
// whether it created it. Its id is fixed: the console's page names it.
func setupConsole(ctx context.Context, a *app.App, base string, scopes []string) (bool, error) {
	base = strings.TrimSuffix(base, "/")
	if !strings.HasPrefix(base, "https://") && !strings.HasPrefix(base, "http://127.0.0.1") && !strings.HasPrefix(base, "http://localhost") {
		return false, fmt.Errorf("--url must be https (or http://127.0.0.1 locally); got %q", base)
	}
	_, err := a.Store.GetClient(ctx, console.ClientID)
	if err == nil {
		return false, nil
	}
	if !errors.Is(err, tokens.ErrNotFound) {
		return false, err
	}
	cfg := a.Config
	err = a.Store.CreateClient(ctx, tokens.Client{
		ID: console.ClientID, Name: "Latchkey console", AuthMethod: oauth.AuthNone, FirstParty: true,
		Grants: []string{oauth.GrantAuthorizationCode, oauth.GrantRefreshToken},
		Scopes: append([]string{"openid"}, scopes...), AllowOfflineAccess: true, AllowSelfMint: true,
		RedirectURIs:   []string{base + console.Path},
		AccessTokenTTL: cfg.AccessTokenTTL, AccessTokenFormat: tokens.FormatJWT,
		RefreshAbsoluteTTL: cfg.RefreshAbsoluteTTL, RefreshIdleTTL: cfg.RefreshIdleTTL,
		RefreshRotation: tokens.RotationRotate, RefreshReuseGrace: cfg.RefreshReuseGrace,
		MaxSessionsPerSubject: tokens.DefaultMaxSessions, CreatedAt: time.Now().UTC(),
	})
	if err != nil {
		return false, fmt.Errorf("set up the console's client: %w", err)
	}
	return true, nil
}

// consoleBase is where make dev serves the console: the issuer it prints.
func (c cli) consoleBase() string {
	if v, ok := c.lookup("ISSUER"); ok && v != "" {
		return strings.TrimSuffix(v, "/")
	}
	return "http://127.0.0.1:8080"
}
