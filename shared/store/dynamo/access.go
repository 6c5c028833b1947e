package dynamo

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/latchkey/latchkey/shared/tokens"
)

// Reference access tokens live in partition AT#<base64url of the token's
// SHA-256>, revoked JWT ids in JTI#<jti> under sort key REVOKED. Both carry
// a ttl (the token's exp, rounded up) and the exact expiry, which decides
// reads and writes.
const (
	referencePrefix = "AT#"
	jtiPrefix       = "JTI#"
	skRevoked       = "REVOKED"
)

// referenceItem is a tokens.ReferenceToken as stored.
type referenceItem struct {
	PK        string       `dynamodbav:"PK"`
	SK        string       `dynamodbav:"SK"`
	TTL       epochSeconds `dynamodbav:"ttl"`
	Hash      []byte       `dynamodbav:"hash"`
	JTI       string       `dynamodbav:"jti,omitempty"`
	ClientID  string       `dynamodbav:"client_id"`
	Subject   string       `dynamodbav:"subject,omitempty"`
	Scopes    []string     `dynamodbav:"scopes,omitempty"`
	Audience  []string     `dynamodbav:"audience,omitempty"`
	SessionID string       `dynamodbav:"session_id,omitempty"`
	AuthTime  timestamp    `dynamodbav:"auth_time,omitempty"`
	IssuedAt  timestamp    `dynamodbav:"issued_at,omitempty"`
	ExpiresAt timestamp    `dynamodbav:"expires_at"`
	Revoked   bool         `dynamodbav:"revoked"`
	Act       *actorAttr   `dynamodbav:"act,omitempty"`
}

// actorAttr is a tokens.Actor chain as stored: a map per actor (RFC 8693
// §4.1's act claim).
type actorAttr struct {
	Sub string     `dynamodbav:"sub"`
	Act *actorAttr `dynamodbav:"act,omitempty"`
}

func toActorAttr(a *tokens.Actor) *actorAttr {
	if a == nil {
		return nil
	}
	return &actorAttr{Sub: a.Subject, Act: toActorAttr(a.Act)}
}

func (a *actorAttr) value() *tokens.Actor {
	if a == nil {
		return nil
	}
	return &tokens.Actor{Subject: a.Sub, Act: a.Act.value()}
}

// revokedJTIItem is one entry of the JWT revocation list. Its value is
// the JWT id.
type revokedJTIItem struct {
	PK        string       `dynamodbav:"PK"`
	SK        string       `dynamodbav:"SK"`
	TTL       epochSeconds `dynamodbav:"ttl"`
	JTI       string       `dynamodbav:"jti"`
	ExpiresAt timestamp    `dynamodbav:"expires_at"`
}

// liveAt: an entry without an expiry stays in force.
func (it revokedJTIItem) liveAt(now time.Time) bool {
	return it.ExpiresAt.IsZero() || it.ExpiresAt.After(now)
}

func (it revokedJTIItem) value() string { return it.JTI }

func referencePK(hash []byte) string {
	return referencePrefix + base64.RawURLEncoding.EncodeToString(hash)
}

func jtiPK(jti string) string { return jtiPrefix + jti }

func toReferenceItem(t tokens.ReferenceToken) referenceItem {
	return referenceItem{
		PK: referencePK(t.Hash), SK: skMeta, TTL: epochSeconds{t.ExpiresAt},
		Hash: t.Hash, JTI: t.JTI, ClientID: t.ClientID, Subject: t.Subject,
		Scopes: t.Scopes, Audience: t.Audience, SessionID: t.SessionID,
		AuthTime: timestamp{t.AuthTime}, IssuedAt: timestamp{t.IssuedAt},
		ExpiresAt: timestamp{t.ExpiresAt}, Revoked: t.Revoked, Act: toActorAttr(t.Act),
	}
}

// liveAt: a reference token is absent from its expiry on.
func (it referenceItem) liveAt(now time.Time) bool { return it.ExpiresAt.After(now) }

func (it referenceItem) value() tokens.ReferenceToken {
	return tokens.ReferenceToken{
		Hash: nilIfEmpty(it.Hash), JTI: it.JTI, ClientID: it.ClientID, Subject: it.Subject,
		Scopes: it.Scopes, Audience: it.Audience, SessionID: it.SessionID,
		AuthTime: it.AuthTime.Time, IssuedAt: it.IssuedAt.Time, ExpiresAt: it.ExpiresAt.Time,
		Revoked: it.Revoked, Act: it.Act.value(),
	}
}

// CreateReferenceToken stores t under the hash of the token with one
// conditional PutItem (attribute_not_exists(PK)); tokens.ErrAlreadyExists
// if the hash is taken. t must have an expiry: it is the item's ttl.
func (s *Store) CreateReferenceToken(ctx context.Context, t tokens.ReferenceToken) error {
	switch {
	case len(t.Hash) == 0:
		return errors.New("dynamo: create reference token: no hash")
	case t.ExpiresAt.IsZero():
		return errors.New("dynamo: create reference token: no expiry")
	}
	return s.putNew(ctx, "create reference token", toReferenceItem(t))
}

// RevokeReferenceToken sets revoked on the token with one conditional
// UpdateItem: the item must exist, belong to clientID and not have expired
// at the store's clock. A failed condition is tokens.ErrNotFound whatever
// the cause, so a client learns nothing about other clients' tokens.
// Revoking a revoked token again succeeds (nil): revocation is idempotent,
// as RFC 7009 §2.2 answers it.
func (s *Store) RevokeReferenceToken(ctx context.Context, hash []byte, clientID string) error {
	const op = "revoke reference token"
	now := s.now()
	cond := liveNow(now).And(expression.Name(attrClientID).Equal(expression.Value(clientID)))
	upd := expression.Set(expression.Name(attrRevoked), expression.Value(true))
	b := expression.NewBuilder().WithCondition(cond).WithUpdate(upd)
	_, lost, err := s.update(ctx, op, referencePK(hash), b)
	if lost {
		return fmt.Errorf("dynamo: %s: %w", op, tokens.ErrNotFound)
	}
	return err
}

// RevokeJTI puts the JWT id on the revocation list until exp with one
// unconditional PutItem: revoking twice is harmless, and the later exp
// wins. The entry's ttl is exp, rounded up.
func (s *Store) RevokeJTI(ctx context.Context, jti string, exp time.Time) error {
	switch {
	case jti == "":
		return errors.New("dynamo: revoke jti: no jti")
	case exp.IsZero():
		return errors.New("dynamo: revoke jti: no expiry")
	}
	av, err := encodeItem(revokedJTIItem{
		PK: jtiPK(jti), SK: skRevoked, TTL: epochSeconds{exp}, JTI: jti, ExpiresAt: timestamp{exp},
	})
	if err != nil {
		return fmt.Errorf("dynamo: revoke jti: encode: %w", err)
	}
	_, err = s.api.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(s.table), Item: av})
	if err != nil {
		return fmt.Errorf("dynamo: revoke jti: %w", err)
	}
	return nil
}
