package tokens

import "slices"

// What discovery publishes about the core (RFC 8414 §2, OpenID Connect
// Discovery 1.0 §3), kept here so the documents follow the code.

// SupportedGrants returns the grant types a client may be registered for
// (grant_types_supported).
func SupportedGrants() []string { return slices.Clone(supportedGrants) }

// IDTokenAlgs returns the algorithms ID tokens are signed with, the
// default first (id_token_signing_alg_values_supported).
func IDTokenAlgs() []string { return []string{AlgRS256, AlgES256} }
