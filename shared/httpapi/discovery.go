package httpapi

import (
	"net/http"

	"github.com/latchkey/latchkey/shared/oauth"
)

// metadata serves the authorization server metadata (RFC 8414 §3), so a
// client can configure itself from the issuer alone.
func (a *API) metadata(w http.ResponseWriter, r *http.Request) {
	iss := a.svc.Issuer(r.Context())
	w.Header().Set("Cache-Control", "public, max-age=300")
	writeJSON(w, http.StatusOK, oauth.ServerMetadata{
		Issuer:                            iss,
		TokenEndpoint:                     iss + "/oauth2/token",
		JWKSURI:                           iss + "/.well-known/jwks.json",
		RevocationEndpoint:                iss + "/oauth2/revoke",
		IntrospectionEndpoint:             iss + "/oauth2/introspect",
		RevocationEndpointAuthMethods:     []string{oauth.AuthClientSecretBasic, oauth.AuthClientSecretPost, oauth.AuthNone},
		IntrospectionEndpointAuthMethods:  []string{oauth.AuthClientSecretBasic, oauth.AuthClientSecretPost},
		GrantTypesSupported:               []string{oauth.GrantClientCredentials, oauth.GrantPassword, oauth.GrantRefreshToken},
		ResponseTypesSupported:            []string{},
		TokenEndpointAuthMethodsSupported: []string{oauth.AuthClientSecretBasic, oauth.AuthClientSecretPost, oauth.AuthNone},
	})
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
