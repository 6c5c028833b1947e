package dynamo

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/latchkey/latchkey/shared/tokens"
)

// The signing key set is one item, KEYSET/META, holding every key and a
// version number, so that a rotation is one conditional put: two Lambda
// containers can never both promote a key. docs/design.md §6 suggests one item
// per key; the port (tokens.KeyStore) wants the whole set versioned, and a
// handful of keys is far below the 400 KB item limit.
const keySetPK = "KEYSET"

// keySetItem is a tokens.KeySet as stored.
type keySetItem struct {
	PK      string      `dynamodbav:"PK"`
	SK      string      `dynamodbav:"SK"`
	Version int         `dynamodbav:"version"`
	Keys    []keyRecord `dynamodbav:"keys"`
}

// keyRecord is a tokens.KeyRecord as stored, one map in the keys list.
type keyRecord struct {
	KID              string    `dynamodbav:"kid"`
	Alg              string    `dynamodbav:"alg"`
	State            string    `dynamodbav:"state"`
	PublicJWK        []byte    `dynamodbav:"public_jwk,omitempty"`
	SealedPrivateJWK []byte    `dynamodbav:"sealed_private_jwk,omitempty"`
	CreatedAt        timestamp `dynamodbav:"created_at,omitempty"`
	ActivatedAt      timestamp `dynamodbav:"activated_at,omitempty"`
	RetiredAt        timestamp `dynamodbav:"retired_at,omitempty"`
}

func toKeySetItem(ks tokens.KeySet) keySetItem {
	it := keySetItem{PK: keySetPK, SK: skMeta, Version: ks.Version, Keys: []keyRecord{}}
	for _, k := range ks.Keys {
		it.Keys = append(it.Keys, keyRecord{
			KID: k.KID, Alg: k.Alg, State: k.State,
			PublicJWK: k.PublicJWK, SealedPrivateJWK: k.SealedPrivateJWK,
			CreatedAt: timestamp{k.CreatedAt}, ActivatedAt: timestamp{k.ActivatedAt},
			RetiredAt: timestamp{k.RetiredAt},
		})
	}
	return it
}

func (it keySetItem) liveAt(time.Time) bool { return true }

func (it keySetItem) value() tokens.KeySet {
	ks := tokens.KeySet{Version: it.Version}
	for _, r := range it.Keys {
		ks.Keys = append(ks.Keys, tokens.KeyRecord{
			KID: r.KID, Alg: r.Alg, State: r.State,
			PublicJWK: nilIfEmpty(r.PublicJWK), SealedPrivateJWK: nilIfEmpty(r.SealedPrivateJWK),
			CreatedAt: r.CreatedAt.Time, ActivatedAt: r.ActivatedAt.Time, RetiredAt: r.RetiredAt.Time,
		})
	}
	return ks
}

// GetKeySet returns the key set with a strongly consistent read, or
// tokens.ErrNotFound when none has been written yet.
func (s *Store) GetKeySet(ctx context.Context) (tokens.KeySet, error) {
	return getLive[keySetItem](ctx, s, "get key set", itemKey(keySetPK))
}

// PutKeySet replaces the key set on condition that the stored version is
// expectVersion, or that none exists when expectVersion is 0. A lost race
// is tokens.ErrConflict. ks.Version must be expectVersion+1.
func (s *Store) PutKeySet(ctx context.Context, ks tokens.KeySet, expectVersion int) error {
	if ks.Version != expectVersion+1 {
		return fmt.Errorf("dynamo: put key set: version %d after %d, want %d", ks.Version, expectVersion, expectVersion+1)
	}
	av, err := encodeItem(toKeySetItem(ks))
	if err != nil {
		return fmt.Errorf("dynamo: put key set: encode: %w", err)
	}
	cond := keyFree()
	if expectVersion != 0 {
		cond = expression.Name(attrVersion).Equal(expression.Value(expectVersion))
	}
	expr, err := expression.NewBuilder().WithCondition(cond).Build()
	if err != nil {
		return fmt.Errorf("dynamo: put key set: %w", err)
	}
	_, err = s.api.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:                 aws.String(s.table),
		Item:                      av,
		ConditionExpression:       expr.Condition(),
		ExpressionAttributeNames:  expr.Names(),
		ExpressionAttributeValues: expr.Values(),
	})
	if isConditionFailed(err) {
		return fmt.Errorf("dynamo: put key set: %w", tokens.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("dynamo: put key set: %w", err)
	}
	return nil
}
