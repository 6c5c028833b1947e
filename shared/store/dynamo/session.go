package dynamo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"

	"github.com/latchkey/latchkey/shared/tokens"
)

// Session items live in partition SESSION#<sid> and are indexed by subject
// in GSI1 (SUB#<subject>, <created>#<sid>) for the sessions page, next to
// the subject's long-lived tokens; their type attribute is "oauth" (items
// written before it existed have none and are still sessions). Their ttl
// is the absolute expiry, rounded up to a whole second; the exact expiry is
// also stored and decides every read and write.
const (
	sessionPrefix = "SESSION#"
	subjectPrefix = "SUB#"
)

// sessionItem is a tokens.Session as stored.
type sessionItem struct {
	PK                string         `dynamodbav:"PK"`
	SK                string         `dynamodbav:"SK"`
	GSI1PK            string         `dynamodbav:"GSI1PK"`
	GSI1SK            string         `dynamodbav:"GSI1SK"`
	TTL               epochSeconds   `dynamodbav:"ttl"`
	Type              string         `dynamodbav:"type"`
	ID                string         `dynamodbav:"id"`
	ClientID          string         `dynamodbav:"client_id"`
	Subject           string         `dynamodbav:"subject"`
	Scopes            []string       `dynamodbav:"scopes,omitempty"`
	Audience          []string       `dynamodbav:"audience,omitempty"`
	Claims            map[string]any `dynamodbav:"claims,omitempty"`
	LoginID           string         `dynamodbav:"login_id,omitempty"`
	CreatedAt         timestamp      `dynamodbav:"created_at,omitempty"`
	AuthTime          timestamp      `dynamodbav:"auth_time,omitempty"`
	AbsoluteExpiresAt timestamp      `dynamodbav:"absolute_expires_at"`
	IdleExpiresAt     timestamp      `dynamodbav:"idle_expires_at,omitempty"`
	LastUsedAt        timestamp      `dynamodbav:"last_used_at,omitempty"`
	Generation        int            `dynamodbav:"generation"`
	Salt              []byte         `dynamodbav:"salt,omitempty"`
	RotatedAt         timestamp      `dynamodbav:"rotated_at,omitempty"`
	CurrentHash       []byte         `dynamodbav:"current_hash,omitempty"`
	PreviousHash      []byte         `dynamodbav:"previous_hash,omitempty"`
	AccessJTI         string         `dynamodbav:"access_jti,omitempty"`
	Status            string         `dynamodbav:"status"`
	RevokedReason     string         `dynamodbav:"revoked_reason,omitempty"`
	RevokedAt         timestamp      `dynamodbav:"revoked_at,omitempty"`
	IP                string         `dynamodbav:"ip,omitempty"`
	UserAgent         string         `dynamodbav:"user_agent,omitempty"`
	Act               *actorAttr     `dynamodbav:"act,omitempty"`
}

func sessionPK(id string) string { return sessionPrefix + id }

func toSessionItem(s tokens.Session) sessionItem {
	return sessionItem{
		PK: sessionPK(s.ID), SK: skMeta,
		GSI1PK: subjectPrefix + s.Subject, GSI1SK: createdSortKey(s.CreatedAt, s.ID),
		TTL: epochSeconds{s.AbsoluteExpiresAt}, Type: tokens.ListTypeOAuth,
		ID: s.ID, ClientID: s.ClientID, Subject: s.Subject, Scopes: s.Scopes, Audience: s.Audience, Claims: s.Claims, LoginID: s.LoginID,
		CreatedAt: timestamp{s.CreatedAt}, AuthTime: timestamp{s.AuthTime},
		AbsoluteExpiresAt: timestamp{s.AbsoluteExpiresAt},
		IdleExpiresAt:     timestamp{s.IdleExpiresAt},
		LastUsedAt:        timestamp{s.LastUsedAt},
		Generation:        s.Generation, Salt: s.Salt,
		RotatedAt:   timestamp{s.RotatedAt},
		CurrentHash: s.CurrentHash, PreviousHash: s.PreviousHash,
		AccessJTI: s.AccessJTI, Status: s.Status,
		RevokedReason: s.RevokedReason, RevokedAt: timestamp{s.RevokedAt},
		IP: s.IP, UserAgent: s.UserAgent, Act: toActorAttr(s.Act),
	}
}

// liveAt: a session is absent from its absolute expiry on.
func (it sessionItem) liveAt(now time.Time) bool { return it.AbsoluteExpiresAt.After(now) }

func (it sessionItem) value() tokens.Session {
	return tokens.Session{
		ID: it.ID, ClientID: it.ClientID, Subject: it.Subject, Scopes: it.Scopes, Audience: it.Audience, Claims: it.Claims, LoginID: it.LoginID,
		CreatedAt: it.CreatedAt.Time, AuthTime: it.AuthTime.Time,
		AbsoluteExpiresAt: it.AbsoluteExpiresAt.Time, IdleExpiresAt: it.IdleExpiresAt.Time,
		LastUsedAt: it.LastUsedAt.Time,
		Generation: it.Generation, Salt: nilIfEmpty(it.Salt), RotatedAt: it.RotatedAt.Time,
		CurrentHash: nilIfEmpty(it.CurrentHash), PreviousHash: nilIfEmpty(it.PreviousHash),
		AccessJTI: it.AccessJTI, Status: it.Status,
		RevokedReason: it.RevokedReason, RevokedAt: it.RevokedAt.Time,
		IP: it.IP, UserAgent: it.UserAgent, Act: it.Act.value(),
	}
}

