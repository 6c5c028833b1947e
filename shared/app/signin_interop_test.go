package app_test

import (
	"context"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/latchkey/latchkey/shared/tokens"
)

// Interop with a relying-party library nobody here wrote:
// golang.org/x/oauth2 builds the authorization URL with PKCE
// (GenerateVerifier, S256ChallengeOption), the test signs in through the
// hosted login form over HTTP, and the library redeems the code
// (Exchange with VerifierOption) and refreshes through its TokenSource.
func TestSignInInteropXOAuth2(t *testing.T) {
	s := newSignin(t)
	for _, tc := range []struct {
		name   string
		client tokens.Client
		secret string
		style  oauth2.AuthStyle
	}{
		{"public client, client_id in the body", s.first, "", oauth2.AuthStyleInParams},
		{"confidential client, Basic", s.web, s.webSecret, oauth2.AuthStyleInHeader},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := s.Browser()
			conf := &oauth2.Config{
				ClientID: tc.client.ID, ClientSecret: tc.secret, RedirectURL: callback,
				Scopes: []string{"openid", "read", "offline_access"},
				Endpoint: oauth2.Endpoint{
					AuthURL: b.Server.URL + "/oauth2/authorize", TokenURL: b.Server.URL + "/oauth2/token", AuthStyle: tc.style,
				},
			}
			verifier := oauth2.GenerateVerifier()
			start := b.Get(conf.AuthCodeURL("xo-state", oauth2.S256ChallengeOption(verifier)))
			done := b.LogIn(b.Get(start.Location()), testUser, testPassword)
			q := done.LocationQuery()
			if q.Get("state") != "xo-state" || q.Get("iss") != s.App.Config.Issuer || q.Get("code") == "" {
				t.Fatalf("callback = %d %q; want code, state xo-state and iss", done.Status, done.Location())
			}
			ctx := context.WithValue(context.Background(), oauth2.HTTPClient, b.Server.Client())
			tok, err := conf.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(verifier))
			if err != nil || tok.AccessToken == "" || tok.RefreshToken == "" || tok.TokenType != "Bearer" {
				t.Fatalf("Exchange = %+v, %v; want a bearer access token and a refresh token", tok, err)
			}
			refreshed := refreshThrough(t, conf, ctx, tok.RefreshToken)
			if refreshed.RefreshToken == "" || refreshed.RefreshToken == tok.RefreshToken || refreshed.AccessToken == tok.AccessToken {
				t.Fatalf("refresh through the TokenSource = %+v; want a new pair (rotation)", refreshed)
			}
			if _, err := conf.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(verifier)); err == nil {
				t.Fatal("a second Exchange of the same code succeeded; want invalid_grant")
			}
			expired := &oauth2.Token{RefreshToken: refreshed.RefreshToken, Expiry: time.Now().Add(-time.Minute)}
			if got, err := conf.TokenSource(ctx, expired).Token(); err == nil {
				t.Errorf("refresh after the code was replayed = %+v; want an error (the session is revoked)", got)
			}
		})
	}
}

// refreshThrough has the library's TokenSource refresh an expired token.
func refreshThrough(t *testing.T, conf *oauth2.Config, ctx context.Context, refreshToken string) *oauth2.Token {
	t.Helper()
	expired := &oauth2.Token{RefreshToken: refreshToken, Expiry: time.Now().Add(-time.Minute)}
	tok, err := conf.TokenSource(ctx, expired).Token()
	if err != nil {
		t.Fatalf("TokenSource.Token = %v; want a refreshed token", err)
	}
	return tok
}
