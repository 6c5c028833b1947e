package memstore

import (
	"bytes"
	"context"
	"errors"
	"maps"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/latchkey/latchkey/shared/tokens"
)

// clientRecord is c as the DynamoDB store keeps it: durations in whole
// milliseconds, times in UTC, slices and maps copied (nil stays nil,
// empty stays empty).
func clientRecord(c tokens.Client) tokens.Client {
	c.SecretHash = bytes.Clone(c.SecretHash)
	c.Grants, c.Scopes = slices.Clone(c.Grants), slices.Clone(c.Scopes)
	c.Resources, c.AccessTokenClaims = slices.Clone(c.Resources), slices.Clone(c.AccessTokenClaims)
	c.RedirectURIs = slices.Clone(c.RedirectURIs)
	c.ClaimSizeLimits = maps.Clone(c.ClaimSizeLimits)
	for _, d := range []*time.Duration{&c.AccessTokenTTL, &c.RefreshAbsoluteTTL, &c.RefreshIdleTTL, &c.RefreshReuseGrace} {
		*d = d.Truncate(time.Millisecond)
	}
	c.CreatedAt = utc(c.CreatedAt)
	c.Registration.TokenHash = bytes.Clone(c.Registration.TokenHash)
	c.Registration.ExpiresAt = utc(c.Registration.ExpiresAt)
	return c
}

// clientAt returns the client with id unless it is unknown or has lapsed
// at now (a self-registered client past its expiry). The caller holds mu.
func (s *Store) clientAt(id string, now time.Time) (tokens.Client, bool) {
	c, ok := s.clients[id]
	if !ok || (!c.Registration.ExpiresAt.IsZero() && !c.Registration.ExpiresAt.After(now)) {
		return tokens.Client{}, false
	}
	return c, true
}

// CreateClient stores c; tokens.ErrAlreadyExists if the id is taken by
// another client. An empty id is an error: it is the client index's sort
// key, which DynamoDB refuses empty.
func (s *Store) CreateClient(ctx context.Context, c tokens.Client) error {
	const op = "CreateClient"
	if err := s.enter(ctx, op); err != nil {
		return err
	}
	defer s.mu.Unlock()
	if c.ID == "" {
		return fail(op, errors.New("no id"))
	}
	return putNew(s.clients, op, c.ID, clientRecord(c))
}

// putNew stores rec under id unless the id is taken. Finding exactly rec
// stored is success: a create repeated after a lost answer, as the
// DynamoDB store treats it.
func putNew[T any](m map[string]T, op, id string, rec T) error {
	if old, ok := m[id]; ok {
		if reflect.DeepEqual(old, rec) {
			return nil
		}
		return fail(op, tokens.ErrAlreadyExists)
	}
	m[id] = rec
	return nil
}

// GetClient returns the client with id, or tokens.ErrNotFound.
func (s *Store) GetClient(ctx context.Context, id string) (tokens.Client, error) {
	const op = "GetClient"
	if err := s.enter(ctx, op); err != nil {
		return tokens.Client{}, err
	}
	defer s.mu.Unlock()
	c, ok := s.clientAt(id, s.now())
	if !ok {
		return tokens.Client{}, fail(op, tokens.ErrNotFound)
	}
	return clientRecord(c), nil
}

// ListClients returns every client, ordered by id.
func (s *Store) ListClients(ctx context.Context) ([]tokens.Client, error) {
	if err := s.enter(ctx, "ListClients"); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	clients := []tokens.Client{}
	now := s.now()
	for id := range s.clients {
		if c, ok := s.clientAt(id, now); ok {
			clients = append(clients, clientRecord(c))
		}
	}
	slices.SortFunc(clients, func(a, b tokens.Client) int { return strings.Compare(a.ID, b.ID) })
	return clients, nil
}

// DisableClient marks the client disabled; tokens.ErrNotFound for an
// unknown id.
func (s *Store) DisableClient(ctx context.Context, id string) error {
	const op = "DisableClient"
	if err := s.enter(ctx, op); err != nil {
		return err
	}
	defer s.mu.Unlock()
	c, ok := s.clientAt(id, s.now())
	if !ok {
		return fail(op, tokens.ErrNotFound)
	}
	c.Disabled = true
	s.clients[id] = c
	return nil
}

// DeleteClient removes the client; tokens.ErrNotFound for an unknown or
// lapsed id.
func (s *Store) DeleteClient(ctx context.Context, id string) error {
	const op = "DeleteClient"
	if err := s.enter(ctx, op); err != nil {
		return err
	}
	defer s.mu.Unlock()
	if _, ok := s.clientAt(id, s.now()); !ok {
		return fail(op, tokens.ErrNotFound)
	}
	delete(s.clients, id)
	return nil
}

// ExtendClient moves a self-registered client's expiry to expiresAt when
// it expires before that; tokens.ErrConflict when it does not (or never
// expires), tokens.ErrNotFound when it is unknown or has lapsed.
func (s *Store) ExtendClient(ctx context.Context, id string, expiresAt time.Time) error {
	const op = "ExtendClient"
	if err := s.enter(ctx, op); err != nil {
		return err
	}
	defer s.mu.Unlock()
	c, ok := s.clientAt(id, s.now())
	switch {
	case !ok:
		return fail(op, tokens.ErrNotFound)
	case c.Registration.ExpiresAt.IsZero() || !c.Registration.ExpiresAt.Before(expiresAt):
		return fail(op, tokens.ErrConflict)
	}
	c.Registration.ExpiresAt = utc(expiresAt)
	s.clients[id] = c
	return nil
}
