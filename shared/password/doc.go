// Package password hashes user passwords with argon2id (RFC 9106) in the
// PHC string format, so a hash records its own parameters and old hashes
// keep verifying after the parameters are raised.
package password