// CreateSession writes a new session; tokens.ErrAlreadyExists if the id is
// taken. A session must have an absolute expiry: it is the item's ttl.
func (s *Store) CreateSession(ctx context.Context, sess tokens.Session) error {
	if sess.AbsoluteExpiresAt.IsZero() {
		return errors.New("dynamo: create session: no absolute expiry")
	}
	return s.putNew(ctx, "create session", toSessionItem(sess))
}

// GetSession returns the session with a strongly consistent read, or
// tokens.ErrNotFound when it is unknown or its absolute expiry is not after
// the store's clock.
func (s *Store) GetSession(ctx context.Context, id string) (tokens.Session, error) {
	return getLive[sessionItem](ctx, s, "get session", itemKey(sessionPK(id)))
}

// liveSession is the condition "the session exists, is active and has not
// reached its absolute expiry at now".
func liveSession(now time.Time) expression.ConditionBuilder {
	return expression.And(keyExists(), active(), after(attrAbsoluteExpAt, now))
}

// UpdateSession writes the mutable fields of sess in one conditional
// UpdateItem: the stored generation must equal expectGeneration and the
// session must be active and unexpired. It returns the session as written.
// When the condition fails it returns the session as stored now and
// tokens.ErrConflict, or tokens.ErrNotFound if it is missing or expired.
func (s *Store) UpdateSession(ctx context.Context, sess tokens.Session, expectGeneration int) (tokens.Session, error) {
	now := s.now()
	cond := liveSession(now).And(expression.Name(attrGeneration).Equal(expression.Value(expectGeneration)))
	b := expression.NewBuilder().WithCondition(cond).WithUpdate(sessionUpdate(sess))
	av, lost, err := s.update(ctx, "update session", sessionPK(sess.ID), b)
	if err != nil {
		return tokens.Session{}, err
	}
	stored, decErr := decodeLive[sessionItem](av, now)
	switch {
	case decErr != nil:
		return tokens.Session{}, fmt.Errorf("dynamo: update session: %w", decErr)
	case lost:
		return stored, fmt.Errorf("dynamo: update session: %w", tokens.ErrConflict)
	}
	return stored, nil
}

// revokeUpdate marks a session revoked at at for reason.
func revokeUpdate(reason string, at time.Time) expression.UpdateBuilder {
	return expression.Set(expression.Name(attrStatus), expression.Value(tokens.SessionRevoked)).
		Set(expression.Name(attrRevokedReason), expression.Value(reason)).
		Set(expression.Name(attrRevokedAt), expression.Value(timestamp{at}))
}

// sessionUpdate sets the fields that UpdateSession may change. Empty values
// are removed rather than stored, as CreateSession omits them.
func sessionUpdate(s tokens.Session) expression.UpdateBuilder {
	ub := expression.Set(expression.Name(attrGeneration), expression.Value(s.Generation))
	fields := []struct {
		name  string
		value any
		empty bool
	}{
		{attrPreviousHash, s.PreviousHash, len(s.PreviousHash) == 0},
		{attrCurrentHash, s.CurrentHash, len(s.CurrentHash) == 0},
		{attrRotatedAt, timestamp{s.RotatedAt}, s.RotatedAt.IsZero()},
		{attrIdleExpAt, timestamp{s.IdleExpiresAt}, s.IdleExpiresAt.IsZero()},
		{attrLastUsedAt, timestamp{s.LastUsedAt}, s.LastUsedAt.IsZero()},
		{attrAccessJTI, s.AccessJTI, s.AccessJTI == ""},
		{attrIP, s.IP, s.IP == ""},
		{attrUserAgent, s.UserAgent, s.UserAgent == ""},
	}
	for _, f := range fields {
		if f.empty {
			ub = ub.Remove(expression.Name(f.name))
		} else {
			ub = ub.Set(expression.Name(f.name), expression.Value(f.value))
		}
	}
	return ub
}

// RevokeSession marks an active session revoked in one conditional
// UpdateItem. An already revoked session gives tokens.ErrConflict; a
// missing or expired one tokens.ErrNotFound (told apart by ALL_OLD).
func (s *Store) RevokeSession(ctx context.Context, id, reason string, at time.Time) error {
	now := s.now()
	b := expression.NewBuilder().WithCondition(liveSession(now)).WithUpdate(revokeUpdate(reason, at))
	av, lost, err := s.update(ctx, "revoke session", sessionPK(id), b)
	if !lost {
		return err
	}
	if _, decErr := decodeLive[sessionItem](av, now); decErr != nil {
		return fmt.Errorf("dynamo: revoke session: %w", decErr)
	}
	return fmt.Errorf("dynamo: revoke session: %w", tokens.ErrConflict)
}
