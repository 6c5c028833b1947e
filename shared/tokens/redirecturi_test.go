package tokens

import (
	"testing"

	"github.com/latchkey/latchkey/shared/oauth"
)

func TestMatchRedirectURI(t *testing.T) {
	native := Client{AuthMethod: oauth.AuthNone, RedirectURIs: []string{"http://127.0.0.1/cb", "http://[::1]/cb?x=1", "https://app.example/cb"}}
	web := Client{AuthMethod: oauth.AuthClientSecretBasic, RedirectURIs: []string{"https://app.example/cb", "http://127.0.0.1/cb"}}
	for _, tc := range []struct {
		name      string
		c         Client
		requested string
		want      bool
	}{
		{"exact", web, "https://app.example/cb", true},
		{"trailing slash", web, "https://app.example/cb/", false},
		{"case of the host", web, "https://APP.example/cb", false},
		{"extra query", web, "https://app.example/cb?a=1", false},
		{"fragment", web, "https://app.example/cb#x", false},
		{"path traversal", web, "https://app.example/cb/../x", false},
		{"another host", web, "https://evil.example/cb", false},
		{"user info", web, "https://app.example@evil.example/cb", false},
		{"empty", web, "", false},
		{"loopback exact for a confidential client", web, "http://127.0.0.1/cb", true},
		{"loopback port for a confidential client", web, "http://127.0.0.1:5000/cb", false},
		{"loopback any port, native (RFC 8252 §7.3)", native, "http://127.0.0.1:51004/cb", true},
		{"IPv6 loopback any port, native", native, "http://[::1]:8080/cb?x=1", true},
		{"loopback, another path", native, "http://127.0.0.1:51004/other", false},
		{"loopback, another query", native, "http://127.0.0.1:51004/cb?y=2", false},
		{"loopback, https", native, "https://127.0.0.1:51004/cb", false},
		{"localhost is not given the rule (RFC 8252 §8.3)", native, "http://localhost:51004/cb", false},
		{"loopback, port 0", native, "http://127.0.0.1:0/cb", false},
		{"loopback, empty port", native, "http://127.0.0.1:/cb", false},
		{"loopback, port too large", native, "http://127.0.0.1:70000/cb", false},
		{"loopback, user info", native, "http://u@127.0.0.1:5000/cb", false},
		{"loopback, fragment", native, "http://127.0.0.1:5000/cb#f", false},
		{"other 127/8 address", native, "http://127.0.0.2:5000/cb", false},
	} {
		if got := tc.c.MatchRedirectURI(tc.requested); got != tc.want {
			t.Errorf("%s: MatchRedirectURI(%q) = %v; want %v", tc.name, tc.requested, got, tc.want)
		}
	}
}

func TestRedirectURIProblems(t *testing.T) {
	for _, tc := range []struct {
		uri    string
		public bool
		ok     bool
	}{
		{"https://app.example/cb", false, true},
		{"http://app.example/cb", false, false},
		{"http://127.0.0.1/cb", false, true},
		{"http://localhost:3000/cb", false, true},
		{"com.example.app:/cb", true, true},
		{"com.example.app:/cb", false, false},
		{"myapp:/cb", true, false},
		{"https://app.example/cb#frag", false, false},
		{"/relative", false, false},
		{"javascript:alert(1)", true, false},
	} {
		if got := redirectURIProblem(tc.uri, tc.public) == ""; got != tc.ok {
			t.Errorf("redirectURIProblem(%q, public %v) accepts = %v; want %v", tc.uri, tc.public, got, tc.ok)
		}
	}
}

func TestCheckAuthorization(t *testing.T) {
	c := Client{Grants: []string{oauth.GrantAuthorizationCode}, Scopes: []string{"openid", "read"}, AllowOfflineAccess: true}
	ok := AuthorizationRequest{ResponseType: "code", CodeChallenge: S256(string(make([]byte, 43))), CodeChallengeMethod: "S256"}
	for _, tc := range []struct {
		name string
		edit func(*AuthorizationRequest)
		want string
	}{
		{"valid", func(*AuthorizationRequest) {}, ""},
		{"offline_access when allowed", func(r *AuthorizationRequest) { r.Scope = "openid offline_access" }, ""},
		{"request object", func(r *AuthorizationRequest) { r.Request = "eyJ" }, oauth.CodeRequestNotSupported},
		{"request_uri", func(r *AuthorizationRequest) { r.RequestURI = "urn:x" }, oauth.CodeRequestURINotSupported},
		{"no response_type", func(r *AuthorizationRequest) { r.ResponseType = "" }, oauth.CodeInvalidRequest},
		{"response_type token", func(r *AuthorizationRequest) { r.ResponseType = "token" }, oauth.CodeUnsupportedResponseType},
		{"response_type code id_token", func(r *AuthorizationRequest) { r.ResponseType = "code id_token" }, oauth.CodeUnsupportedResponseType},
		{"response_mode fragment", func(r *AuthorizationRequest) { r.ResponseMode = "fragment" }, oauth.CodeInvalidRequest},
		{"challenge too short", func(r *AuthorizationRequest) { r.CodeChallenge = "abc" }, oauth.CodeInvalidRequest},
		{"challenge with a bad character", func(r *AuthorizationRequest) { r.CodeChallenge = r.CodeChallenge[:42] + "+" }, oauth.CodeInvalidRequest},
		{"scope beyond the client", func(r *AuthorizationRequest) { r.Scope = "write" }, oauth.CodeInvalidScope},
		{"prompt none with login", func(r *AuthorizationRequest) { r.Prompt = "none login" }, oauth.CodeInvalidRequest},
		{"prompt unknown", func(r *AuthorizationRequest) { r.Prompt = "always" }, oauth.CodeInvalidRequest},
		{"max_age negative", func(r *AuthorizationRequest) { r.MaxAge = "-1" }, oauth.CodeInvalidRequest},
		{"max_age not a number", func(r *AuthorizationRequest) { r.MaxAge = "1h" }, oauth.CodeInvalidRequest},
		{"nonce too long", func(r *AuthorizationRequest) { r.Nonce = string(make([]byte, 513)) }, oauth.CodeInvalidRequest},
		{"resource not registered", func(r *AuthorizationRequest) { r.Resources = []string{"https://api.example"} }, oauth.CodeInvalidTarget},
	} {
		r := ok
		tc.edit(&r)
		_, err := checkAuthorization(c, r)
		got := ""
		if e := oauth.As(err); e != nil {
			got = e.Code
		}
		if got != tc.want {
			t.Errorf("%s: checkAuthorization = %v; want %q", tc.name, err, tc.want)
		}
	}
	if _, err := checkAuthorization(Client{Grants: []string{oauth.GrantPassword}}, ok); oauth.As(err) == nil || oauth.As(err).Code != oauth.CodeUnauthorizedClient {
		t.Errorf("checkAuthorization for a client without the grant = %v; want unauthorized_client", err)
	}
}
