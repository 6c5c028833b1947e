package dynamo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/latchkey/latchkey/shared/tokens"
)

// codeItem is a tokens.AuthCode as stored, in CODE#<hash>.
type codeItem struct {
	PK            string       `dynamodbav:"PK"`
	SK            string       `dynamodbav:"SK"`
	TTL           epochSeconds `dynamodbav:"ttl"`
	Hash          []byte       `dynamodbav:"hash"`
	ClientID      string       `dynamodbav:"client_id"`
	RedirectURI   string       `dynamodbav:"redirect_uri"`
	CodeChallenge string       `dynamodbav:"code_challenge"`
	Subject       string       `dynamodbav:"subject"`
	Scopes        []string     `dynamodbav:"scopes,omitempty"`
	Resources     []string     `dynamodbav:"resources,omitempty"`
	Nonce         string       `dynamodbav:"nonce,omitempty"`
	AuthTime      timestamp    `dynamodbav:"auth_time,omitempty"`
	LoginID       string       `dynamodbav:"login_id,omitempty"`
	IssuedAt      timestamp    `dynamodbav:"issued_at,omitempty"`
	ExpiresAt     timestamp    `dynamodbav:"expires_at"`
	RedeemedAt    timestamp    `dynamodbav:"redeemed_at,omitempty"`
	SessionID     string       `dynamodbav:"session_id,omitempty"`
}

func toCodeItem(c tokens.AuthCode) codeItem {
	return codeItem{
		PK: hashKey(codePrefix, c.Hash), SK: skMeta, TTL: epochSeconds{c.ExpiresAt}, Hash: c.Hash,
		ClientID: c.ClientID, RedirectURI: c.RedirectURI, CodeChallenge: c.CodeChallenge, Subject: c.Subject,
		Scopes: c.Scopes, Resources: c.Resources, Nonce: c.Nonce, AuthTime: timestamp{c.AuthTime}, LoginID: c.LoginID,
		IssuedAt: timestamp{c.IssuedAt}, ExpiresAt: timestamp{c.ExpiresAt},
		RedeemedAt: timestamp{c.RedeemedAt}, SessionID: c.SessionID,
	}
}

// liveAt: a code is absent from its expiry on (after redemption, from its
// session's).
func (it codeItem) liveAt(now time.Time) bool { return it.ExpiresAt.After(now) }

func (it codeItem) value() tokens.AuthCode {
	return tokens.AuthCode{
		Hash: nilIfEmpty(it.Hash), ClientID: it.ClientID, RedirectURI: it.RedirectURI, CodeChallenge: it.CodeChallenge,
		Subject: it.Subject, Scopes: it.Scopes, Resources: it.Resources, Nonce: it.Nonce,
		AuthTime: it.AuthTime.Time, LoginID: it.LoginID, IssuedAt: it.IssuedAt.Time, ExpiresAt: it.ExpiresAt.Time,
		RedeemedAt: it.RedeemedAt.Time, SessionID: it.SessionID,
	}
}

// CreateCode stores an authorization code with one conditional PutItem;
// tokens.ErrAlreadyExists if its hash is taken.
func (s *Store) CreateCode(ctx context.Context, c tokens.AuthCode) error {
	if len(c.Hash) == 0 || c.ExpiresAt.IsZero() {
		return errors.New("dynamo: create code: no hash or expiry")
	}
	return s.putNew(ctx, "create code", toCodeItem(c))
}

// RedeemCode redeems a code with one conditional UpdateItem (RFC 6749
// §4.1.2: single use): on condition liveNow, attribute_not_exists
// (redeemed_at) and client_id, redirect_uri and code_challenge equal to
// r's, it sets redeemed_at and session_id and moves ttl and expires_at to
// r.KeepUntil. Of concurrent redemptions exactly one wins. A failed
// condition returns the stored code (ALL_OLD) with tokens.ErrConflict, or
// tokens.ErrNotFound when there is none or it has expired.
func (s *Store) RedeemCode(ctx context.Context, r tokens.CodeRedemption) (tokens.AuthCode, error) {
	const op = "redeem code"
	now := s.now()
	cond := liveNow(now).
		And(expression.AttributeNotExists(expression.Name(attrRedeemedAt))).
		And(expression.Name(attrClientID).Equal(expression.Value(r.ClientID))).
		And(expression.Name(attrRedirectURI).Equal(expression.Value(r.RedirectURI))).
		And(expression.Name(attrCodeChallenge).Equal(expression.Value(r.CodeChallenge)))
	upd := expression.
		Set(expression.Name(attrRedeemedAt), expression.Value(timestamp{r.At})).
		Set(expression.Name(attrSessionID), expression.Value(r.SessionID)).
		Set(expression.Name(attrTTL), expression.Value(epochSeconds{r.KeepUntil})).
		Set(expression.Name(attrExpiresAt), expression.Value(timestamp{r.KeepUntil}))
	item, lost, err := s.update(ctx, op, hashKey(codePrefix, r.Hash), expression.NewBuilder().WithCondition(cond).WithUpdate(upd))
	switch {
	case lost:
		return s.lostRedemption(op, item)
	case err != nil:
		return tokens.AuthCode{}, err
	}
	c, err := decodeItem[codeItem](item)
	if err != nil {
		return tokens.AuthCode{}, fmt.Errorf("dynamo: %s: %w", op, err)
	}
	return c, nil
}

// lostRedemption explains a failed redemption from the item as stored.
func (s *Store) lostRedemption(op string, old map[string]types.AttributeValue) (tokens.AuthCode, error) {
	c, err := decodeLive[codeItem](old, s.now())
	if err != nil {
		return tokens.AuthCode{}, fmt.Errorf("dynamo: %s: %w", op, err)
	}
	return c, fmt.Errorf("dynamo: %s: %w", op, tokens.ErrConflict)
}
