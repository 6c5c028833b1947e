package dynamo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"

	"github.com/latchkey/latchkey/shared/tokens"
)

// Long-lived tokens live in partition LT#<id> and are indexed by owner in
// GSI1 (SUB#<subject>, <created>#<id>) next to the owner's sessions, with
// type "long_lived". A token that never expires has neither ttl nor
// expires_at; otherwise ttl is the expiry rounded up and expires_at the
// exact expiry, which decides reads and writes.
const longLivedPrefix = "LT#"

// longLivedItem is a tokens.LongLivedToken as stored.
type longLivedItem struct {
	PK         string       `dynamodbav:"PK"`
	SK         string       `dynamodbav:"SK"`
	GSI1PK     string       `dynamodbav:"GSI1PK"`
	GSI1SK     string       `dynamodbav:"GSI1SK"`
	TTL        epochSeconds `dynamodbav:"ttl,omitempty"`
	Type       string       `dynamodbav:"type"`
	ID         string       `dynamodbav:"id"`
	Hash       []byte       `dynamodbav:"hash,omitempty"`
	Name       string       `dynamodbav:"name,omitempty"`
	Subject    string       `dynamodbav:"subject"`
	Scopes     []string     `dynamodbav:"scopes,omitempty"`
	Audience   []string     `dynamodbav:"audience,omitempty"`
	CreatedBy  string       `dynamodbav:"created_by,omitempty"`
	ClientID   string       `dynamodbav:"client_id,omitempty"`
	CreatedAt  timestamp    `dynamodbav:"created_at,omitempty"`
	ExpiresAt  timestamp    `dynamodbav:"expires_at,omitempty"`
	LastUsedAt timestamp    `dynamodbav:"last_used_at,omitempty"`
	Status     string       `dynamodbav:"status"`
	RevokedAt  timestamp    `dynamodbav:"revoked_at,omitempty"`
}

func longLivedPK(id string) string { return longLivedPrefix + id }

// toLongLivedItem converts t; a zero ExpiresAt stores neither ttl nor
// expires_at.
func toLongLivedItem(t tokens.LongLivedToken) longLivedItem {
	return longLivedItem{
		PK: longLivedPK(t.ID), SK: skMeta,
		GSI1PK: subjectPrefix + t.Subject, GSI1SK: createdSortKey(t.CreatedAt, t.ID),
		TTL: epochSeconds{t.ExpiresAt}, Type: tokens.ListTypeLongLived,
		ID: t.ID, Hash: t.Hash, Name: t.Name, Subject: t.Subject, Scopes: t.Scopes, Audience: t.Audience,
		CreatedBy: t.CreatedBy, ClientID: t.ClientID, CreatedAt: timestamp{t.CreatedAt},
		ExpiresAt: timestamp{t.ExpiresAt}, LastUsedAt: timestamp{t.LastUsedAt},
		Status: t.Status, RevokedAt: timestamp{t.RevokedAt},
	}
}

// liveAt: a token that never expires has no expires_at.
func (it longLivedItem) liveAt(now time.Time) bool {
	return it.ExpiresAt.IsZero() || it.ExpiresAt.After(now)
}

func (it longLivedItem) value() tokens.LongLivedToken {
	return tokens.LongLivedToken{
		ID: it.ID, Hash: nilIfEmpty(it.Hash), Name: it.Name, Subject: it.Subject,
		Scopes: it.Scopes, Audience: it.Audience, CreatedBy: it.CreatedBy, ClientID: it.ClientID, Status: it.Status,
		CreatedAt: it.CreatedAt.Time, ExpiresAt: it.ExpiresAt.Time,
		LastUsedAt: it.LastUsedAt.Time, RevokedAt: it.RevokedAt.Time,
	}
}

// liveLongLived is the condition "the token exists, is active and has not
// expired at now".
func liveLongLived(now time.Time) expression.ConditionBuilder {
	return existsNow(now).And(active()).And(absentOrAfter(attrExpiresAt, now))
}

// CreateLongLived stores t with one conditional PutItem
// (attribute_not_exists(PK)); tokens.ErrAlreadyExists if the id is taken.
// A zero ExpiresAt stores no ttl: the token never expires.
func (s *Store) CreateLongLived(ctx context.Context, t tokens.LongLivedToken) error {
	if t.ID == "" {
		return errors.New("dynamo: create long-lived token: no id")
	}
	return s.putNew(ctx, "create long-lived token", toLongLivedItem(t))
}

// GetLongLived reads LT#<id> with a strongly consistent GetItem, or returns
// tokens.ErrNotFound when it is unknown or has expired at the store's clock.
func (s *Store) GetLongLived(ctx context.Context, id string) (tokens.LongLivedToken, error) {
	return getLive[longLivedItem](ctx, s, "get long-lived token", itemKey(longLivedPK(id)))
}

// TouchLongLived sets last_used_at to at with one conditional UpdateItem:
// the token must exist, be active, not have expired, and have been last
// used before at-minInterval (or never). Stored times are fixed-width
// strings, so the comparison is DynamoDB's string order. Whatever the
// cause, a failed condition is tokens.ErrConflict, as the port says: an
// unknown or expired id too, since the caller only wants "not written".
func (s *Store) TouchLongLived(ctx context.Context, id string, at time.Time, minInterval time.Duration) error {
	const op = "touch long-lived token"
	threshold := timestamp{at.Add(-minInterval)}
	cond := liveLongLived(s.now()).And(expression.Or(
		expression.AttributeNotExists(expression.Name(attrLastUsedAt)),
		expression.Name(attrLastUsedAt).LessThan(expression.Value(threshold)),
	))
	upd := expression.Set(expression.Name(attrLastUsedAt), expression.Value(timestamp{at}))
	_, lost, err := s.update(ctx, op, longLivedPK(id), expression.NewBuilder().WithCondition(cond).WithUpdate(upd))
	if lost {
		return fmt.Errorf("dynamo: %s: %w", op, tokens.ErrConflict)
	}
	return err
}

// RevokeLongLived marks an active, unexpired token revoked with one
// conditional UpdateItem. When the condition fails the stored item
// (ALL_OLD) tells why: missing or expired is tokens.ErrNotFound, already
// revoked tokens.ErrConflict.
func (s *Store) RevokeLongLived(ctx context.Context, id string, at time.Time) error {
	const op = "revoke long-lived token"
	now := s.now()
	upd := expression.Set(expression.Name(attrStatus), expression.Value(tokens.SessionRevoked)).
		Set(expression.Name(attrRevokedAt), expression.Value(timestamp{at}))
	b := expression.NewBuilder().WithCondition(liveLongLived(now)).WithUpdate(upd)
	av, lost, err := s.update(ctx, op, longLivedPK(id), b)
	if !lost {
		return err
	}
	if _, decErr := decodeLive[longLivedItem](av, now); decErr != nil {
		return fmt.Errorf("dynamo: %s: %w", op, decErr)
	}
	return fmt.Errorf("dynamo: %s: %w", op, tokens.ErrConflict)
}
