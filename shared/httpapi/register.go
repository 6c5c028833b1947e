package httpapi

import (
	"encoding/json"
	"net/http"

	"github.com/latchkey/latchkey/shared/oauth"
)

// pathRegister is the registration endpoint (RFC 7591 §3); a client's
// registration is pathRegister/{client_id} (RFC 7592 §2).
const pathRegister = "/oauth2/register"

// register serves POST /oauth2/register: Dynamic Client Registration
// (RFC 7591 §3.1), when the deployment turns it on. The answer is 201 with
// the client's information and its registration access token.
func (a *API) register(w http.ResponseWriter, r *http.Request) {
	m, err := decodeClientMetadata(r)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	info, err := a.svc.RegisterClient(r.Context(), m, clientIP(r))
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, info)
}

// readRegistration serves GET /oauth2/register/{id} (RFC 7592 §2.1).
func (a *API) readRegistration(w http.ResponseWriter, r *http.Request) {
	token, err := bearerToken(r)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	info, err := a.svc.ClientRegistration(r.Context(), r.PathValue("id"), token)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, info)
}

// deleteRegistration serves DELETE /oauth2/register/{id} (RFC 7592 §2.3):
// 204 when the client is gone.
func (a *API) deleteRegistration(w http.ResponseWriter, r *http.Request) {
	token, err := bearerToken(r)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	if err := a.svc.DeleteRegistration(r.Context(), r.PathValue("id"), token); err != nil {
		a.writeError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNoContent)
}

// decodeClientMetadata reads a registration request: a JSON object of
// client metadata (RFC 7591 §3.1). Fields Latchkey does not read are
// ignored (§2); a field of the wrong type is invalid_client_metadata.
func decodeClientMetadata(r *http.Request) (oauth.ClientMetadata, error) {
	if mediaType(r) != "application/json" {
		return oauth.ClientMetadata{}, oauth.InvalidRequest("the content type must be application/json")
	}
	body, err := readBody(r)
	if err != nil {
		return oauth.ClientMetadata{}, err
	}
	var object map[string]json.RawMessage
	if err := json.Unmarshal(body, &object); err != nil || object == nil {
		return oauth.ClientMetadata{}, oauth.InvalidRequest("the body must be a JSON object")
	}
	var m oauth.ClientMetadata
	if err := json.Unmarshal(body, &m); err != nil {
		return oauth.ClientMetadata{}, oauth.InvalidClientMetadata("the client metadata is malformed: " + jsonProblem(err))
	}
	return m, nil
}
