package tokens

import (
	"slices"

	"github.com/latchkey/latchkey/shared/oauth"
)

// grantedScopes returns the scopes a request gets: what it asked for when
// every token is allowed (RFC 6749 §3.3), everything allowed but
// offline_access when it asked for nothing.
func grantedScopes(requested string, allowed []string) ([]string, error) {
	want := oauth.ParseScope(requested)
	if len(want) == 0 {
		return slices.DeleteFunc(slices.Clone(allowed), func(s string) bool {
			return s == oauth.ScopeOfflineAccess
		}), nil
	}
	if missing := oauth.Missing(want, allowed); len(missing) > 0 {
		return nil, oauth.InvalidScope("scope not allowed: " + oauth.JoinScope(missing))
	}
	return want, nil
}

// narrowedScopes returns the scopes of a refresh: the session's scopes, or
// a subset of them (downscoping). Widening is invalid_scope (RFC 6749 §6).
func narrowedScopes(requested string, session []string) ([]string, error) {
	want := oauth.ParseScope(requested)
	if len(want) == 0 {
		return session, nil
	}
	if missing := oauth.Missing(want, session); len(missing) > 0 {
		return nil, oauth.InvalidScope("scope wider than the original grant: " + oauth.JoinScope(missing))
	}
	return want, nil
}

// offlineScopes returns what a client may ask for with a user grant: its
// scopes, plus offline_access when it allows refresh tokens.
func (c Client) offlineScopes() []string {
	out := slices.Clone(c.Scopes)
	if c.AllowOfflineAccess && !slices.Contains(out, oauth.ScopeOfflineAccess) {
		out = append(out, oauth.ScopeOfflineAccess)
	}
	if !c.AllowOfflineAccess {
		out = slices.DeleteFunc(out, func(s string) bool { return s == oauth.ScopeOfflineAccess })
	}
	return out
}
