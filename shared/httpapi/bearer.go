package httpapi

import (
	"net/http"
	"strings"

	"github.com/latchkey/latchkey/shared/oauth"
	"github.com/latchkey/latchkey/shared/tokens"
)

// bearerToken returns the token of an Authorization: Bearer header
// (RFC 6750 §2.1), the only way these endpoints accept one.
func bearerToken(r *http.Request) (string, error) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return "", oauth.BearerRequired()
	}
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		return "", oauth.InvalidRequest("the Authorization header must be Bearer <token>")
	}
	return strings.TrimSpace(token), nil
}

// principal authenticates the request's bearer token.
func (a *API) principal(r *http.Request) (tokens.Principal, error) {
	token, err := bearerToken(r)
	if err != nil {
		return tokens.Principal{}, err
	}
	return a.svc.Authenticate(r.Context(), token)
}

// authenticatedClient decodes a form request and authenticates its client,
// as the revocation and introspection endpoints require.
func (a *API) authenticatedClient(r *http.Request) (tokens.Client, map[string][]string, error) {
	form, err := parseForm(r)
	if err != nil {
		return tokens.Client{}, nil, err
	}
	auth, err := clientAuth(r, form)
	if err != nil {
		return tokens.Client{}, nil, err
	}
	c, err := a.svc.AuthenticateClient(r.Context(), auth)
	return c, form, err
}
