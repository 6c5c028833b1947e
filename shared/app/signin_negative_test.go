package app_test

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/latchkey/latchkey/shared/app/apptest"
	"github.com/latchkey/latchkey/shared/tokens"
)

// answer is what a negative case got: a status, the error code (from the
// JSON body, the redirect's query or the error page) and where it went.
type answer struct {
	status   int
	code     string
	location string
}

var pageErrorCode = regexp.MustCompile(`Error code: <code>([a-z_]+)</code>`)

func pageAnswer(p apptest.Page) answer {
	a := answer{status: p.Status, location: p.Location()}
	if a.location != "" {
		a.code = p.LocationQuery().Get("error")
	} else if m := pageErrorCode.FindStringSubmatch(p.Body); m != nil {
		a.code = m[1]
	}
	return a
}

func tokenAnswer(r apptest.Response) answer { return answer{status: r.Status, code: r.Str("error")} }

// liveSessions counts the user's active sessions: every token a login
// issued lives in one.
func (s *signin) liveSessions() int {
	s.T.Helper()
	page, err := s.App.Store.ListSubject(context.Background(), tokens.ListQuery{
		Subject: s.subject, Type: tokens.ListTypeOAuth, ActiveOnly: true, Limit: 100,
	})
	if err != nil {
		s.T.Fatal(err)
	}
	return len(page.Entries)
}

