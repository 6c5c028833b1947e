package main

import (
	"context"
	"flag"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/latchkey/latchkey/shared/config"
	"github.com/latchkey/latchkey/shared/tokens"
)

func (c cli) client(ctx context.Context, args []string) error {
	return c.sub(ctx, "client", args, map[string]func(context.Context, []string) error{
		"create": c.clientCreate, "list": c.clientList, "disable": c.clientDisable,
	})
}

// clientFlags binds the client settings of docs/design.md §2 to flags, with the
// deployment's defaults.
func clientFlags(fs *flag.FlagSet, cfg config.Config, spec *tokens.ClientSpec) (grants, scopes *string) {
	fs.StringVar(&spec.Name, "name", "", "client name (required)")
	grants = fs.String("grants", "client_credentials", "comma-separated grants: client_credentials,password,refresh_token,authorization_code,urn:ietf:params:oauth:grant-type:device_code")
	scopes = fs.String("scopes", "", `space-separated scopes the client may request, e.g. "read write"`)
	fs.BoolVar(&spec.AllowOfflineAccess, "offline", false, "allow refresh tokens (the offline_access scope)")
	fs.BoolVar(&spec.Public, "public", false, "a public client: no secret (token_endpoint_auth_method none)")
	fs.BoolVar(&spec.FirstParty, "first-party", false, "the deployment's own app: the browser sign-in asks no consent")
	fs.Func("redirect-uris", "comma-separated redirect URIs of the authorization_code grant, matched exactly (a public client's http://127.0.0.1/path matches any port)",
		func(v string) error { spec.RedirectURIs = splitList(v); return nil })
	fs.BoolVar(&spec.Introspect, "introspect", false, "a resource server that may introspect any token")
	fs.BoolVar(&spec.AllowSelfMint, "allow-mint", false, "let this client's users mint long-lived tokens for themselves")
	fs.Func("resources", "comma-separated resource indicators (RFC 8707) the client may ask for; a token for them has them as its aud",
		func(v string) error { spec.Resources = splitList(v); return nil })
	fs.StringVar(&spec.IDTokenAlg, "id-token-alg", "", "ID token signature algorithm: RS256 (the default) or ES256")
	fs.Func("access-token-claims", "comma-separated user claims to copy into access tokens, e.g. email,groups",
		func(v string) error { spec.AccessTokenClaims = splitList(v); return nil })
	fs.Func("claim-size-limits", "comma-separated claim=bytes limits, e.g. groups=512: a longer claim is cut and named in claim_type_limit_reached",
		func(v string) error { return parseClaimLimits(v, &spec.ClaimSizeLimits) })
	fs.BoolVar(&spec.MayExchange, "may-exchange", false, "a confidential service that may exchange a user's access token for one acting for the user (RFC 8693)")
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

// clientView is what `client list` prints: every setting, never the
// secret hash. Durations read as the flags of `client create` take them.
type clientView struct {
	ID                    string         `json:"client_id"`
	Name                  string         `json:"name"`
	Status                string         `json:"status"`
	CreatedAt             time.Time      `json:"created_at"`
	AuthMethod            string         `json:"token_endpoint_auth_method"`
	Grants                []string       `json:"grants"`
	Scopes                []string       `json:"scopes"`
	AllowOfflineAccess    bool           `json:"allow_offline_access"`
	Introspect            bool           `json:"introspect"`
	AllowMint             bool           `json:"allow_mint"`
	MayExchange           bool           `json:"may_exchange"`
	AccessTokenFormat     string         `json:"access_token_format"`
	AccessTokenTTL        string         `json:"access_token_ttl"`
	RefreshAbsoluteTTL    string         `json:"refresh_absolute_ttl"`
	RefreshIdleTTL        string         `json:"refresh_idle_ttl"`
	RefreshRotation       string         `json:"refresh_rotation"`
	RefreshReuseGrace     string         `json:"refresh_reuse_grace"`
	MaxSessionsPerSubject int            `json:"max_sessions_per_subject"`
	ClaimSizeLimits       map[string]int `json:"claim_size_limits,omitempty"`
	RedirectURIs          []string       `json:"redirect_uris,omitempty"`
	FirstParty            bool           `json:"first_party"`
	Resources             []string       `json:"resources,omitempty"`
	IDTokenAlg            string         `json:"id_token_alg"`
	AccessTokenClaims     []string       `json:"access_token_claims,omitempty"`
}

func viewClient(cl tokens.Client) clientView {
	status := "enabled"
	if cl.Disabled {
		status = "disabled"
	}
	return clientView{
		ID: cl.ID, Name: cl.Name, Status: status, CreatedAt: cl.CreatedAt, AuthMethod: cl.AuthMethod,
		Grants: cl.Grants, Scopes: cl.Scopes, AllowOfflineAccess: cl.AllowOfflineAccess,
		Introspect: cl.Introspect, AllowMint: cl.AllowSelfMint, MayExchange: cl.MayExchange, AccessTokenFormat: cl.AccessTokenFormat,
		AccessTokenTTL: shortDuration(cl.AccessTokenTTL), RefreshAbsoluteTTL: shortDuration(cl.RefreshAbsoluteTTL),
		RefreshIdleTTL: shortDuration(cl.RefreshIdleTTL), RefreshRotation: cl.RefreshRotation,
		RefreshReuseGrace: shortDuration(cl.RefreshReuseGrace), MaxSessionsPerSubject: cl.MaxSessionsPerSubject,
		ClaimSizeLimits: cl.ClaimSizeLimits, RedirectURIs: cl.RedirectURIs, FirstParty: cl.FirstParty,
		Resources: cl.Resources, IDTokenAlg: idTokenAlg(cl.IDTokenAlg), AccessTokenClaims: cl.AccessTokenClaims,
	}
}

// shortDuration spells d as a person would type it: 15m, 720h, 1h30m, 30s.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

func (c cli) clientList(ctx context.Context, args []string) error {
	fs := c.flags("client list")
	asJSON := fs.Bool("json", false, "print JSON")
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
		views = append(views, viewClient(cl))
	}
	if *asJSON {
		return c.printJSON(views)
	}
	return c.printClients(views)
}

