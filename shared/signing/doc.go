// Package signing owns Latchkey's JOSE layer: the ES256 signing keys, the
// RFC 9068 access tokens signed with them, their verification for
// introspection, and the JSON Web Key Set that resource servers fetch.
// OpenID Connect ID tokens are signed here too (idtoken.go, idkeys.go):
// RS256 by default with a second key family, RSA-2048, that lives in the
// same key set and rotates with the ES256 keys, or ES256 per client.
//
// It implements the core's tokens.Signer port on top of
// github.com/lestrrat-go/jwx/v2 and keeps everything cryptographic out of
// the core. The key set lives in the store behind tokens.KeyStore as one
// versioned record (docs/design.md §5): keys move from next to current to
// retired, a rotation is one conditional write, and a retired key stays
// published until every token it can have signed has expired.
//
// Private keys are stored sealed with AES-256-GCM under a key derived from
// the deployment's key-encryption key (KEK), so a dump of the table holds no
// usable signing key (docs/design.md §7.5). A Keys built without a KEK can still
// verify tokens and serve the JWKS, which is all the read-only functions
// need. The package also derives the refresh-token MAC key from the same
// KEK (RefreshKey), so that only one secret has to be provisioned.
package signing
