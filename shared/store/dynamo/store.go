package dynamo

import (
	"context"
	"fmt"
	"reflect"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/latchkey/latchkey/shared/tokens"
)

// API is the part of the DynamoDB client that Store calls. *dynamodb.Client
// satisfies it; tests wrap it to inject faults.
type API interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	Query(ctx context.Context, in *dynamodb.QueryInput, optFns ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	BatchGetItem(ctx context.Context, in *dynamodb.BatchGetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error)
	TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, optFns ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error)
}

var _ API = (*dynamodb.Client)(nil)

// Store implements the core's storage ports on one DynamoDB table.
type Store struct {
	api   API
	table string
	now   func() time.Time
}

var (
	_ tokens.Store            = (*Store)(nil)
	_ tokens.KeyStore         = (*Store)(nil)
	_ tokens.AccessTokenStore = (*Store)(nil)
	_ tokens.LongLivedStore   = (*Store)(nil)
	_ tokens.SessionIndex     = (*Store)(nil)
)

// New returns a Store on table. now is the clock that decides whether an
// item's ttl has passed; nil means time.Now.
func New(api API, table string, now func() time.Time) *Store {
	if now == nil {
		now = time.Now
	}
	return &Store{api: api, table: table, now: now}
}

// skMeta is the sort key of every item but the revoked JWT ids.
const skMeta = "META"

// itemKey returns the primary key of the META item of partition pk.
func itemKey(pk string) map[string]types.AttributeValue {
	return keyOf(pk, skMeta)
}

// keyOf returns the primary key (pk, sk).
func keyOf(pk, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		attrPK: &types.AttributeValueMemberS{Value: pk},
		attrSK: &types.AttributeValueMemberS{Value: sk},
	}
}

// putNew writes item on condition that its key is free, mapping a lost
// condition to tokens.ErrAlreadyExists. When the item found is exactly the
// one being written, the write had already happened — a retry by the SDK
// after a lost answer — and putNew succeeds: every item it creates holds
// a random value, so no other writer can have written the same one.
func (s *Store) putNew(ctx context.Context, op string, item any) error {
	put, err := s.newItemPut(item)
	if err != nil {
		return fmt.Errorf("dynamo: %s: %w", op, err)
	}
	_, err = s.api.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:                           put.TableName,
		Item:                                put.Item,
		ConditionExpression:                 put.ConditionExpression,
		ExpressionAttributeNames:            put.ExpressionAttributeNames,
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	})
	if reasons, lost := lostCondition(err); lost {
		if sameItem(reasons[0].Item, put.Item) {
			return nil
		}
		return fmt.Errorf("dynamo: %s: %w", op, tokens.ErrAlreadyExists)
	}
	if err != nil {
		return fmt.Errorf("dynamo: %s: %w", op, err)
	}
	return nil
}

// newItemPut is the Put of a new item on condition keyFree, for putNew
// and for transactions.
func (s *Store) newItemPut(item any) (*types.Put, error) {
	av, err := encodeItem(item)
	if err != nil {
		return nil, fmt.Errorf("encode: %w", err)
	}
	expr, err := expression.NewBuilder().WithCondition(keyFree()).Build()
	if err != nil {
		return nil, err
	}
	return &types.Put{
		TableName: aws.String(s.table), Item: av,
		ConditionExpression: expr.Condition(), ExpressionAttributeNames: expr.Names(),
	}, nil
}

// sameItem reports whether a stored item is exactly the one written.
func sameItem(stored, written map[string]types.AttributeValue) bool {
	return len(stored) > 0 && reflect.DeepEqual(stored, written)
}

// update is updateKey on the META item of partition pk.
func (s *Store) update(ctx context.Context, op, pk string, b expression.Builder) (item map[string]types.AttributeValue, lost bool, err error) {
	return s.updateKey(ctx, op, itemKey(pk), b)
}

// updateKey runs one UpdateItem on the item at key and returns the item
// after the write (ALL_NEW). When the condition fails, lost is true and
// item is the stored item (ALL_OLD, possibly empty); callers turn that
// into the sentinel the stored item explains.
func (s *Store) updateKey(ctx context.Context, op string, key map[string]types.AttributeValue, b expression.Builder) (item map[string]types.AttributeValue, lost bool, err error) {
	expr, err := b.Build()
	if err != nil {
		return nil, false, fmt.Errorf("dynamo: %s: %w", op, err)
	}
	out, err := s.api.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                           aws.String(s.table),
		Key:                                 key,
		ConditionExpression:                 expr.Condition(),
		UpdateExpression:                    expr.Update(),
		ExpressionAttributeNames:            expr.Names(),
		ExpressionAttributeValues:           expr.Values(),
		ReturnValues:                        types.ReturnValueAllNew,
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	})
	if reasons, lost := lostCondition(err); lost {
		return reasons[0].Item, true, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("dynamo: %s: %w", op, err)
	}
	return out.Attributes, false, nil
}

// updateExisting runs update on condition existsNow and maps a failed
// condition to tokens.ErrNotFound: for these writes nothing else can fail.
func (s *Store) updateExisting(ctx context.Context, op, pk string, upd expression.UpdateBuilder) (map[string]types.AttributeValue, error) {
	b := expression.NewBuilder().WithUpdate(upd).WithCondition(existsNow(s.now()))
	item, lost, err := s.update(ctx, op, pk, b)
	if lost {
		return nil, fmt.Errorf("dynamo: %s: %w", op, tokens.ErrNotFound)
	}
	return item, err
}
