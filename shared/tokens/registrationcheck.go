package tokens

import (
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/latchkey/latchkey/shared/oauth"
)

// dynamicClient checks registration metadata (RFC 7591 §2) and returns
// the client it registers: public, for the authorization code grant (and
// refresh tokens when it asks for them), with https or loopback redirect
// URIs only, the deployment's scopes and resources, and an expiry.
func (s *Service) dynamicClient(m oauth.ClientMetadata) (Client, error) {
	grants, err := registeredGrants(m)
	if err != nil {
		return Client{}, err
	}
	appType, err := checkRedirectURIs(m.RedirectURIs, m.ApplicationType)
	if err != nil {
		return Client{}, err
	}
	name, err := clientName(m.ClientName)
	if err != nil {
		return Client{}, err
	}
	now := s.now().UTC()
	c := s.selfRegisteredClient(dynamicIDPrefix+NewID(), name, grants, m.RedirectURIs, m.Scope, now)
	c.Registration = Registration{Kind: RegisteredDynamically, ApplicationType: appType, ExpiresAt: now.Add(s.registration.UnusedTTL)}
	return c, c.validate()
}

// selfRegisteredClient is a public client with the deployment's lifetimes
// (sessions no longer than an unused registration lives), asking for no
// more than the deployment lets self-registered clients have.
func (s *Service) selfRegisteredClient(id, name string, grants, redirects []string, scope string, now time.Time) Client {
	absolute := s.defaults.RefreshAbsoluteTTL
	if ttl := s.registration.UnusedTTL; ttl > 0 && ttl < absolute {
		absolute = ttl
	}
	return Client{
		ID: id, Name: name, AuthMethod: oauth.AuthNone, Grants: grants, Scopes: s.registrableScopes(scope),
		AllowOfflineAccess: slices.Contains(grants, oauth.GrantRefreshToken), AccessTokenFormat: FormatJWT,
		AccessTokenTTL: s.defaults.AccessTokenTTL, RefreshAbsoluteTTL: absolute, RefreshIdleTTL: s.defaults.RefreshIdleTTL,
		RefreshRotation: RotationRotate, RefreshReuseGrace: s.defaults.RefreshReuseGrace,
		MaxSessionsPerSubject: DefaultMaxSessions, Resources: slices.Clone(s.registration.Resources),
		RedirectURIs: slices.Clone(redirects), CreatedAt: now,
	}
}

// registrableScopes are the scopes asked for that the deployment lets
// self-registered clients have (openid always; offline_access comes with
// the refresh_token grant), or all of them when none is asked for.
func (s *Service) registrableScopes(scope string) []string {
	allowed := append([]string{ScopeOpenID}, s.registration.Scopes...)
	asked := oauth.ParseScope(scope)
	if len(asked) == 0 {
		return allowed
	}
	return slices.DeleteFunc(asked, func(sc string) bool { return !slices.Contains(allowed, sc) })
}

// registeredGrants checks the grant and response types and the
// authentication method. A secret-based method is replaced by none
// (RFC 7591 §2 lets the server replace values): only public clients
// register themselves.
func registeredGrants(m oauth.ClientMetadata) ([]string, error) {
	grants := m.GrantTypes
	if len(grants) == 0 {
		grants = []string{oauth.GrantAuthorizationCode}
	}
	for _, g := range grants {
		if g != oauth.GrantAuthorizationCode && g != oauth.GrantRefreshToken {
			return nil, oauth.InvalidClientMetadata("grant_types may hold only authorization_code and refresh_token")
		}
	}
	if !slices.Contains(grants, oauth.GrantAuthorizationCode) {
		return nil, oauth.InvalidClientMetadata("grant_types must include authorization_code")
	}
	for _, rt := range m.ResponseTypes {
		if rt != oauth.ResponseTypeCode {
			return nil, oauth.InvalidClientMetadata("response_types may hold only code")
		}
	}
	slices.Sort(grants)
	return slices.Compact(slices.Clone(grants)), nil
}

// checkRedirectURIs holds the redirect URIs to the application type
// (OpenID Connect Registration §2): a web client's are https, a native
// client's http on a loopback host or https; private-use schemes and
// plain http elsewhere are refused. An absent application_type is native
// when a redirect URI is loopback, web otherwise. It returns the type.
func checkRedirectURIs(uris []string, appType string) (string, error) {
	switch {
	case len(uris) == 0:
		return "", oauth.InvalidRedirectURI("at least one redirect URI is required")
	case len(uris) > maxRedirectURIs:
		return "", oauth.InvalidRedirectURI("at most 10 redirect URIs may be registered")
	case appType == "" && slices.ContainsFunc(uris, loopbackRedirect):
		appType = oauth.ApplicationNative
	case appType == "":
		appType = oauth.ApplicationWeb
	case appType != oauth.ApplicationWeb && appType != oauth.ApplicationNative:
		return "", oauth.InvalidClientMetadata("application_type must be web or native")
	}
	for _, u := range uris {
		if why := redirectURIProblem(u, true); why != "" {
			return "", oauth.InvalidRedirectURI("a redirect URI " + why)
		}
		switch {
		case loopbackRedirect(u) && appType == oauth.ApplicationWeb:
			return "", oauth.InvalidRedirectURI("a web client's redirect URIs must be https")
		case !loopbackRedirect(u) && !strings.HasPrefix(u, "https://"):
			return "", oauth.InvalidRedirectURI("redirect URIs must be https or http on a loopback address")
		}
	}
	return appType, nil
}

// loopbackRedirect reports whether u is http on a loopback host.
func loopbackRedirect(u string) bool {
	p, err := url.Parse(u)
	return err == nil && p.Scheme == "http" && (loopbackIP(p.Hostname()) || p.Hostname() == "localhost")
}

// clientName checks the name the consent page will show: at most 100
// printable characters; a client without one is named for what it is.
func clientName(name string) (string, error) {
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return "Unnamed application", nil
	case len([]rune(name)) > maxClientNameLen:
		return "", oauth.InvalidClientMetadata("client_name is longer than 100 characters")
	case strings.IndexFunc(name, func(r rune) bool { return !unicode.IsPrint(r) }) >= 0:
		return "", oauth.InvalidClientMetadata("client_name holds characters that cannot be shown")
	}
	return name, nil
}
