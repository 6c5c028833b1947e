package resourceserver

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
)

// refusal is how a refused request is answered.
type refusal struct {
	status      int
	code        string // RFC 6750 §3.1 error code; empty for no token at all
	description string
}

// refusalOf maps why a request was refused to its answer (RFC 6750 §3.1).
func refusalOf(err error) refusal {
	switch {
	case errors.Is(err, errNoToken):
		return refusal{http.StatusUnauthorized, "", "a bearer token is required"}
	case errors.Is(err, errMalformed):
		return refusal{http.StatusBadRequest, "invalid_request", "send one bearer token in the Authorization header"}
	case errors.Is(err, errInsufficientScope):
		return refusal{http.StatusForbidden, "insufficient_scope", "the token lacks a scope this request needs"}
	case errors.Is(err, ErrInvalidToken):
		return refusal{http.StatusUnauthorized, "invalid_token", "the token is invalid, expired, revoked or not for this resource"}
	}
	return refusal{http.StatusServiceUnavailable, "temporarily_unavailable", "the token cannot be checked now; retry later"}
}

// challenge answers a refused request: 401 and 403 carry a Bearer
// challenge (RFC 6750 §3) naming the resource metadata (RFC 9728 §5.1) and
// the scopes the request needs, so a client such as an MCP client learns
// where to get a token and for what; every answer has a JSON body with
// error and error_description and Cache-Control: no-store.
func (g *Guard) challenge(w http.ResponseWriter, r *http.Request, scopes []string, err error) {
	rf := refusalOf(err)
	h := w.Header()
	switch rf.status {
	case http.StatusServiceUnavailable:
		g.log.ErrorContext(r.Context(), "token check failed", "event", "resource_token_check_failed", "error", err.Error())
		h.Set("Retry-After", "5")
	default:
		g.log.DebugContext(r.Context(), "token refused", "event", "resource_token_refused", "reason", err.Error())
		h.Set("WWW-Authenticate", g.challengeHeader(rf, scopes))
	}
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(rf.status)
	code := rf.code
	if code == "" {
		code = "invalid_token"
	}
	_ = json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": rf.description})
}

// challengeHeader builds the WWW-Authenticate value: error and its
// description when there is one, then resource_metadata and scope.
func (g *Guard) challengeHeader(rf refusal, scopes []string) string {
	var params []string
	if rf.code != "" {
		params = append(params, param("error", rf.code), param("error_description", rf.description))
	}
	params = append(params, param("resource_metadata", g.MetadataURL()))
	if len(scopes) == 0 {
		scopes = g.cfg.ScopesSupported
	}
	if len(scopes) > 0 {
		params = append(params, param("scope", strings.Join(scopes, " ")))
	}
	return "Bearer " + strings.Join(params, ", ")
}

// param renders one auth-param as a quoted-string (RFC 9110 §11.2).
func param(name, value string) string {
	value = strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(value)
	return name + `="` + value + `"`
}
