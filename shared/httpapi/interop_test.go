package httpapi_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// TestInteropXOAuth2 drives the token endpoint with golang.org/x/oauth2,
// the reference Go client, in both client authentication styles.
func TestInteropXOAuth2(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, f.Server.Client())
	tokenURL := f.Server.URL + tokenPath
	styles := []struct {
		name  string
		style oauth2.AuthStyle
	}{
		{"client_secret_basic", oauth2.AuthStyleInHeader},
		{"client_secret_post", oauth2.AuthStyleInParams},
	}
	for _, s := range styles {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			t.Run("client_credentials", func(t *testing.T) {
				cfg := clientcredentials.Config{
					ClientID: f.conf.ID, ClientSecret: f.confSecret, TokenURL: tokenURL,
					Scopes: []string{"read"}, AuthStyle: s.style,
				}
				tok, err := cfg.Token(ctx)
				if err != nil {
					t.Fatalf("clientcredentials Token: %v", err)
				}
				checkToken(t, tok, "read")
				if tok.RefreshToken != "" {
					t.Errorf("client_credentials gave refresh token %q; want none (RFC 6749 §4.4.3)", tok.RefreshToken)
				}
			})
			t.Run("password and refresh", func(t *testing.T) {
				cfg := oauth2.Config{
					ClientID: f.conf.ID, ClientSecret: f.confSecret,
					Endpoint: oauth2.Endpoint{TokenURL: tokenURL, AuthStyle: s.style},
					Scopes:   []string{"read", "offline_access"},
				}
				tok, err := cfg.PasswordCredentialsToken(ctx, testUser, testPass)
				if err != nil {
					t.Fatalf("PasswordCredentialsToken: %v", err)
				}
				checkToken(t, tok, "read offline_access")
				if tok.RefreshToken == "" {
					t.Fatal("password grant with offline_access gave no refresh token")
				}
				first := *tok
				tok.Expiry = time.Now().Add(-time.Minute)
				next, err := cfg.TokenSource(ctx, tok).Token()
				if err != nil {
					t.Fatalf("TokenSource refresh: %v", err)
				}
				checkToken(t, next, "read offline_access")
				if next.AccessToken == first.AccessToken {
					t.Error("refresh returned the same access token")
				}
				if next.RefreshToken == "" || next.RefreshToken == first.RefreshToken {
					t.Errorf("refresh token after refresh = %q; want a rotated one (was %q)", next.RefreshToken, first.RefreshToken)
				}
				// The rotated token refreshes in turn.
				next.Expiry = time.Now().Add(-time.Minute)
				third, err := cfg.TokenSource(ctx, next).Token()
				if err != nil {
					t.Fatalf("second refresh: %v", err)
				}
				if third.RefreshToken == next.RefreshToken {
					t.Errorf("second refresh kept refresh token %q; want a new one", third.RefreshToken)
				}
			})
			t.Run("wrong secret", func(t *testing.T) {
				cfg := clientcredentials.Config{
					ClientID: f.conf.ID, ClientSecret: "lk_cs_wrong", TokenURL: tokenURL, AuthStyle: s.style,
				}
				_, err := cfg.Token(ctx)
				var re *oauth2.RetrieveError
				if !errors.As(err, &re) {
					t.Fatalf("Token with a wrong secret: err = %v; want *oauth2.RetrieveError", err)
				}
				if re.ErrorCode != "invalid_client" || re.Response.StatusCode != http.StatusUnauthorized || re.ErrorDescription == "" {
					t.Errorf("RetrieveError = %d %q %q; want 401 invalid_client with a description",
						re.Response.StatusCode, re.ErrorCode, re.ErrorDescription)
				}
			})
		})
	}
}

func checkToken(t *testing.T, tok *oauth2.Token, scope string) {
	t.Helper()
	if tok.AccessToken == "" || tok.Type() != "Bearer" {
		t.Errorf("token = %q type %q; want a Bearer access token", tok.AccessToken, tok.Type())
	}
	if got := tok.Extra("scope"); got != scope {
		t.Errorf("scope = %v; want %q", got, scope)
	}
	if d := time.Until(tok.Expiry); d < 14*time.Minute || d > 15*time.Minute {
		t.Errorf("token expires in %v; want about 15m (expires_in 900)", d)
	}
	if !tok.Valid() {
		t.Error("token is not valid")
	}
}
