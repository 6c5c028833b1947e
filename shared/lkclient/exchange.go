package lkclient

import (
	"context"
	"fmt"
	"net/url"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// Token exchange vocabulary (RFC 8693 §2.1, §3).
const (
	GrantTypeTokenExchange = "urn:ietf:params:oauth:grant-type:token-exchange"
	TokenTypeAccessToken   = "urn:ietf:params:oauth:token-type:access_token"
	TokenTypeRefreshToken  = "urn:ietf:params:oauth:token-type:refresh_token"
	TokenTypeJWT           = "urn:ietf:params:oauth:token-type:jwt"
)

// ExchangeRequest is a token exchange request (RFC 8693 §2.1): a service
// presents the token of the user it acts for and asks for one of its own.
type ExchangeRequest struct {
	// SubjectToken is the user's token; SubjectTokenType says what it is
	// [TokenTypeAccessToken].
	SubjectToken     string
	SubjectTokenType string
	// ActorToken, when set, is the acting party's own token.
	ActorToken     string
	ActorTokenType string
	// RequestedTokenType is the kind of token wanted; empty lets the
	// server choose (an access token).
	RequestedTokenType string
	// Scopes narrow the issued token; empty asks for every scope both
	// the subject token and the service hold.
	Scopes []string
	// Resources (RFC 8707) and Audiences name where the token will be
	// used; they become its aud.
	Resources []string
	Audiences []string
}

// form is the request's parameters besides grant_type and scope.
func (r ExchangeRequest) form() url.Values {
	v := url.Values{"grant_type": {GrantTypeTokenExchange}, "subject_token": {r.SubjectToken}}
	v.Set("subject_token_type", r.SubjectTokenType)
	if r.SubjectTokenType == "" {
		v.Set("subject_token_type", TokenTypeAccessToken)
	}
	setIf(v, "actor_token", r.ActorToken)
	setIf(v, "actor_token_type", r.ActorTokenType)
	setIf(v, "requested_token_type", r.RequestedTokenType)
	v["resource"] = r.Resources
	v["audience"] = r.Audiences
	for k, vs := range v {
		if len(vs) == 0 {
			delete(v, k)
		}
	}
	return v
}

func setIf(v url.Values, key, value string) {
	if value != "" {
		v.Set(key, value)
	}
}

// Exchange sends req to service's token endpoint, authenticated as
// service (RFC 8693 §2.1), and returns the issued token. The token's
// issued_token_type is IssuedTokenType(t); a refresh token, when the
// server issued one for a job session, can seed a Store for New. The
// HTTP client is the one in ctx under oauth2.HTTPClient, as everywhere
// in x/oauth2. Errors are *oauth2.RetrieveError for an OAuth error
// (unauthorized_client, invalid_scope, invalid_target, …).
func Exchange(ctx context.Context, service *oauth2.Config, req ExchangeRequest) (*oauth2.Token, error) {
	if req.SubjectToken == "" {
		return nil, fmt.Errorf("lkclient: token exchange needs a subject token")
	}
	cc := &clientcredentials.Config{
		ClientID: service.ClientID, ClientSecret: service.ClientSecret,
		TokenURL: service.Endpoint.TokenURL, Scopes: req.Scopes,
		EndpointParams: req.form(), AuthStyle: refreshConfig(service).Endpoint.AuthStyle,
	}
	t, err := cc.Token(ctx)
	if err != nil {
		return nil, fmt.Errorf("lkclient: token exchange: %w", err)
	}
	return t, nil
}

// IssuedTokenType returns the issued_token_type of an exchanged token
// (RFC 8693 §2.2.1), or "" when the answer had none.
func IssuedTokenType(t *oauth2.Token) string {
	s, _ := t.Extra("issued_token_type").(string)
	return s
}
