package dynamo

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/latchkey/latchkey/shared/tokens"
)

// loginItem is a tokens.LoginSession as stored, in LOGIN#<hash>. Its ttl
// is the earlier of the idle and absolute expiry.
type loginItem struct {
	PK                string       `dynamodbav:"PK"`
	SK                string       `dynamodbav:"SK"`
	TTL               epochSeconds `dynamodbav:"ttl"`
	Hash              []byte       `dynamodbav:"hash"`
	ID                string       `dynamodbav:"login_id"`
	Subject           string       `dynamodbav:"subject"`
	Username          string       `dynamodbav:"username,omitempty"`
	AuthTime          timestamp    `dynamodbav:"auth_time"`
	IdleExpiresAt     timestamp    `dynamodbav:"idle_expires_at"`
	AbsoluteExpiresAt timestamp    `dynamodbav:"absolute_expires_at"`
}

func toLoginItem(l tokens.LoginSession) loginItem {
	return loginItem{
		PK: hashKey(loginPrefix, l.Hash), SK: skMeta, TTL: epochSeconds{l.ExpiresAt()}, Hash: l.Hash,
		ID: l.ID, Subject: l.Subject, Username: l.Username, AuthTime: timestamp{l.AuthTime},
		IdleExpiresAt: timestamp{l.IdleExpiresAt}, AbsoluteExpiresAt: timestamp{l.AbsoluteExpiresAt},
	}
}

// liveAt: a login session is absent from the earlier of its idle and
// absolute expiry on.
func (it loginItem) liveAt(now time.Time) bool { return it.value().ExpiresAt().After(now) }

func (it loginItem) value() tokens.LoginSession {
	return tokens.LoginSession{
		Hash: nilIfEmpty(it.Hash), ID: it.ID, Subject: it.Subject, Username: it.Username, AuthTime: it.AuthTime.Time,
		IdleExpiresAt: it.IdleExpiresAt.Time, AbsoluteExpiresAt: it.AbsoluteExpiresAt.Time,
	}
}

// CreateLogin stores a login session with one conditional PutItem;
// tokens.ErrAlreadyExists if its hash is taken.
func (s *Store) CreateLogin(ctx context.Context, l tokens.LoginSession) error {
	if len(l.Hash) == 0 || l.AbsoluteExpiresAt.IsZero() || l.IdleExpiresAt.IsZero() {
		return errors.New("dynamo: create login: no hash or expiry")
	}
	return s.putNew(ctx, "create login", toLoginItem(l))
}

// GetLogin reads a login session (strongly consistent);
// tokens.ErrNotFound when it is missing or has expired.
func (s *Store) GetLogin(ctx context.Context, hash []byte) (tokens.LoginSession, error) {
	return getLive[loginItem](ctx, s, "get login", itemKey(hashKey(loginPrefix, hash)))
}

// TouchLogin moves a live login session's idle expiry and ttl with one
// conditional UpdateItem (existsNow, idle_expires_at after now);
// tokens.ErrNotFound when it is missing or has expired.
func (s *Store) TouchLogin(ctx context.Context, hash []byte, idleExpiresAt time.Time) error {
	now := s.now()
	upd := expression.
		Set(expression.Name(attrIdleExpAt), expression.Value(timestamp{idleExpiresAt})).
		Set(expression.Name(attrTTL), expression.Value(epochSeconds{idleExpiresAt}))
	cond := existsNow(now).And(after(attrIdleExpAt, now))
	b := expression.NewBuilder().WithCondition(cond).WithUpdate(upd)
	_, lost, err := s.update(ctx, "touch login", hashKey(loginPrefix, hash), b)
	if lost {
		return fmt.Errorf("dynamo: touch login: %w", tokens.ErrNotFound)
	}
	return err
}

// DeleteLogin ends a login session with one unconditional DeleteItem.
func (s *Store) DeleteLogin(ctx context.Context, hash []byte) error {
	return s.deleteKey(ctx, "delete login", itemKey(hashKey(loginPrefix, hash)))
}

func (s *Store) deleteKey(ctx context.Context, op string, key map[string]types.AttributeValue) error {
	_, err := s.api.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(s.table), Key: key})
	if err != nil {
		return fmt.Errorf("dynamo: %s: %w", op, err)
	}
	return nil
}

// consentItem is a tokens.Consent as stored: the scopes are a string set,
// so that granting more adds to them in one UpdateItem.
type consentItem struct {
	PK        string    `dynamodbav:"PK"`
	SK        string    `dynamodbav:"SK"`
	Subject   string    `dynamodbav:"subject"`
	ClientID  string    `dynamodbav:"client_id"`
	Scopes    []string  `dynamodbav:"scopes,stringset,omitempty"`
	GrantedAt timestamp `dynamodbav:"granted_at,omitempty"`
}

func (it consentItem) liveAt(time.Time) bool { return true }

// value: the scopes come sorted.
func (it consentItem) value() tokens.Consent {
	slices.Sort(it.Scopes)
	return tokens.Consent{Subject: it.Subject, ClientID: it.ClientID, Scopes: it.Scopes, GrantedAt: it.GrantedAt.Time}
}

func consentKey(subject, clientID string) map[string]types.AttributeValue {
	return keyOf(consentPrefix+subject, consentSKPrefix+clientID)
}

// consentUpdate adds c's scopes to the stored consent (ADD on a string
// set) and sets its subject, client and grant time.
func (s *Store) consentUpdate(c tokens.Consent) (*types.Update, error) {
	upd := expression.
		Set(expression.Name(attrSubject), expression.Value(c.Subject)).
		Set(expression.Name(attrClientID), expression.Value(c.ClientID)).
		Set(expression.Name(attrGrantedAt), expression.Value(timestamp{c.GrantedAt}))
	if len(c.Scopes) > 0 {
		set := &types.AttributeValueMemberSS{Value: slices.Compact(slices.Sorted(slices.Values(c.Scopes)))}
		upd = upd.Add(expression.Name(attrScopes), expression.Value(set))
	}
	expr, err := expression.NewBuilder().WithUpdate(upd).Build()
	if err != nil {
		return nil, err
	}
	return &types.Update{
		TableName: aws.String(s.table), Key: consentKey(c.Subject, c.ClientID), UpdateExpression: expr.Update(),
		ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
	}, nil
}

// GetConsent reads the subject's consent for the client (strongly
// consistent); tokens.ErrNotFound when there is none. Its scopes come
// sorted.
func (s *Store) GetConsent(ctx context.Context, subject, clientID string) (tokens.Consent, error) {
	return getLive[consentItem](ctx, s, "get consent", consentKey(subject, clientID))
}

// DeleteConsent withdraws a consent with one unconditional DeleteItem.
func (s *Store) DeleteConsent(ctx context.Context, subject, clientID string) error {
	return s.deleteKey(ctx, "delete consent", consentKey(subject, clientID))
}
