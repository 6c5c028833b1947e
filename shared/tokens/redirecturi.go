package tokens

import (
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"

	"github.com/latchkey/latchkey/shared/oauth"
)

// maxRedirectURILen bounds a redirect URI, registered or requested.
const maxRedirectURILen = 2000

// MatchRedirectURI reports whether the redirect URI of a request is one
// registered for c. The comparison is exact, character for character
// (RFC 9700 §4.1.3), with one exception: a public (native) client
// registered with a loopback IP literal, http://127.0.0.1/path or
// http://[::1]/path, may use any port there (RFC 8252 §7.3), because the
// port is picked by the operating system when the app starts listening.
func (c Client) MatchRedirectURI(requested string) bool {
	if requested == "" || len(requested) > maxRedirectURILen {
		return false
	}
	if slices.Contains(c.RedirectURIs, requested) {
		return true
	}
	if !c.Public() {
		return false
	}
	return slices.ContainsFunc(c.RedirectURIs, func(reg string) bool { return loopbackMatch(reg, requested) })
}

// loopbackMatch reports whether requested is registered with another
// port: scheme http, the same IP literal, path and query, no user info,
// no fragment (RFC 8252 §7.3, §8.3: localhost is not given the rule).
func loopbackMatch(registered, requested string) bool {
	reg, err1 := url.Parse(registered)
	req, err2 := url.Parse(requested)
	if err1 != nil || err2 != nil || reg.Scheme != "http" || req.Scheme != "http" || !loopbackIP(reg.Hostname()) {
		return false
	}
	if req.User != nil || req.Fragment != "" || req.RawFragment != "" || strings.Contains(requested, "#") {
		return false
	}
	if p := req.Port(); (p != "" && !validPort(p)) || strings.HasSuffix(req.Host, ":") {
		return false // an empty port ("127.0.0.1:") is no spelling a client registers (found by FuzzAuthorizeRequest)
	}
	return reg.Hostname() == req.Hostname() && reg.EscapedPath() == req.EscapedPath() && reg.RawQuery == req.RawQuery &&
		req.Opaque == "" && !req.ForceQuery
}

func loopbackIP(host string) bool {
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback() && (host == "127.0.0.1" || host == "::1")
}

func validPort(p string) bool {
	if len(p) > 5 || p[0] == '0' {
		return false
	}
	n := 0
	for i := 0; i < len(p); i++ {
		if p[i] < '0' || p[i] > '9' {
			return false
		}
		n = n*10 + int(p[i]-'0')
	}
	return n > 0 && n < 65536
}

// redirectURIProblems lists what is wrong with a client's registered
// redirect URIs: each is absolute, without a fragment (RFC 6749 §3.1.2),
// and https, http on a loopback host (RFC 8252 §7.3), or, for a public
// client, a private-use scheme with a dot in it (RFC 8252 §7.1).
func redirectURIProblems(c Client) []string {
	var p []string
	for _, u := range c.RedirectURIs {
		if why := redirectURIProblem(u, c.Public()); why != "" {
			p = append(p, fmt.Sprintf("redirect URI %q %s", u, why))
		}
	}
	if len(c.RedirectURIs) == 0 && c.AllowsGrant(oauth.GrantAuthorizationCode) {
		p = append(p, "the authorization_code grant needs at least one redirect URI")
	}
	return p
}

func redirectURIProblem(raw string, public bool) string {
	u, err := url.Parse(raw)
	switch {
	case err != nil || len(raw) > maxRedirectURILen || !u.IsAbs():
		return "is not an absolute URI"
	case strings.Contains(raw, "#"):
		return "has a fragment"
	case u.User != nil:
		return "has user information"
	case u.Scheme == "https" && u.Host != "":
		return ""
	case u.Scheme == "http" && (loopbackIP(u.Hostname()) || u.Hostname() == "localhost"):
		return ""
	case public && strings.Contains(u.Scheme, ".") && u.Scheme != "http" && u.Scheme != "https":
		return ""
	}
	return "must be https, http on a loopback address, or (public clients) a private-use scheme such as com.example.app:/cb"
}
