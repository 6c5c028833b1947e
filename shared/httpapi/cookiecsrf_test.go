package httpapi_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// withHeader returns h with one more header.
func withHeader(h http.Header, key, value string) http.Header {
	h = h.Clone()
	h.Set(key, value)
	return h
}

// Issue 11 §10: POST /oauth2/refresh with only the cookie, text/plain and
// a foreign or null Origin rotated the token: a cross-site page could
// spend (and on a client without grace, revoke) the victim's session. A
// cookie-borne refresh needs a JSON body or X-Requested-With, and the
// issuer's own origin when the browser names one. A refused request
// spends nothing.
func TestCookieRefreshRefusesCrossSiteRequests(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	const issuer = "https://auth.test"
	for _, tc := range []struct {
		name, contentType, body string
		header                  map[string]string
		ok                      bool
	}{
		{"text/plain, no body", "text/plain", "", nil, false},
		{"text/plain, foreign origin", "text/plain", "x", map[string]string{"Origin": "https://evil.example"}, false},
		{"no content type", "", "", nil, false},
		{"form", formType, "", nil, false},
		{"JSON, foreign origin", jsonType, `{}`, map[string]string{"Origin": "https://evil.example"}, false},
		{"JSON, null origin", jsonType, `{}`, map[string]string{"Origin": "null"}, false},
		{"JSON, issuer's host over http", jsonType, `{}`, map[string]string{"Origin": "http://auth.test"}, false},
		{"JSON, cross-site fetch", jsonType, `{}`, map[string]string{"Sec-Fetch-Site": "cross-site"}, false},
		{"JSON, same-site fetch", jsonType, `{}`, map[string]string{"Sec-Fetch-Site": "same-site"}, false},
		{"header, foreign origin", "", "", map[string]string{"X-Requested-With": "x", "Origin": "https://evil.example"}, false},
		{"JSON, issuer's origin", jsonType, `{}`, map[string]string{"Origin": issuer, "Sec-Fetch-Site": "same-origin"}, true},
		{"JSON, same-origin fetch", jsonType, `{}`, map[string]string{"Sec-Fetch-Site": "same-origin"}, true},
		{"header, issuer's origin", "", "", map[string]string{"X-Requested-With": "fetch", "Origin": "HTTPS://AUTH.TEST"}, true},
		{"JSON, no browser", jsonType, `{}`, nil, true},
		{"JSON, the API's own host", jsonType, `{}`, map[string]string{"Origin": "{{SELF}}"}, true},
		{"JSON, the API's host on another port", jsonType, `{}`, map[string]string{"Origin": "{{OTHERPORT}}"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rt := f.login(t, true)
			h := cookieHeader(rt)
			self, _ := url.Parse(f.Server.URL)
			for k, v := range tc.header {
				v = strings.NewReplacer("{{SELF}}", f.Server.URL, "{{OTHERPORT}}", "http://"+self.Hostname()+":1").Replace(v)
				h = withHeader(h, k, v)
			}
			r := do(t, f.Harness, http.MethodPost, refreshPath, tc.contentType, tc.body, h)
			if tc.ok {
				checkRotated(t, r, rt, true)
				return
			}
			checkError(t, r, 400, "invalid_request")
			if len(r.Header.Values("Set-Cookie")) != 0 {
				t.Errorf("Set-Cookie = %q; want the victim's cookie left alone", r.Header.Values("Set-Cookie"))
			}
			// Nothing was spent: the token still refreshes, once.
			again := do(t, f.Harness, http.MethodPost, refreshPath, jsonType, `{}`, cookieHeader(rt))
			checkRotated(t, again, rt, true)
		})
	}
}
