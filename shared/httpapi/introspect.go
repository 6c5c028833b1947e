package httpapi

import (
	"net/http"
	"net/url"

	"github.com/latchkey/latchkey/shared/oauth"
)

// introspect serves POST /oauth2/introspect (RFC 7662 §2): the caller
// authenticates as a client; a bad token is {"active": false}.
func (a *API) introspect(w http.ResponseWriter, r *http.Request) {
	c, form, err := a.authenticatedClient(r)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	token := url.Values(form).Get(oauth.ParamToken)
	if token == "" {
		a.writeError(w, r, oauth.InvalidRequest("token is required"))
		return
	}
	resp, err := a.svc.Introspect(r.Context(), c, token)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}
