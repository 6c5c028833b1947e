package signing

import (
	"bytes"
	"context"
)

// JWKS returns the JSON Web Key Set (RFC 7517 §5) of every published key:
// next, current, and retired keys until every token they can have signed
// has expired. Each key carries kid, alg ES256 and use sig, and only its
// public parameters (RFC 7518 §6.2.1).
func (k *Keys) JWKS(ctx context.Context) ([]byte, error) {
	st, err := k.fresh(ctx)
	if err != nil {
		return nil, err
	}
	return bytes.Clone(st.jwks), nil
}
