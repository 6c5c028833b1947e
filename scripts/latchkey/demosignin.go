package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/latchkey/latchkey/shared/app"
	"github.com/latchkey/latchkey/shared/oauth"
	"github.com/latchkey/latchkey/shared/tokens"
)

// The browser sign-in's demo client: public, first party, with a loopback
// redirect URI that matches any port (RFC 8252 §7.3), so `latchkey demo
// signin` can act as a native app. Its id is fixed, like the sample
// events' client: events/authorize.json names it.
const (
	signinClientID  = "demo-spa"
	signinLoopback  = "http://127.0.0.1/callback"
	signinWaitLimit = 5 * time.Minute
)

// seedSignInClient creates the demo code-flow client unless present.
func seedSignInClient(ctx context.Context, a *app.App) error {
	_, err := a.Store.GetClient(ctx, signinClientID)
	if !errors.Is(err, tokens.ErrNotFound) {
		return err
	}
	cfg := a.Config
	err = a.Store.CreateClient(ctx, tokens.Client{
		ID: signinClientID, Name: "Demo app (browser sign-in)", AuthMethod: oauth.AuthNone, FirstParty: true,
		Grants: []string{oauth.GrantAuthorizationCode, oauth.GrantRefreshToken}, Scopes: []string{"openid", "read"},
		AllowOfflineAccess: true, RedirectURIs: []string{signinLoopback},
		AccessTokenTTL: cfg.AccessTokenTTL, AccessTokenFormat: tokens.FormatJWT,
		RefreshAbsoluteTTL: cfg.RefreshAbsoluteTTL, RefreshIdleTTL: cfg.RefreshIdleTTL,
		RefreshRotation: tokens.RotationRotate, RefreshReuseGrace: cfg.RefreshReuseGrace,
		MaxSessionsPerSubject: tokens.DefaultMaxSessions, CreatedAt: time.Now().UTC(),
	})
	if err != nil {
		return fmt.Errorf("seed the sign-in demo client: %w", err)
	}
	return nil
}

// demoSignIn acts as a native app signing a user in through the browser
// (RFC 8252): it listens on a loopback port, prints the authorization URL
// with PKCE, waits for the browser to come back with a code and exchanges
// it at the token endpoint.
func (c cli) demoSignIn(ctx context.Context, args []string) error {
	fs := c.flags("demo signin")
	base := fs.String("url", "http://127.0.0.1:8080", "where latchkey serve listens")
	clientID := fs.String("client", signinClientID, "a public client with the redirect URI "+signinLoopback)
	if err := parse(fs, args, 0); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	defer ln.Close()
	conf := &oauth2.Config{
		ClientID: *clientID, Scopes: []string{"openid", "read", oauth.ScopeOfflineAccess},
		RedirectURL: fmt.Sprintf("http://127.0.0.1:%d/callback", ln.Addr().(*net.TCPAddr).Port),
		Endpoint: oauth2.Endpoint{
			AuthURL: strings.TrimSuffix(*base, "/") + "/oauth2/authorize", TokenURL: strings.TrimSuffix(*base, "/") + "/oauth2/token",
			AuthStyle: oauth2.AuthStyleInParams,
		},
	}
	verifier, state := oauth2.GenerateVerifier(), randomState()
	c.printf("Open this URL in a browser and sign in (make dev printed DEMO_USER and PW):\n\n  %s\n\nWaiting for the browser...\n",
		conf.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier)))
	code, err := awaitCode(ctx, ln, state)
	if err != nil {
		return err
	}
	c.printf("\nThe browser came back with the code %s…\nExchanging it (with the PKCE verifier) at %s:\n\n", code[:12], conf.Endpoint.TokenURL)
	tok, err := conf.Exchange(ctx, code, oauth2.VerifierOption(verifier))
	if err != nil {
		return err
	}
	return c.printSignedIn(tok)
}

func randomState() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// awaitCode serves the redirect URI until the browser arrives with a code
// for state, or with an error.
func awaitCode(ctx context.Context, ln net.Listener, state string) (string, error) {
	got := make(chan error, 1)
	var code string
	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		var err error
		switch {
		case r.URL.Path != "/callback":
			http.NotFound(w, r)
			return
		case q.Get("error") != "":
			err = fmt.Errorf("the sign-in ended with %s: %s", q.Get("error"), q.Get("error_description"))
		case q.Get("state") != state:
			err = errors.New("the browser came back with another state: not this sign-in")
		default:
			code = q.Get("code")
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if err != nil {
			_, _ = fmt.Fprintln(w, err)
		} else {
			_, _ = fmt.Fprintln(w, "Signed in. The terminal shows the tokens; you can close this tab.")
		}
		select {
		case got <- err:
		default:
		}
	})}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	select {
	case err := <-got:
		return code, err
	case <-time.After(signinWaitLimit):
		return "", errors.New("no browser came back within 5 minutes")
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// printSignedIn shows the tokens and the access token's claims.
func (c cli) printSignedIn(tok *oauth2.Token) error {
	c.printf("  access_token:  %s…\n  refresh_token: %s…\n  expires:       %s\n",
		prefix(tok.AccessToken, 24), prefix(tok.RefreshToken, 24), tok.Expiry.Format(time.RFC3339))
	parts := strings.Split(tok.AccessToken, ".")
	if len(parts) != 3 {
		return nil
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil
	}
	var claims map[string]any
	if json.Unmarshal(payload, &claims) != nil {
		return nil
	}
	pretty, _ := json.MarshalIndent(claims, "  ", "  ")
	c.printf("\nThe access token's claims (auth_time is when you signed in):\n  %s\n", pretty)
	return nil
}

func prefix(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