// printClients prints one block per client, one setting a line, under the
// names the JSON output uses.
func (c cli) printClients(views []clientView) error {
	if len(views) == 0 {
		c.printf("no clients\n")
		return nil
	}
	w := tabwriter.NewWriter(c.stdout, 0, 0, 2, ' ', 0)
	for i, v := range views {
		if i > 0 {
			fmt.Fprintln(w)
		}
		for _, row := range v.rows() {
			fmt.Fprintf(w, "%s:\t%s\n", row[0], row[1])
		}
	}
	return w.Flush()
}

func (v clientView) rows() [][2]string {
	rows := [][2]string{
		{"client_id", v.ID}, {"name", v.Name}, {"status", v.Status},
		{"created_at", v.CreatedAt.UTC().Format(time.RFC3339)},
		{"token_endpoint_auth_method", v.AuthMethod},
		{"grants", strings.Join(v.Grants, " ")}, {"scopes", strings.Join(v.Scopes, " ")},
		{"redirect_uris", strings.Join(v.RedirectURIs, " ")}, {"first_party", strconv.FormatBool(v.FirstParty)},
		{"allow_offline_access", strconv.FormatBool(v.AllowOfflineAccess)},
		{"introspect", strconv.FormatBool(v.Introspect)}, {"allow_mint", strconv.FormatBool(v.AllowMint)},
		{"may_exchange", strconv.FormatBool(v.MayExchange)},
		{"access_token_format", v.AccessTokenFormat}, {"access_token_ttl", v.AccessTokenTTL},
		{"refresh_absolute_ttl", v.RefreshAbsoluteTTL}, {"refresh_idle_ttl", v.RefreshIdleTTL},
		{"refresh_rotation", v.RefreshRotation}, {"refresh_reuse_grace", v.RefreshReuseGrace},
		{"max_sessions_per_subject", strconv.Itoa(v.MaxSessionsPerSubject)},
		{"resources", strings.Join(v.Resources, " ")}, {"id_token_alg", v.IDTokenAlg},
		{"access_token_claims", strings.Join(v.AccessTokenClaims, " ")},
	}
	for _, claim := range slices.Sorted(maps.Keys(v.ClaimSizeLimits)) {
		rows = append(rows, [2]string{"claim_size_limit " + claim, strconv.Itoa(v.ClaimSizeLimits[claim])})
	}
	return rows
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
	c.printf("client %s disabled (running servers refuse it once their client cache expires: CLIENT_CACHE_TTL, make dev's at once)\n", fs.Arg(0))
	return nil
}
