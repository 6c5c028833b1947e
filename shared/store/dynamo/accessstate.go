package dynamo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/latchkey/latchkey/shared/tokens"
)

// A BatchGetItem may return some keys unprocessed (when DynamoDB throttles
// or a response would pass 16 MB). AccessState asks again for those keys
// only, after a short exponential backoff, at most batchAttempts requests
// in all; with three small items this never happens in practice.
const (
	batchAttempts = 4
	batchBackoff  = 20 * time.Millisecond
)

// AccessState reads every item q names — JTI#<jti>/REVOKED,
// AT#<hash>/META, SESSION#<sid>/META — in one strongly consistent
// BatchGetItem, the introspection budget (docs/design.md §6). A second request
// is sent only for keys DynamoDB returns as unprocessed. Items whose ttl
// (or exact expiry) is not after the store's clock are absent. A query
// naming nothing sends no request.
func (s *Store) AccessState(ctx context.Context, q tokens.AccessStateQuery) (tokens.AccessState, error) {
	const op = "access state"
	keys := accessKeys(q)
	if len(keys) == 0 {
		return tokens.AccessState{}, nil
	}
	items, err := s.batchGet(ctx, op, keys)
	if err != nil {
		return tokens.AccessState{}, err
	}
	now := s.now()
	var st tokens.AccessState
	if q.JTI != "" {
		st.JTIRevoked = jtiRevoked(items[jtiPK(q.JTI)], now)
	}
	if len(q.ReferenceHash) > 0 {
		ref, err := decodeLive[referenceItem](items[referencePK(q.ReferenceHash)], now)
		if err != nil && !errors.Is(err, tokens.ErrNotFound) {
			return tokens.AccessState{}, fmt.Errorf("dynamo: %s: %w", op, err)
		}
		if err == nil {
			st.Reference = &ref
		}
	}
	if q.SessionID != "" {
		sess, err := decodeLive[sessionItem](items[sessionPK(q.SessionID)], now)
		if err != nil && !errors.Is(err, tokens.ErrNotFound) {
			return tokens.AccessState{}, fmt.Errorf("dynamo: %s: %w", op, err)
		}
		if err == nil {
			st.Session = &sess
		}
	}
	return st, nil
}

// accessKeys returns the primary keys of the items q names.
func accessKeys(q tokens.AccessStateQuery) []map[string]types.AttributeValue {
	var keys []map[string]types.AttributeValue
	if q.JTI != "" {
		keys = append(keys, keyOf(jtiPK(q.JTI), skRevoked))
	}
	if len(q.ReferenceHash) > 0 {
		keys = append(keys, itemKey(referencePK(q.ReferenceHash)))
	}
	if q.SessionID != "" {
		keys = append(keys, itemKey(sessionPK(q.SessionID)))
	}
	return keys
}

// batchGet reads keys (at most 100, each in its own partition) with
// strongly consistent BatchGetItem requests and returns the items found by
// partition key. It asks again only for unprocessed keys, at most
// batchAttempts requests in all.
func (s *Store) batchGet(ctx context.Context, op string, keys []map[string]types.AttributeValue) (map[string]map[string]types.AttributeValue, error) {
	found := make(map[string]map[string]types.AttributeValue, len(keys))
	pending := keys
	for attempt := 0; len(pending) > 0; attempt++ {
		if attempt == batchAttempts {
			return nil, fmt.Errorf("dynamo: %s: %d keys unprocessed after %d requests", op, len(pending), attempt)
		}
		if attempt > 0 {
			if err := sleep(ctx, batchBackoff<<(attempt-1)); err != nil {
				return nil, fmt.Errorf("dynamo: %s: %w", op, err)
			}
		}
		out, err := s.api.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{
			RequestItems: map[string]types.KeysAndAttributes{
				s.table: {Keys: pending, ConsistentRead: aws.Bool(true)},
			},
		})
		if err != nil {
			return nil, fmt.Errorf("dynamo: %s: %w", op, err)
		}
		for _, item := range out.Responses[s.table] {
			if pk, ok := item[attrPK].(*types.AttributeValueMemberS); ok {
				found[pk.Value] = item
			}
		}
		pending = out.UnprocessedKeys[s.table].Keys
	}
	return found, nil
}

// sleep waits for d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// jtiRevoked reports whether av is a revocation-list entry in force at
// now: present, and its exact expiry (when stored) after now. An entry
// that does not decode stays in force: a revocation fails closed.
func jtiRevoked(av map[string]types.AttributeValue, now time.Time) bool {
	_, err := decodeLive[revokedJTIItem](av, now)
	return !errors.Is(err, tokens.ErrNotFound)
}
