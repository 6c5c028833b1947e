package httpapi

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/latchkey/latchkey/shared/oauth"
)

// writeJSON writes v with the given status. Nothing Latchkey answers may
// be cached by an intermediary (RFC 6749 §5.1).
func writeJSON(w http.ResponseWriter, status int, v any) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	if h.Get("Cache-Control") == "" {
		h.Set("Cache-Control", "no-store")
		h.Set("Pragma", "no-cache")
	}
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// statusOf maps an error code to its HTTP status, in this one place
// (RFC 6749 §5.2, RFC 6750 §3.1).
func statusOf(code string) int {
	switch code {
	case oauth.CodeInvalidClient, oauth.CodeInvalidToken:
		return http.StatusUnauthorized
	case oauth.CodeInsufficientScope:
		return http.StatusForbidden
	case oauth.CodeServerError:
		return http.StatusInternalServerError
	case oauth.CodeTemporarilyUnavailable:
		return http.StatusServiceUnavailable
	case oauth.CodeMethodNotAllowed:
		return http.StatusMethodNotAllowed
	case oauth.CodeNotFound:
		return http.StatusNotFound
	}
	return http.StatusBadRequest
}

// writeError writes err as an OAuth error. An error that is not an
// *oauth.Error becomes server_error; its text is logged, never sent.
func (a *API) writeError(w http.ResponseWriter, r *http.Request, err error) {
	e := oauth.As(err)
	if e == nil {
		e = oauth.ServerError(err)
	}
	status := statusOf(e.Code)
	if status >= 500 {
		a.log.LogAttrs(r.Context(), slog.LevelError, "request_failed", slog.String("event", "request_failed"),
			slog.String("path", r.URL.Path), slog.String("outcome", e.Code), slog.String("cause", causeOf(e)))
	}
	switch e.Code {
	case oauth.CodeInvalidClient:
		w.Header().Set(oauth.HeaderWWWAuthenticate, `Basic realm="latchkey"`)
	case oauth.CodeInvalidToken, oauth.CodeInsufficientScope:
		if e.NoCredentials {
			w.Header().Set(oauth.HeaderWWWAuthenticate, `Bearer realm="latchkey"`)
			break
		}
		w.Header().Set(oauth.HeaderWWWAuthenticate,
			`Bearer realm="latchkey", error="`+e.Code+`", error_description="`+e.Description+`"`)
	}
	if e.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(e.RetryAfter.Seconds())))
	}
	writeJSON(w, status, oauth.ErrorResponse{Error: e.Code, ErrorDescription: e.Description})
}

func causeOf(e *oauth.Error) string {
	if c := e.Unwrap(); c != nil {
		return c.Error()
	}
	return ""
}
