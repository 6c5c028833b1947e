package httpapi

import (
	"net/http"
	"net/url"
	"slices"

	"github.com/latchkey/latchkey/shared/oauth"
)

// revoke serves POST /oauth2/revoke (RFC 7009 §2.1). token_type_hint is
// accepted and ignored.
func (a *API) revoke(w http.ResponseWriter, r *http.Request) {
	c, form, err := a.authenticatedClient(r)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	values := url.Values(form)
	if values.Get(oauth.ParamToken) == "" {
		a.writeError(w, r, oauth.InvalidRequest("token is required"))
		return
	}
	if err := a.svc.Revoke(r.Context(), c, values.Get(oauth.ParamToken)); err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, struct{}{})
}

// revokedAnswer is the body of the DELETE endpoints.
type revokedAnswer struct {
	Revoked int `json:"revoked"`
}

// revokeSession serves DELETE /sessions/{id}.
func (a *API) revokeSession(w http.ResponseWriter, r *http.Request) {
	p, err := a.principal(r)
	n := 0
	if err == nil {
		n, err = a.svc.RevokeSession(r.Context(), p, r.PathValue("id"))
	}
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, revokedAnswer{Revoked: n})
}

// revokeSubject serves DELETE /sessions?subject=S: sign out everywhere,
// long-lived tokens included unless keep_long_lived=true.
func (a *API) revokeSubject(w http.ResponseWriter, r *http.Request) {
	p, err := a.principal(r)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	q, err := singleQuery(r, "subject", "keep_long_lived")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	revoke := a.svc.RevokeSubject
	switch keep, given := q["keep_long_lived"]; {
	case !given || keep[0] == "false":
	case keep[0] == "true":
		revoke = a.svc.RevokeSubjectSessions
	default: // an empty value included: say what is meant
		a.writeError(w, r, oauth.InvalidRequest("keep_long_lived must be true or false"))
		return
	}
	n, err := revoke(r.Context(), p, q.Get("subject"))
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, revokedAnswer{Revoked: n})
}

// revokeLongLived serves DELETE /tokens/{id}.
func (a *API) revokeLongLived(w http.ResponseWriter, r *http.Request) {
	p, err := a.principal(r)
	if err == nil {
		err = a.svc.RevokeLongLived(r.Context(), p, r.PathValue("id"))
	}
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, revokedAnswer{Revoked: 1})
}

// singleQuery parses the query string, allowing only the named parameters,
// each at most once.
func singleQuery(r *http.Request, allowed ...string) (url.Values, error) {
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, oauth.InvalidRequest("the query string is malformed")
	}
	for k, v := range q {
		if len(v) > 1 {
			return nil, oauth.InvalidRequest("the parameter " + k + " is repeated")
		}
		if !slices.Contains(allowed, k) {
			return nil, oauth.InvalidRequest("unknown parameter " + k)
		}
	}
	return q, nil
}
