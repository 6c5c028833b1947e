package dynamo

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/latchkey/latchkey/shared/tokens"
)

// Device authorizations (RFC 8628, docs/design.md §10) live in
// DEVICE#<SHA-256 of the device code>, kept an hour past their expiry so
// that a late poll is answered expired_token, with a copy made at
// creation in USERCODE#<HMAC of the user code> that lives until the
// expiry. Only the DEVICE# item changes. The poll times are Numbers of
// nanoseconds, so that one UpdateItem can add the interval to them.
const (
	devicePrefix   = "DEVICE#"
	userCodePrefix = "USERCODE#"
	attrNextPoll   = "next_poll_ns"
	attrInterval   = "interval_ns"
	attrAuthTime   = "auth_time"
	attrLoginID    = "login_id"
	attrDecidedAt  = "decided_at"
)

// deviceItem is a tokens.DeviceGrant as stored, under either key.
type deviceItem struct {
	PK           string       `dynamodbav:"PK"`
	SK           string       `dynamodbav:"SK"`
	TTL          epochSeconds `dynamodbav:"ttl"`
	Hash         []byte       `dynamodbav:"hash"`
	UserCodeHash []byte       `dynamodbav:"user_code_hash"`
	ClientID     string       `dynamodbav:"client_id"`
	ClientName   string       `dynamodbav:"client_name,omitempty"`
	Scopes       []string     `dynamodbav:"scopes,omitempty"`
	Resources    []string     `dynamodbav:"resources,omitempty"`
	Status       string       `dynamodbav:"status"`
	Subject      string       `dynamodbav:"subject,omitempty"`
	AuthTime     timestamp    `dynamodbav:"auth_time,omitempty"`
	LoginID      string       `dynamodbav:"login_id,omitempty"`
	IntervalNS   int64        `dynamodbav:"interval_ns"`
	NextPollNS   int64        `dynamodbav:"next_poll_ns"`
	CreatedAt    timestamp    `dynamodbav:"created_at"`
	ExpiresAt    timestamp    `dynamodbav:"expires_at"`
	DecidedAt    timestamp    `dynamodbav:"decided_at,omitempty"`
	SessionID    string       `dynamodbav:"session_id,omitempty"`
}

func toDeviceItem(g tokens.DeviceGrant, prefix string, hash []byte, until time.Time) deviceItem {
	return deviceItem{
		PK: hashKey(prefix, hash), SK: skMeta, TTL: epochSeconds{until}, Hash: g.Hash, UserCodeHash: g.UserCodeHash,
		ClientID: g.ClientID, ClientName: g.ClientName, Scopes: g.Scopes, Resources: g.Resources, Status: g.Status,
		Subject: g.Subject, AuthTime: timestamp{g.AuthTime}, LoginID: g.LoginID,
		IntervalNS: int64(g.Interval), NextPollNS: unixNano(g.NextPollAt),
		CreatedAt: timestamp{g.CreatedAt}, ExpiresAt: timestamp{g.ExpiresAt}, DecidedAt: timestamp{g.DecidedAt}, SessionID: g.SessionID,
	}
}

