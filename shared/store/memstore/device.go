package memstore

import (
	"context"
	"slices"
	"time"

	"github.com/latchkey/latchkey/shared/tokens"
)

// devices holds device authorizations by the string of their device code
// hash, and the user code hashes that name them. The zero value is ready.
type devices struct {
	grants    map[string]tokens.DeviceGrant
	userCodes map[string]tokens.DeviceGrant
}

func (d *devices) init() {
	if d.grants == nil {
		d.grants = map[string]tokens.DeviceGrant{}
		d.userCodes = map[string]tokens.DeviceGrant{}
	}
}

// deviceRecord is a grant as the DynamoDB store keeps it.
func deviceRecord(g tokens.DeviceGrant) tokens.DeviceGrant {
	g.Hash, g.UserCodeHash = nilIfEmpty(g.Hash), nilIfEmpty(g.UserCodeHash)
	g.Scopes, g.Resources = slices.Clone(g.Scopes), slices.Clone(g.Resources)
	g.AuthTime, g.NextPollAt, g.CreatedAt = utc(g.AuthTime), utc(g.NextPollAt), utc(g.CreatedAt)
	g.ExpiresAt, g.DecidedAt = utc(g.ExpiresAt), utc(g.DecidedAt)
	return g
}

// CreateDeviceGrant stores g under both hashes, or neither;
// tokens.ErrAlreadyExists if either is taken, expired or not.
func (s *Store) CreateDeviceGrant(ctx context.Context, g tokens.DeviceGrant) error {
	const op = "CreateDeviceGrant"
	if err := s.enter(ctx, op); err != nil {
		return err
	}
	defer s.mu.Unlock()
	d := &s.devices
	d.init()
	_, taken := d.grants[string(g.Hash)]
	_, codeTaken := d.userCodes[string(g.UserCodeHash)]
	if taken || codeTaken {
		return fail(op, tokens.ErrAlreadyExists)
	}
	d.grants[string(g.Hash)] = deviceRecord(g)
	d.userCodes[string(g.UserCodeHash)] = deviceRecord(g)
	return nil
}

// GetDeviceByUserCode returns the grant as created; tokens.ErrNotFound
// when the user code is unknown or has expired.
func (s *Store) GetDeviceByUserCode(ctx context.Context, userCodeHash []byte) (tokens.DeviceGrant, error) {
	const op = "GetDeviceByUserCode"
	if err := s.enter(ctx, op); err != nil {
		return tokens.DeviceGrant{}, err
	}
	defer s.mu.Unlock()
	s.devices.init()
	g, ok := s.devices.userCodes[string(userCodeHash)]
	if !ok || !g.ExpiresAt.After(s.now()) {
		return tokens.DeviceGrant{}, fail(op, tokens.ErrNotFound)
	}
	return deviceRecord(g), nil
}

// liveGrant returns the grant under hash while its item lives (its ttl).
func (s *Store) liveGrant(hash []byte) (tokens.DeviceGrant, bool) {
	s.devices.init()
	g, ok := s.devices.grants[string(hash)]
	if !ok || !g.KeepUntil().After(s.now()) {
		return tokens.DeviceGrant{}, false
	}
	return g, true
}

// DecideDevice records a decision on a pending, unexpired grant.
func (s *Store) DecideDevice(ctx context.Context, hash []byte, dec tokens.DeviceDecision) error {
	const op = "DecideDevice"
	if err := s.enter(ctx, op); err != nil {
		return err
	}
	defer s.mu.Unlock()
	g, ok := s.liveGrant(hash)
	switch {
	case !ok:
		return fail(op, tokens.ErrNotFound)
	case g.Status != tokens.DevicePending || !g.ExpiresAt.After(dec.At):
		return fail(op, tokens.ErrConflict)
	}
	g.Status, g.Subject, g.AuthTime, g.LoginID, g.DecidedAt = dec.Status, dec.Subject, dec.AuthTime, dec.LoginID, dec.At
	s.devices.grants[string(hash)] = deviceRecord(g)
	return nil
}

// PollDevice records a poll as the DynamoDB store's conditional writes do.
func (s *Store) PollDevice(ctx context.Context, hash []byte, clientID string, at time.Time, slowDown time.Duration) (tokens.DeviceGrant, error) {
	const op = "PollDevice"
	if err := s.enter(ctx, op); err != nil {
		return tokens.DeviceGrant{}, err
	}
	defer s.mu.Unlock()
	g, ok := s.liveGrant(hash)
	switch {
	case !ok:
		return tokens.DeviceGrant{}, fail(op, tokens.ErrNotFound)
	case g.ClientID != clientID:
		return deviceRecord(g), fail(op, tokens.ErrConflict)
	case g.NextPollAt.After(at):
		g.Interval += slowDown
		g.NextPollAt = at.Add(g.Interval)
		s.devices.grants[string(hash)] = deviceRecord(g)
		return deviceRecord(g), fail(op, tokens.ErrConflict)
	}
	g.NextPollAt = at.Add(g.Interval)
	s.devices.grants[string(hash)] = deviceRecord(g)
	return deviceRecord(g), nil
}

// RedeemDevice marks an approved grant used.
func (s *Store) RedeemDevice(ctx context.Context, hash []byte, sessionID string, at time.Time) (tokens.DeviceGrant, error) {
	const op = "RedeemDevice"
	if err := s.enter(ctx, op); err != nil {
		return tokens.DeviceGrant{}, err
	}
	defer s.mu.Unlock()
	g, ok := s.liveGrant(hash)
	switch {
	case !ok:
		return tokens.DeviceGrant{}, fail(op, tokens.ErrNotFound)
	case g.Status != tokens.DeviceApproved:
		return deviceRecord(g), fail(op, tokens.ErrConflict)
	}
	g.Status, g.SessionID = tokens.DeviceUsed, sessionID
	s.devices.grants[string(hash)] = deviceRecord(g)
	return deviceRecord(g), nil
}
