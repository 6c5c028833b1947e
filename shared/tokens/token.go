package tokens

import (
	"context"
	"log/slog"
	"slices"

	"github.com/latchkey/latchkey/shared/oauth"
)

// TokenRequest is a token endpoint request (RFC 6749 §4.3.2, §4.4.2, §6),
// already decoded from the wire.
type TokenRequest struct {
	Client       ClientAuth
	GrantType    string
	Scope        string
	Username     string
	Password     string
	RefreshToken string
	// Code, RedirectURI and CodeVerifier redeem an authorization code
	// (RFC 6749 §4.1.3, RFC 7636 §4.5).
	Code         string
	RedirectURI  string
	CodeVerifier string
	// DeviceCode polls a device authorization (RFC 8628 §3.4).
	DeviceCode string
	// Resources are the request's resource parameters (RFC 8707 §2).
	Resources []string
	// SubjectToken and the fields after it are a token exchange request
	// (RFC 8693 §2.1); Audiences are its audience parameters.
	SubjectToken       string
	SubjectTokenType   string
	ActorToken         string
	ActorTokenType     string
	RequestedTokenType string
	Audiences          []string
	// IP and UserAgent describe the caller; a new or refreshed session
	// records them for the sessions page.
	IP        string
	UserAgent string
}

// Token implements the token endpoint (RFC 6749 §3.2) for every grant a
// client may use, refresh_token included, so any standard client works
// against /oauth2/token alone.
func (s *Service) Token(ctx context.Context, r TokenRequest) (oauth.TokenResponse, error) {
	switch r.GrantType {
	case oauth.GrantClientCredentials, oauth.GrantPassword, oauth.GrantRefreshToken, oauth.GrantAuthorizationCode,
		oauth.GrantTokenExchange, oauth.GrantDeviceCode:
	case "":
		return oauth.TokenResponse{}, oauth.InvalidRequest("grant_type is required")
	default:
		return oauth.TokenResponse{}, oauth.UnsupportedGrantType("grant_type " + r.GrantType + " is not supported")
	}
	c, err := s.AuthenticateClient(ctx, r.Client)
	if err != nil {
		return oauth.TokenResponse{}, err
	}
	if r.GrantType == oauth.GrantTokenExchange {
		return s.exchange(ctx, c, r) // allowed by MayExchange, not by Grants
	}
	if !c.AllowsGrant(r.GrantType) {
		return oauth.TokenResponse{}, oauth.UnauthorizedClient("the client may not use the " + r.GrantType + " grant")
	}
	switch r.GrantType {
	case oauth.GrantClientCredentials:
		return s.clientCredentials(ctx, c, r)
	case oauth.GrantPassword:
		return s.password(ctx, c, r)
	case oauth.GrantAuthorizationCode:
		return s.authorizationCode(ctx, c, r)
	case oauth.GrantDeviceCode:
		return s.deviceToken(ctx, c, r)
	default:
		return s.refresh(ctx, &c, RefreshRequest{
			RefreshToken: r.RefreshToken, Scope: r.Scope, Resources: r.Resources, IP: r.IP, UserAgent: r.UserAgent,
		})
	}
}

// clientCredentials implements RFC 6749 §4.4: an access token for the
// client itself, never a refresh token (§4.4.3).
func (s *Service) clientCredentials(ctx context.Context, c Client, r TokenRequest) (oauth.TokenResponse, error) {
	if c.Public() {
		return oauth.TokenResponse{}, oauth.UnauthorizedClient("a public client cannot use client_credentials")
	}
	allowed := slices.DeleteFunc(slices.Clone(c.Scopes), func(s string) bool { return s == oauth.ScopeOfflineAccess })
	scopes, err := grantedScopes(r.Scope, allowed)
	if err != nil {
		return oauth.TokenResponse{}, err
	}
	resources, err := c.ResolveResources(r.Resources)
	if err != nil {
		return oauth.TokenResponse{}, err
	}
	now := s.now()
	at, err := s.issueAccess(ctx, c, accessGrant{subject: c.ID, scopes: scopes, resources: resources, jti: NewID()}, now)
	if err != nil {
		return oauth.TokenResponse{}, err
	}
	if err := s.persist(ctx, at); err != nil {
		return oauth.TokenResponse{}, err
	}
	s.audit(ctx, slog.LevelInfo, "token_issued", slog.String("client_id", c.ID), slog.String("sub", c.ID),
		slog.String("jti", at.jti), slog.String("grant_type", oauth.GrantClientCredentials), slog.String("outcome", "ok"))
	return at.response(scopes), nil
}

// JWKS returns the public signing keys as a JSON key set (RFC 7517 §5).
func (s *Service) JWKS(ctx context.Context) ([]byte, error) {
	set, err := s.signer.JWKS(ctx)
	if err != nil {
		return nil, signerError(err)
	}
	return set, nil
}
