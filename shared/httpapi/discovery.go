package httpapi

import (
	"net/http"
	"slices"

	"github.com/latchkey/latchkey/shared/oauth"
	"github.com/latchkey/latchkey/shared/tokens"
)

// Paths that discovery names besides the token function's own.
const (
	pathUserinfo          = "/oauth2/userinfo"
	pathAuthorizeEndpoint = "/oauth2/authorize"
	pathEndSession        = "/oauth2/logout"
)

// metadata serves the authorization server metadata (RFC 8414 §3) at
// /.well-known/oauth-authorization-server and the same document as the
// OpenID Provider configuration (OpenID Connect Discovery 1.0 §4) at
// /.well-known/openid-configuration, so a client configures itself from
// the issuer alone, whichever it asks for.
func (a *API) metadata(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "public, max-age=300")
	iss := a.svc.Issuer(r.Context())
	writeJSON(w, http.StatusOK, withRegistration(metadataOf(iss), iss, a.svc.RegistrationDiscovery()))
}

// withRegistration adds what clients need to register themselves (issue
// 13): the registration endpoint when dynamic registration is on, whether
// client_id URLs are accepted, the scopes and resources they may ask for.
func withRegistration(m oauth.ServerMetadata, iss string, d tokens.RegistrationDiscovery) oauth.ServerMetadata {
	if d.Dynamic {
		m.RegistrationEndpoint = iss + pathRegister
	}
	m.ClientIDMetadataDocumentSupported = d.MetadataDocuments
	m.ProtectedResources = d.Resources
	for _, s := range d.Scopes {
		if !slices.Contains(m.ScopesSupported, s) {
			m.ScopesSupported = append(slices.Clip(m.ScopesSupported), s)
		}
	}
	return m
}

// metadataOf returns the discovery document of the issuer iss.
func metadataOf(iss string) oauth.ServerMetadata {
	clientAuth := []string{oauth.AuthClientSecretBasic, oauth.AuthClientSecretPost, oauth.AuthNone}
	return oauth.ServerMetadata{
		Issuer:                                     iss,
		AuthorizationEndpoint:                      iss + pathAuthorizeEndpoint,
		TokenEndpoint:                              iss + "/oauth2/token",
		UserinfoEndpoint:                           iss + pathUserinfo,
		JWKSURI:                                    iss + "/.well-known/jwks.json",
		EndSessionEndpoint:                         iss + pathEndSession,
		RevocationEndpoint:                         iss + "/oauth2/revoke",
		IntrospectionEndpoint:                      iss + "/oauth2/introspect",
		DeviceAuthorizationEndpoint:                iss + pathDeviceAuthorization,
		ScopesSupported:                            tokens.StandardScopes,
		ResponseTypesSupported:                     []string{"code"},
		ResponseModesSupported:                     []string{"query"},
		GrantTypesSupported:                        tokens.SupportedGrants(),
		SubjectTypesSupported:                      []string{"public"},
		IDTokenSigningAlgValuesSupported:           tokens.IDTokenAlgs(),
		TokenEndpointAuthMethodsSupported:          clientAuth,
		RevocationEndpointAuthMethods:              clientAuth,
		IntrospectionEndpointAuthMethods:           []string{oauth.AuthClientSecretBasic, oauth.AuthClientSecretPost},
		CodeChallengeMethodsSupported:              []string{"S256"},
		PromptValuesSupported:                      []string{"none", "login", "consent"},
		ClaimsSupported:                            tokens.StandardClaims(),
		ClaimTypesSupported:                        []string{"normal"},
		AuthorizationResponseIssParameterSupported: true,
	}
}

// jwks serves the public signing keys (RFC 7517 §5): next, current and
// retired, so verifiers know a key before it signs and after it stops.
func (a *API) jwks(w http.ResponseWriter, r *http.Request) {
	set, err := a.svc.JWKS(r.Context())
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/jwk-set+json")
	h.Set("Cache-Control", "public, max-age=300")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(set)
}
