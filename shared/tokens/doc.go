// Package tokens is Latchkey's core: clients, users, sessions and the
// Service that issues, refreshes and verifies tokens.
//
// It owns the ports it needs (the role-split Store interfaces, Signer,
// PasswordHasher) and imports neither HTTP, Lambda nor the AWS SDK, so the
// same logic runs behind every function and under every test. Storage
// adapters live in shared/store, signing in shared/signing, transport in
// shared/httpapi.
package tokens