func unixNano(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// liveAt: a user code is absent from the grant's expiry on, the grant an
// hour later.
func (it deviceItem) liveAt(now time.Time) bool {
	if strings.HasPrefix(it.PK, userCodePrefix) {
		return it.ExpiresAt.After(now)
	}
	return it.ExpiresAt.Add(time.Hour).After(now)
}

func (it deviceItem) value() tokens.DeviceGrant {
	g := tokens.DeviceGrant{
		Hash: nilIfEmpty(it.Hash), UserCodeHash: nilIfEmpty(it.UserCodeHash), ClientID: it.ClientID, ClientName: it.ClientName,
		Scopes: it.Scopes, Resources: it.Resources, Status: it.Status, Subject: it.Subject, AuthTime: it.AuthTime.Time,
		LoginID: it.LoginID, Interval: time.Duration(it.IntervalNS), CreatedAt: it.CreatedAt.Time,
		ExpiresAt: it.ExpiresAt.Time, DecidedAt: it.DecidedAt.Time, SessionID: it.SessionID,
	}
	if it.NextPollNS != 0 {
		g.NextPollAt = time.Unix(0, it.NextPollNS).UTC()
	}
	return g
}

// CreateDeviceGrant writes both items in one TransactWriteItems, each on
// attribute_not_exists(PK); tokens.ErrAlreadyExists when either is taken.
func (s *Store) CreateDeviceGrant(ctx context.Context, g tokens.DeviceGrant) error {
	const op = "create device grant"
	if len(g.Hash) == 0 || len(g.UserCodeHash) == 0 || g.ExpiresAt.IsZero() {
		return errors.New("dynamo: create device grant: no hash or expiry")
	}
	var items []types.TransactWriteItem
	for _, it := range []deviceItem{
		toDeviceItem(g, devicePrefix, g.Hash, g.KeepUntil()),
		toDeviceItem(g, userCodePrefix, g.UserCodeHash, g.ExpiresAt),
	} {
		put, err := s.newItemPut(it)
		if err != nil {
			return fmt.Errorf("dynamo: %s: %w", op, err)
		}
		items = append(items, types.TransactWriteItem{Put: put})
	}
	_, err := s.api.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
	if _, lost := lostCondition(err); lost {
		return fmt.Errorf("dynamo: %s: %w", op, tokens.ErrAlreadyExists)
	}
	if err != nil {
		return fmt.Errorf("dynamo: %s: %w", op, err)
	}
	return nil
}

// GetDeviceByUserCode reads the USERCODE# item (strongly consistent).
func (s *Store) GetDeviceByUserCode(ctx context.Context, userCodeHash []byte) (tokens.DeviceGrant, error) {
	return getLive[deviceItem](ctx, s, "get device by user code", itemKey(hashKey(userCodePrefix, userCodeHash)))
}

// DecideDevice writes the decision with one UpdateItem on condition
// existsNow, status pending and expires_at after d.At.
func (s *Store) DecideDevice(ctx context.Context, hash []byte, d tokens.DeviceDecision) error {
	const op = "decide device"
	now := s.now()
	cond := existsNow(now).
		And(expression.Name(attrStatus).Equal(expression.Value(tokens.DevicePending))).
		And(after(attrExpiresAt, d.At))
	upd := expression.Set(expression.Name(attrStatus), expression.Value(d.Status)).
		Set(expression.Name(attrSubject), expression.Value(d.Subject)).
		Set(expression.Name(attrAuthTime), expression.Value(timestamp{d.AuthTime})).
		Set(expression.Name(attrLoginID), expression.Value(d.LoginID)).
		Set(expression.Name(attrDecidedAt), expression.Value(timestamp{d.At}))
	item, lost, err := s.update(ctx, op, hashKey(devicePrefix, hash), expression.NewBuilder().WithCondition(cond).WithUpdate(upd))
	if err != nil || !lost {
		return err
	}
	if _, err := decodeLive[deviceItem](item, now); err != nil {
		return fmt.Errorf("dynamo: %s: %w", op, err)
	}
	return fmt.Errorf("dynamo: %s: %w", op, tokens.ErrConflict)
}

// PollDevice records a poll with one UpdateItem (ALL_NEW): on condition
// existsNow, client_id and next_poll_ns ≤ at it sets next_poll_ns to at +
// interval_ns. A poll too early of the client's grant is a second
// UpdateItem that adds slowDown to interval_ns and sets next_poll_ns.
func (s *Store) PollDevice(ctx context.Context, hash []byte, clientID string, at time.Time, slowDown time.Duration) (tokens.DeviceGrant, error) {
	const op = "poll device"
	now := s.now()
	cond := existsNow(now).
		And(expression.Name(attrClientID).Equal(expression.Value(clientID))).
		And(expression.Name(attrNextPoll).LessThanEqual(expression.Value(at.UnixNano())))
	upd := expression.Set(expression.Name(attrNextPoll), expression.Plus(expression.Value(at.UnixNano()), expression.Name(attrInterval)))
	pk := hashKey(devicePrefix, hash)
	item, lost, err := s.update(ctx, op, pk, expression.NewBuilder().WithCondition(cond).WithUpdate(upd))
	if err != nil {
		return tokens.DeviceGrant{}, err
	}
	if !lost {
		return decodeDevice(op, item, nil)
	}
	g, err := decodeLive[deviceItem](item, now)
	switch {
	case err != nil:
		return tokens.DeviceGrant{}, fmt.Errorf("dynamo: %s: %w", op, err)
	case g.ClientID != clientID:
		return g, fmt.Errorf("dynamo: %s: %w", op, tokens.ErrConflict)
	}
	return s.slowDown(ctx, pk, at, slowDown)
}

// slowDown raises a grant's interval by by and sets its next poll.
func (s *Store) slowDown(ctx context.Context, pk string, at time.Time, by time.Duration) (tokens.DeviceGrant, error) {
	const op = "slow down device"
	upd := expression.Set(expression.Name(attrInterval), expression.Plus(expression.Name(attrInterval), expression.Value(int64(by)))).
		Set(expression.Name(attrNextPoll), expression.Plus(expression.Value(at.Add(by).UnixNano()), expression.Name(attrInterval)))
	item, err := s.updateExisting(ctx, op, pk, upd)
	if err != nil {
		return tokens.DeviceGrant{}, err
	}
	return decodeDevice(op, item, tokens.ErrConflict)
}

// RedeemDevice marks the grant used with one UpdateItem on condition
// existsNow and status approved.
func (s *Store) RedeemDevice(ctx context.Context, hash []byte, sessionID string, _ time.Time) (tokens.DeviceGrant, error) {
	const op = "redeem device"
	now := s.now()
	cond := existsNow(now).And(expression.Name(attrStatus).Equal(expression.Value(tokens.DeviceApproved)))
	upd := expression.Set(expression.Name(attrStatus), expression.Value(tokens.DeviceUsed)).
		Set(expression.Name(attrSessionID), expression.Value(sessionID))
	item, lost, err := s.update(ctx, op, hashKey(devicePrefix, hash), expression.NewBuilder().WithCondition(cond).WithUpdate(upd))
	switch {
	case err != nil:
		return tokens.DeviceGrant{}, err
	case !lost:
		return decodeDevice(op, item, nil)
	}
	g, err := decodeLive[deviceItem](item, now)
	if err != nil {
		return tokens.DeviceGrant{}, fmt.Errorf("dynamo: %s: %w", op, err)
	}
	return g, fmt.Errorf("dynamo: %s: %w", op, tokens.ErrConflict)
}

// decodeDevice decodes the item a write returned, with the sentinel want
// (nil for none).
func decodeDevice(op string, item map[string]types.AttributeValue, want error) (tokens.DeviceGrant, error) {
	g, err := decodeItem[deviceItem](item)
	if err != nil {
		return tokens.DeviceGrant{}, fmt.Errorf("dynamo: %s: %w", op, err)
	}
	if want != nil {
		return g, fmt.Errorf("dynamo: %s: %w", op, want)
	}
	return g, nil
}