// The negative table of issue 10: each case checks the answer and that
// nothing was issued (no code in any redirect, no live session).
func TestSignInRefusals(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		run    func(s *signin) answer
		status int
		code   string
		// back: the error goes back to the client's redirect URI; else it
		// is shown on the error page and nothing redirects.
		back bool
	}{
		{"unknown client", func(s *signin) answer {
			return pageAnswer(s.browser.Get(s.authorizeQuery(s.first, "client_id", "no-such-client")))
		}, 400, "invalid_request", false},
		{"unregistered redirect URI", func(s *signin) answer {
			return pageAnswer(s.browser.Get(s.authorizeQuery(s.first, "redirect_uri", "https://app.example/other")))
		}, 400, "invalid_request", false},
		{"open redirect in redirect_uri", func(s *signin) answer {
			return pageAnswer(s.browser.Get(s.authorizeQuery(s.first, "redirect_uri", "https://evil.example/callback")))
		}, 400, "invalid_request", false},
		{"open redirect by path tricks", func(s *signin) answer {
			return pageAnswer(s.browser.Get(s.authorizeQuery(s.first, "redirect_uri", callback+"/../../evil")))
		}, 400, "invalid_request", false},
		{"open redirect by prefix", func(s *signin) answer {
			return pageAnswer(s.browser.Get(s.authorizeQuery(s.first, "redirect_uri", callback+".evil.example")))
		}, 400, "invalid_request", false},
		{"loopback on another port for a confidential client", func(s *signin) answer {
			return pageAnswer(s.browser.Get(s.authorizeQuery(s.web, "redirect_uri", "http://127.0.0.1:4444/cb")))
		}, 400, "invalid_request", false},
		{"open redirect in post_logout_redirect_uri", func(s *signin) answer {
			return pageAnswer(s.browser.Get("/oauth2/logout?" + url.Values{"client_id": {s.first.ID},
				"post_logout_redirect_uri": {"https://evil.example/bye"}}.Encode()))
		}, 400, "invalid_request", false},
		{"post_logout_redirect_uri without a client", func(s *signin) answer {
			return pageAnswer(s.browser.Get("/oauth2/logout?post_logout_redirect_uri=" + url.QueryEscape(callback)))
		}, 400, "invalid_request", false},
		{"response_type=token", func(s *signin) answer {
			return pageAnswer(s.browser.Get(s.authorizeQuery(s.first, "response_type", "token")))
		}, 302, "unsupported_response_type", true},
		{"PKCE missing", func(s *signin) answer {
			return pageAnswer(s.browser.Get(s.authorizeQuery(s.first, "code_challenge", "", "code_challenge_method", "")))
		}, 302, "invalid_request", true},
		{"PKCE plain", func(s *signin) answer {
			return pageAnswer(s.browser.Get(s.authorizeQuery(s.first, "code_challenge", s.verifier, "code_challenge_method", "plain")))
		}, 302, "invalid_request", true},
		{"PKCE without a method (plain by default)", func(s *signin) answer {
			return pageAnswer(s.browser.Get(s.authorizeQuery(s.first, "code_challenge_method", "")))
		}, 302, "invalid_request", true},
		{"resource not allowed", func(s *signin) answer {
			return pageAnswer(s.browser.Get(s.authorizeQuery(s.first, "resource", "https://api.other.example")))
		}, 302, "invalid_target", true},
		{"scope not allowed", func(s *signin) answer {
			return pageAnswer(s.browser.Get(s.authorizeQuery(s.first, "scope", "openid admin")))
		}, 302, "invalid_scope", true},
		{"prompt=none without a login session", func(s *signin) answer {
			return pageAnswer(s.browser.Get(s.authorizeQuery(s.first, "prompt", "none")))
		}, 302, "login_required", true},
		{"CSRF cookie missing", func(s *signin) answer {
			form := s.loginForm(s.browser, s.first)
			return pageAnswer(s.Browser().LogIn(form, testUser, testPassword))
		}, 400, "invalid_request", false},
		{"CSRF cookie of another browser", func(s *signin) answer {
			form := s.loginForm(s.browser, s.first)
			other := s.Browser()
			s.loginForm(other, s.first) // other gets its own CSRF cookie
			return pageAnswer(other.LogIn(form, testUser, testPassword))
		}, 400, "invalid_request", false},
		{"login form posted for an expired request", func(s *signin) answer {
			form := s.loginForm(s.browser, s.first)
			s.Clock.Advance(tokens.AuthRequestTTL + time.Second)
			return pageAnswer(s.browser.LogIn(form, testUser, testPassword))
		}, 400, "invalid_request", false},
		{"login form posted twice", func(s *signin) answer {
			form := s.loginForm(s.browser, s.first)
			s.codeOf(s.browser.LogIn(form, testUser, testPassword)) // not redeemed: no session
			return pageAnswer(s.browser.LogIn(form, testUser, testPassword))
		}, 400, "invalid_request", false},
		{"wrong verifier", func(s *signin) answer {
			return tokenAnswer(s.redeem(s.first, "", s.signIn(s.browser), oauth2.GenerateVerifier()))
		}, 400, "invalid_grant", false},
		{"code from another client", func(s *signin) answer {
			return tokenAnswer(s.redeem(s.web, s.webSecret, s.signIn(s.browser), s.verifier))
		}, 400, "invalid_grant", false},
		{"code with another redirect URI", func(s *signin) answer {
			code := s.signIn(s.browser)
			return tokenAnswer(s.PostForm("/oauth2/token", "", "", url.Values{"grant_type": {"authorization_code"},
				"client_id": {s.first.ID}, "code": {code}, "redirect_uri": {"http://127.0.0.1/cb"}, "code_verifier": {s.verifier}}))
		}, 400, "invalid_grant", false},
		{"expired code", func(s *signin) answer {
			code := s.signIn(s.browser)
			s.Clock.Advance(tokens.CodeTTL + time.Second)
			return tokenAnswer(s.redeem(s.first, "", code, s.verifier))
		}, 400, "invalid_grant", false},
		{"code replay revokes the first redemption's tokens", func(s *signin) answer {
			code := s.signIn(s.browser, "scope", "openid read offline_access")
			first := s.redeem(s.first, "", code, s.verifier)
			if first.Status != 200 || s.liveSessions() != 1 {
				s.T.Fatalf("first redemption = %d %s, %d live sessions; want 200 and 1", first.Status, first.Body, s.liveSessions())
			}
			replay := tokenAnswer(s.redeem(s.first, "", code, s.verifier))
			if info := s.introspect(first.Str("access_token")); info["active"] != false {
				s.T.Errorf("the first redemption's access token after the replay = %v; want inactive", info)
			}
			return replay
		}, 400, "invalid_grant", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newSignin(t)
			got := tc.run(s)
			if got.status != tc.status || got.code != tc.code {
				t.Errorf("answer = %d %q (Location %q); want %d %q", got.status, got.code, got.location, tc.status, tc.code)
			}
			checkNothingIssued(t, s, got, tc.back)
		})
	}
}

// checkNothingIssued: the answer redirects only to the client's redirect
// URI (with state and iss) when it may, never with a code, and the user
// has no live session.
func checkNothingIssued(t *testing.T, s *signin, got answer, back bool) {
	t.Helper()
	switch {
	case back && (!strings.HasPrefix(got.location, callback+"?") || !strings.Contains(got.location, "state=st-1") ||
		!strings.Contains(got.location, "iss=")):
		t.Errorf("Location = %q; want the callback with error, state and iss (RFC 9207)", got.location)
	case !back && got.location != "":
		t.Errorf("Location = %q; want no redirect at all", got.location)
	case strings.Contains(got.location, "code="):
		t.Errorf("Location = %q carries a code", got.location)
	}
	if n := s.liveSessions(); n != 0 {
		t.Errorf("%d live sessions after the refusal; want 0 (nothing issued)", n)
	}
}
