package httpapi

import (
	"net/http"

	"github.com/latchkey/latchkey/shared/console"
	"github.com/latchkey/latchkey/shared/oauth"
)

// consoleHeaders are sent with every file of the console: its own strict
// policy (no inline script or style, no framing), no Referer, and no
// caching, like every page of the deployment.
func consoleHeaders(h http.Header, contentType string) {
	h.Set("Content-Type", contentType)
	h.Set("Content-Security-Policy", console.ContentSecurityPolicy)
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
}

// consolePage serves GET /console: the console's one page.
func (a *API) consolePage(w http.ResponseWriter, r *http.Request) {
	a.consoleServe(w, r, "")
}

// consoleFile serves GET /console/{file}: the console's scripts, its
// stylesheet, and config.json, the console client's scopes.
func (a *API) consoleFile(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("file")
	if name == "config.json" {
		a.consoleConfig(w, r)
		return
	}
	a.consoleServe(w, r, name)
}

func (a *API) consoleServe(w http.ResponseWriter, r *http.Request, name string) {
	body, contentType, ok := console.File(name)
	if !ok {
		a.writeError(w, r, oauth.NotFound("no such file of the console"))
		return
	}
	consoleHeaders(w.Header(), contentType)
	_, _ = w.Write(body)
}

// consoleConfig tells the console which client it is and which scopes it
// may ask for, so the page itself holds nothing a deployment sets.
func (a *API) consoleConfig(w http.ResponseWriter, r *http.Request) {
	scopes, err := a.svc.ClientScopes(r.Context(), console.ClientID)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, map[string]any{"client_id": console.ClientID, "scopes": scopes})
}

// cookieDelivery moves the refresh token of a code exchange by the console
// into the HttpOnly __Host-lk_rt cookie: the console's scripts never see
// it, and POST /oauth2/refresh rotates it there.
func cookieDelivery(w http.ResponseWriter, secure bool, clientID string, resp *oauth.TokenResponse) {
	if clientID != console.ClientID || resp.RefreshToken == "" {
		return
	}
	http.SetCookie(w, refreshCookie(secure, resp.RefreshToken, int(resp.RefreshTokenExpiresIn)))
	resp.RefreshToken = ""
}
