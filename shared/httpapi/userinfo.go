package httpapi

import (
	"net/http"

	"github.com/latchkey/latchkey/shared/oauth"
)

// userinfo serves GET and POST /oauth2/userinfo (OpenID Connect Core
// §5.3): the claims of the user a bearer token speaks for. The token
// comes in the Authorization header (RFC 6750 §2.1) or, for POST, as
// access_token in a form body (§2.2), never in the query string (§2.3,
// RFC 9700 §4.3.2), and only one way at a time.
func (a *API) userinfo(w http.ResponseWriter, r *http.Request) {
	token, err := userinfoToken(r)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	claims, err := a.svc.UserInfo(r.Context(), token)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, claims)
}

// userinfoToken returns the request's bearer token.
func userinfoToken(r *http.Request) (string, error) {
	if r.URL.Query().Has(oauth.ParamAccessToken) {
		return "", oauth.InvalidRequest("send the access token in the Authorization header, not the query string")
	}
	if r.Method != http.MethodPost || mediaType(r) != contentTypeForm {
		return bearerToken(r)
	}
	form, err := parseForm(r)
	if err != nil {
		return "", err
	}
	bodyToken := form.Get(oauth.ParamAccessToken)
	switch {
	case bodyToken == "":
		return bearerToken(r)
	case r.Header.Get("Authorization") != "":
		return "", oauth.InvalidRequest("send the access token one way only")
	}
	return bodyToken, nil
}
