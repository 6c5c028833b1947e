package tokens

import (
	"context"
	"slices"
)

// ClientScopes returns the scopes a client may ask for, for a page that
// builds its own authorization request (the console). An unknown or
// disabled client is not_found.
func (s *Service) ClientScopes(ctx context.Context, id string) ([]string, error) {
	if !plausibleID(id) {
		return nil, noSuch("client")
	}
	c, err := s.client(ctx, id)
	switch {
	case notFound(err) || (err == nil && c.Disabled):
		return nil, noSuch("client")
	case err != nil:
		return nil, storeError(err)
	}
	return slices.Clone(c.Scopes), nil
}
