package httpapi

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/latchkey/latchkey/shared/oauth"
)

// A refresh token in the cookie is sent by the browser with any request
// to /oauth2/refresh, a cross-site one included: a form or a text/plain
// fetch from another origin, with no body, rotated the victim's token
// (and on a client without a grace window, two such requests revoked the
// session). A cookie-borne refresh must therefore be something a page of
// another origin cannot send without a CORS preflight, which Latchkey
// never grants (issue 11 §10):
//
//   - a JSON body (Content-Type: application/json, `{}` will do) or an
//     X-Requested-With header; and
//   - when the browser says where the request comes from, the issuer's
//     own origin: Origin equal to the issuer's scheme and host, or naming
//     the very host the request was sent to ("null" is no origin); or,
//     without Origin, Sec-Fetch-Site: same-origin.
//
// A request with neither Origin nor Sec-Fetch-Site comes from no browser
// that sends cookies cross-site today, and is let through. A refresh token
// sent in the body needs none of this: whoever sends it holds it.

// csrfHeader is the custom header that marks a script's request.
const csrfHeader = "X-Requested-With"

// checkCookieRefresh refuses a cookie-borne refresh that a page of another
// origin could have sent.
func (a *API) checkCookieRefresh(r *http.Request) error {
	if mediaType(r) != "application/json" && r.Header.Get(csrfHeader) == "" {
		return oauth.InvalidRequest("a refresh with the cookie needs a JSON body or the " + csrfHeader + " header")
	}
	if !fromOrigin(r, issuerOrigin(a.svc.Issuer(r.Context()))) {
		return oauth.InvalidRequest("a refresh with the cookie must come from the issuer's own origin")
	}
	return nil
}

// fromOrigin reports whether the browser's own account of where r comes
// from, if it gives one, is origin or the host r was sent to (a page that
// shares the API's host is on the issuer's side).
func fromOrigin(r *http.Request, origin string) bool {
	if o := r.Header.Get("Origin"); o != "" {
		u, err := url.Parse(o)
		sameHost := err == nil && u.Host != "" && strings.EqualFold(u.Host, r.Host)
		return sameHost || (origin != "" && strings.EqualFold(o, origin))
	}
	site := r.Header.Get("Sec-Fetch-Site")
	return site == "" || site == "same-origin"
}

// issuerOrigin is the origin (RFC 6454 §6.1) of the issuer identifier:
// scheme://host[:port], or "" when it has none.
func issuerOrigin(issuer string) string {
	u, err := url.Parse(issuer)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return ""
	}
	return u.Scheme + "://" + u.Host
}
