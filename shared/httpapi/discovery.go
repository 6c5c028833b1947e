package httpapi

import (
	"net/http"

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
	writeJSON(w, http.StatusOK, metadataOf(a.svc.Issuer(r.Context())))
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
