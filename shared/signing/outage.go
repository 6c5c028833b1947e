package signing

import (
	"context"
	"errors"
	"fmt"

	"github.com/latchkey/latchkey/shared/tokens"
)

// outageMarking wraps the key store so that every failure other than the
// store sentinels carries tokens.ErrUnavailable: the core then answers an
// unreachable table with temporarily_unavailable (503) and everything
// else that goes wrong here — a bad key-encryption key, an unusable key
// record — with server_error (500), which a retry will not mend.
type outageMarking struct{ tokens.KeyStore }

func (s outageMarking) GetKeySet(ctx context.Context) (tokens.KeySet, error) {
	ks, err := s.KeyStore.GetKeySet(ctx)
	return ks, markOutage(err)
}

func (s outageMarking) PutKeySet(ctx context.Context, ks tokens.KeySet, expectVersion int) error {
	return markOutage(s.KeyStore.PutKeySet(ctx, ks, expectVersion))
}

func markOutage(err error) error {
	if err == nil || errors.Is(err, tokens.ErrNotFound) || errors.Is(err, tokens.ErrConflict) {
		return err
	}
	return fmt.Errorf("%w: %w", tokens.ErrUnavailable, err)
}
