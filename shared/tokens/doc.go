// Package tokens is Latchkey's core: clients, users, sessions and the
// Service that issues, refreshes and verifies tokens.
//
// It owns the ports it needs (ports.go: the Store roles, Signer, Verifier,
// PasswordHasher and the store sentinels) and imports neither HTTP, Lambda
// nor the AWS SDK, so the same logic runs behind every function and under
// every test, on DynamoDB or on the in-memory store.
//
// Files are grouped by noun. One file per thing the core owns, holding its
// type, wire format and lifecycle: client.go (and the client cache),
// user.go, session.go, accesstoken.go, refreshtoken.go, longlived.go,
// keyset.go. One file per grant or endpoint operation: token.go
// (dispatch, client_credentials), password.go, refresh.go, revoke.go,
// introspect.go, principal.go (bearer authentication), mint.go,
// sessionspage.go, clientauth.go and admin.go (operator commands).
// The browser sign-in (docs/design.md §10) follows the same rule: the
// pending request (authrequest.go), the login session (login.go), the
// consent (consent.go) and the authorization code (authcode.go, with its
// redemption at the token endpoint) each own a file; authorize.go is the
// authorization endpoint, logout.go RP-initiated logout, redirecturi.go
// the matching of redirect URIs. OpenID Connect likewise: idtoken.go
// (the one place ID tokens are built), claims.go and claimsize.go (user
// claims, the scopes that ask for them, cutting to size), userinfo.go
// (claims by subject, the UserInfo endpoint), resource.go (RFC 8707
// resource indicators) and discovery.go (what the metadata lists).
// errors.go is the one error vocabulary: every public method returns an
// *oauth.Error.
package tokens
