package lkclient

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"golang.org/x/oauth2"
)

// TestExchangeForm: the request is RFC 8693 §2.1's form, authenticated
// as the service, and the answer's issued_token_type is readable.
func TestExchangeForm(t *testing.T) {
	var got url.Values
	var id, secret string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		got = r.PostForm
		id, secret, _ = r.BasicAuth()
		writeJSON(w, 200, map[string]any{
			"access_token": "at-job", "token_type": "Bearer", "expires_in": 900,
			"issued_token_type": TokenTypeAccessToken, "scope": "read",
		})
	}))
	defer srv.Close()
	svc := &oauth2.Config{ClientID: "svc", ClientSecret: "s3cret", Endpoint: oauth2.Endpoint{TokenURL: srv.URL}}
	tok, err := Exchange(context.Background(), svc, ExchangeRequest{
		SubjectToken: "user-at", Scopes: []string{"read", "offline_access"},
		Resources: []string{"https://a.test", "https://b.test"}, Audiences: []string{"jobs"},
	})
	if err != nil || tok.AccessToken != "at-job" || IssuedTokenType(tok) != TokenTypeAccessToken {
		t.Fatalf("Exchange = %v, %v; want at-job of type access_token", tok, err)
	}
	want := url.Values{
		"grant_type": {GrantTypeTokenExchange}, "subject_token": {"user-at"}, "subject_token_type": {TokenTypeAccessToken},
		"scope": {"read offline_access"}, "resource": {"https://a.test", "https://b.test"}, "audience": {"jobs"},
	}
	if got.Encode() != want.Encode() || id != "svc" || secret != "s3cret" {
		t.Errorf("request = %s as %s:%s; want %s as svc:s3cret", got.Encode(), id, secret, want.Encode())
	}
}

// TestExchangeErrors: a refusal is the server's *oauth2.RetrieveError;
// a missing subject token sends nothing.
func TestExchangeErrors(t *testing.T) {
	requests := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		requests++
		writeOAuthError(w, http.StatusBadRequest, "unauthorized_client")
	}))
	defer srv.Close()
	svc := &oauth2.Config{ClientID: "svc", ClientSecret: "s", Endpoint: oauth2.Endpoint{TokenURL: srv.URL}}
	_, err := Exchange(context.Background(), svc, ExchangeRequest{SubjectToken: "x"})
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) || re.ErrorCode != "unauthorized_client" || requests != 1 {
		t.Errorf("Exchange = %v after %d requests; want unauthorized_client after 1", err, requests)
	}
	if _, err := Exchange(context.Background(), svc, ExchangeRequest{}); err == nil || requests != 1 {
		t.Errorf("Exchange without a subject token = %v after %d requests; want an error and no request", err, requests)
	}
}
