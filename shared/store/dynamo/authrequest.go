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
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/latchkey/latchkey/shared/tokens"
)

// The browser sign-in's items (docs/design.md §10). Pending requests, codes and
// login sessions live in partitions named after the base64url SHA-256 of
// their secret; each has a ttl (rounded up) and the exact expiry, which
// decides reads and writes. Consents live in CONSENT#<subject> under sort
// key CLIENT#<client>, so a subject's consents are one partition.
const (
	authRequestPrefix = "AUTHREQ#"
	codePrefix        = "CODE#"
	loginPrefix       = "LOGIN#"
	consentPrefix     = "CONSENT#"
	consentSKPrefix   = "CLIENT#"
)

// Attribute names the sign-in's expressions use.
const (
	attrRedirectURI   = "redirect_uri"
	attrCodeChallenge = "code_challenge"
	attrRedeemedAt    = "redeemed_at"
	attrSessionID     = "session_id"
	attrScopes        = "scopes"
	attrGrantedAt     = "granted_at"
)

func hashKey(prefix string, hash []byte) string {
	return prefix + base64.RawURLEncoding.EncodeToString(hash)
}

// authRequestItem is a tokens.AuthRequest as stored.
type authRequestItem struct {
	PK            string       `dynamodbav:"PK"`
	SK            string       `dynamodbav:"SK"`
	TTL           epochSeconds `dynamodbav:"ttl"`
	Hash          []byte       `dynamodbav:"hash"`
	ClientID      string       `dynamodbav:"client_id"`
	ClientName    string       `dynamodbav:"client_name,omitempty"`
	FirstParty    bool         `dynamodbav:"first_party,omitempty"`
	RedirectURI   string       `dynamodbav:"redirect_uri"`
	State         string       `dynamodbav:"state,omitempty"`
	Scopes        []string     `dynamodbav:"scopes,omitempty"`
	Resources     []string     `dynamodbav:"resources,omitempty"`
	Nonce         string       `dynamodbav:"nonce,omitempty"`
	CodeChallenge string       `dynamodbav:"code_challenge"`
	LoginHint     string       `dynamodbav:"login_hint,omitempty"`
	ForceConsent  bool         `dynamodbav:"force_consent,omitempty"`
	CSRFHash      []byte       `dynamodbav:"csrf_hash,omitempty"`
	DeviceHash    []byte       `dynamodbav:"device_hash,omitempty"`
	CreatedAt     timestamp    `dynamodbav:"created_at,omitempty"`
	ExpiresAt     timestamp    `dynamodbav:"expires_at"`
}

func toAuthRequestItem(r tokens.AuthRequest) authRequestItem {
	return authRequestItem{
		PK: hashKey(authRequestPrefix, r.Hash), SK: skMeta, TTL: epochSeconds{r.ExpiresAt}, Hash: r.Hash,
		ClientID: r.ClientID, ClientName: r.ClientName, FirstParty: r.FirstParty, RedirectURI: r.RedirectURI,
		State: r.State, Scopes: r.Scopes, Resources: r.Resources, Nonce: r.Nonce, CodeChallenge: r.CodeChallenge,
		LoginHint: r.LoginHint, ForceConsent: r.ForceConsent, CSRFHash: r.CSRFHash, DeviceHash: r.DeviceHash,
		CreatedAt: timestamp{r.CreatedAt}, ExpiresAt: timestamp{r.ExpiresAt},
	}
}

// liveAt: a pending request is absent from its expiry on.
func (it authRequestItem) liveAt(now time.Time) bool { return it.ExpiresAt.After(now) }

func (it authRequestItem) value() tokens.AuthRequest {
	return tokens.AuthRequest{
		Hash: nilIfEmpty(it.Hash), ClientID: it.ClientID, ClientName: it.ClientName, FirstParty: it.FirstParty,
		RedirectURI: it.RedirectURI, State: it.State, Scopes: it.Scopes, Resources: it.Resources, Nonce: it.Nonce,
		CodeChallenge: it.CodeChallenge, LoginHint: it.LoginHint, ForceConsent: it.ForceConsent,
		CSRFHash: nilIfEmpty(it.CSRFHash), DeviceHash: nilIfEmpty(it.DeviceHash), CreatedAt: it.CreatedAt.Time, ExpiresAt: it.ExpiresAt.Time,
	}
}

