package httpapi

import (
	"bytes"
	"encoding/json"
	"net/http"
	"time"

	"github.com/latchkey/latchkey/shared/oauth"
	"github.com/latchkey/latchkey/shared/tokens"
)

// RefreshCookie holds the refresh token of browser apps. The __Host-
// prefix makes the browser insist on Secure, no Domain and Path=/
// (RFC 6265bis §4.1.3.2), which is why the path is / and not /oauth2.
const RefreshCookie = "__Host-lk_rt"

// refreshBody is the JSON form of a /oauth2/refresh request.
type refreshBody struct {
	RefreshToken string `json:"refresh_token"`
	Scope        string `json:"scope"`
	ClientID     string `json:"client_id"`
}

// refresh serves POST /oauth2/refresh for first-party apps: the token
// comes as JSON, as a form, or in the HttpOnly cookie; the answer is the
// rotated pair, and a cookie-borne token is reset in the cookie only.
func (a *API) refresh(w http.ResponseWriter, r *http.Request) {
	secure := a.secureCookies(r)
	req, fromCookie, err := decodeRefresh(r, secure)
	if err == nil && fromCookie {
		err = a.checkCookieRefresh(r)
	}
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	resp, err := a.svc.Refresh(r.Context(), req)
	if err != nil {
		if fromCookie && oauth.As(err) != nil && oauth.As(err).Code == oauth.CodeInvalidGrant {
			http.SetCookie(w, refreshCookie(secure, "", -1))
		}
		a.writeError(w, r, err)
		return
	}
	if fromCookie {
		http.SetCookie(w, refreshCookie(secure, resp.RefreshToken, int(resp.RefreshTokenExpiresIn)))
		resp.RefreshToken = ""
	}
	writeJSON(w, http.StatusOK, resp)
}

// decodeRefresh reads a refresh request from JSON, a form or the cookie,
// with client credentials from Basic or the body.
func decodeRefresh(r *http.Request, secure bool) (tokens.RefreshRequest, bool, error) {
	body, err := readBody(r)
	if err != nil {
		return tokens.RefreshRequest{}, false, err
	}
	var in refreshBody
	form := map[string][]string{}
	switch mt := mediaType(r); {
	case len(body) == 0:
	case mt == "application/json":
		if err := strictJSON(body, &in); err != nil {
			return tokens.RefreshRequest{}, false, err
		}
	case mt == contentTypeForm:
		f, err := decodeForm(body)
		if err != nil {
			return tokens.RefreshRequest{}, false, err
		}
		form = f
		in = refreshBody{RefreshToken: f.Get(oauth.ParamRefreshToken), Scope: f.Get(oauth.ParamScope), ClientID: f.Get(oauth.ParamClientID)}
	default:
		return tokens.RefreshRequest{}, false, oauth.InvalidRequest("the content type must be application/json or " + contentTypeForm)
	}
	form[oauth.ParamClientID] = []string{in.ClientID}
	auth, err := clientAuth(r, form)
	if err != nil {
		return tokens.RefreshRequest{}, false, err
	}
	fromCookie := false
	if in.RefreshToken == "" {
		if c, err := r.Cookie(cookieName(RefreshCookie, secure)); err == nil && c.Value != "" {
			in.RefreshToken, fromCookie = c.Value, true
		}
	}
	return tokens.RefreshRequest{
		Client: auth, RefreshToken: in.RefreshToken, Scope: in.Scope,
		IP: clientIP(r), UserAgent: r.UserAgent(),
	}, fromCookie, nil
}

// strictJSON decodes one JSON object, rejecting unknown fields and
// trailing data.
func strictJSON(body []byte, v any) error {
	dec := json.NewDecoder(bytesReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return oauth.InvalidRequest("the JSON body is malformed: " + jsonProblem(err))
	}
	if len(bytes.TrimSpace(body[dec.InputOffset():])) > 0 {
		return oauth.InvalidRequest("the JSON body has trailing data")
	}
	return nil
}

// refreshCookie sets (or, with an empty value, clears) the refresh cookie.
// On a plain-http issuer (make dev) it drops __Host- and Secure, which a
// browser would refuse there, as the sign-in's cookies do.
func refreshCookie(secure bool, value string, maxAge int) *http.Cookie {
	c := &http.Cookie{
		Name: cookieName(RefreshCookie, secure), Value: value, Path: "/", Secure: secure, HttpOnly: true,
		SameSite: http.SameSiteStrictMode, MaxAge: maxAge,
	}
	if maxAge < 0 {
		c.Expires = time.Unix(0, 0)
	}
	return c
}
