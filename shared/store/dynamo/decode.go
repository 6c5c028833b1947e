package dynamo

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/latchkey/latchkey/shared/tokens"
)

// storedItem is an item struct that decodes into the core's type T.
type storedItem[T any] interface {
	// value converts the item into the core's type.
	value() T
	// liveAt reports whether the item's exact expiry, if its kind has
	// one, is after now. The ttl, coarser, is decodeLive's to check.
	liveAt(now time.Time) bool
}

// decodeItem decodes an item a write returned (ALL_NEW, or ALL_OLD when
// the write's own condition decides): unmarshal, then convert.
func decodeItem[I storedItem[T], T any](av map[string]types.AttributeValue) (T, error) {
	it, err := unmarshalItem[I](av)
	if err != nil {
		var zero T
		return zero, err
	}
	return it.value(), nil
}

// decodeLive is every read's one way from a stored item to the core's
// type: tokens.ErrNotFound when av is missing or has expired at now, by
// its ttl or by its kind's exact expiry (docs/design.md §7.6); a
// "decode: …" error when it does not unmarshal as an I.
func decodeLive[I storedItem[T], T any](av map[string]types.AttributeValue, now time.Time) (T, error) {
	var zero T
	if !present(av, now) {
		return zero, tokens.ErrNotFound
	}
	it, err := unmarshalItem[I](av)
	if err != nil {
		return zero, err
	}
	if !it.liveAt(now) {
		return zero, tokens.ErrNotFound
	}
	return it.value(), nil
}

func unmarshalItem[I any](av map[string]types.AttributeValue) (I, error) {
	var it I
	if err := attributevalue.UnmarshalMap(av, &it); err != nil {
		return it, fmt.Errorf("decode: %w", err)
	}
	return it, nil
}

// getLive reads the item at key with a strongly consistent GetItem and
// decodes it with decodeLive.
func getLive[I storedItem[T], T any](ctx context.Context, s *Store, op string, key map[string]types.AttributeValue) (T, error) {
	out, err := s.api.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(s.table),
		Key:            key,
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		var zero T
		return zero, fmt.Errorf("dynamo: %s: %w", op, err)
	}
	v, err := decodeLive[I](out.Item, s.now())
	if err != nil {
		return v, fmt.Errorf("dynamo: %s: %w", op, err)
	}
	return v, nil
}

// expired reports whether item has a ttl that is not after now. An item
// without a ttl never expires.
func expired(item map[string]types.AttributeValue, now time.Time) bool {
	n, ok := item[attrTTL].(*types.AttributeValueMemberN)
	if !ok {
		return false
	}
	f, err := strconv.ParseFloat(n.Value, 64)
	if err != nil {
		return false
	}
	return f <= float64(now.UnixNano())/1e9
}

// present reports whether item exists and has not expired at now.
func present(item map[string]types.AttributeValue, now time.Time) bool {
	return len(item) > 0 && !expired(item, now)
}

// nilIfEmpty keeps a decoded empty byte slice from differing from the nil
// one written.
func nilIfEmpty(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return b
}