// CreateAuthRequest stores a pending request with one conditional PutItem
// (attribute_not_exists(PK)); tokens.ErrAlreadyExists if its hash is taken.
func (s *Store) CreateAuthRequest(ctx context.Context, r tokens.AuthRequest) error {
	if len(r.Hash) == 0 || r.ExpiresAt.IsZero() {
		return errors.New("dynamo: create auth request: no hash or expiry")
	}
	return s.putNew(ctx, "create auth request", toAuthRequestItem(r))
}

// GetAuthRequest reads a pending request (strongly consistent);
// tokens.ErrNotFound when it is missing or has expired.
func (s *Store) GetAuthRequest(ctx context.Context, hash []byte) (tokens.AuthRequest, error) {
	return getLive[authRequestItem](ctx, s, "get auth request", itemKey(hashKey(authRequestPrefix, hash)))
}

// FinishAuthRequest deletes a pending request on condition liveNow and
// writes what it led to, in one TransactWriteItems: a Put of the code and
// of the login session (each on attribute_not_exists(PK)) and an Update of
// the consent that adds its scopes. Alone, the delete is one DeleteItem.
// A request already finished or expired is tokens.ErrNotFound, and then
// nothing is written; a taken code or login hash is
// tokens.ErrAlreadyExists. The SDK resends a retried transaction with the
// same ClientRequestToken, so a lost answer does not turn a success into
// an error.
func (s *Store) FinishAuthRequest(ctx context.Context, hash []byte, w tokens.AuthWrites) error {
	const op = "finish auth request"
	items, err := s.finishItems(hash, w)
	if err != nil {
		return fmt.Errorf("dynamo: %s: %w", op, err)
	}
	if len(items) == 1 {
		return s.deleteRequest(ctx, op, items[0].Delete)
	}
	_, err = s.api.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
	reasons, lost := lostCondition(err)
	switch {
	case !lost && err != nil:
		return fmt.Errorf("dynamo: %s: %w", op, err)
	case !lost:
		return nil
	case conditionFailed(reasons[0]):
		return fmt.Errorf("dynamo: %s: %w", op, tokens.ErrNotFound)
	}
	// Another action's condition failed: a Put's, on a taken hash.
	return fmt.Errorf("dynamo: %s: %w", op, tokens.ErrAlreadyExists)
}

func (s *Store) deleteRequest(ctx context.Context, op string, d *types.Delete) error {
	_, err := s.api.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName: d.TableName, Key: d.Key, ConditionExpression: d.ConditionExpression,
		ExpressionAttributeNames: d.ExpressionAttributeNames, ExpressionAttributeValues: d.ExpressionAttributeValues,
	})
	if isConditionFailed(err) {
		return fmt.Errorf("dynamo: %s: %w", op, tokens.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("dynamo: %s: %w", op, err)
	}
	return nil
}

// finishItems builds the transaction: the Delete first (its cancellation
// reason comes first), then the code, the login and the consent.
func (s *Store) finishItems(hash []byte, w tokens.AuthWrites) ([]types.TransactWriteItem, error) {
	del, err := expression.NewBuilder().WithCondition(liveNow(s.now())).Build()
	if err != nil {
		return nil, err
	}
	items := []types.TransactWriteItem{{Delete: &types.Delete{
		TableName: aws.String(s.table), Key: itemKey(hashKey(authRequestPrefix, hash)),
		ConditionExpression: del.Condition(), ExpressionAttributeNames: del.Names(), ExpressionAttributeValues: del.Values(),
	}}}
	var puts []any
	if w.Code != nil {
		puts = append(puts, toCodeItem(*w.Code))
	}
	if w.Login != nil {
		puts = append(puts, toLoginItem(*w.Login))
	}
	for _, p := range puts {
		put, err := s.newItemPut(p)
		if err != nil {
			return nil, err
		}
		items = append(items, types.TransactWriteItem{Put: put})
	}
	if w.Consent != nil {
		upd, err := s.consentUpdate(*w.Consent)
		if err != nil {
			return nil, err
		}
		items = append(items, types.TransactWriteItem{Update: upd})
	}
	return items, nil
}
