package dynamo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// TableAPI is the part of the DynamoDB client that table management calls.
// *dynamodb.Client satisfies it.
type TableAPI interface {
	CreateTable(ctx context.Context, in *dynamodb.CreateTableInput, optFns ...func(*dynamodb.Options)) (*dynamodb.CreateTableOutput, error)
	DescribeTable(ctx context.Context, in *dynamodb.DescribeTableInput, optFns ...func(*dynamodb.Options)) (*dynamodb.DescribeTableOutput, error)
	DescribeTimeToLive(ctx context.Context, in *dynamodb.DescribeTimeToLiveInput, optFns ...func(*dynamodb.Options)) (*dynamodb.DescribeTimeToLiveOutput, error)
	UpdateTimeToLive(ctx context.Context, in *dynamodb.UpdateTimeToLiveInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateTimeToLiveOutput, error)
}

var _ TableAPI = (*dynamodb.Client)(nil)

// Waiting for a new table: DynamoDB Local answers ACTIVE at once, AWS within
// seconds to a minute.
const (
	tableWaitMin = 100 * time.Millisecond
	tableWaitMax = 5 * time.Second
	tableWaitFor = 3 * time.Minute
)

// CreateTable creates table name as the Table resource of templateYAML (the
// SAM template) defines it: attributes, key schema, global secondary
// indexes and billing mode, so that local and deployed tables never drift.
// An existing table is not an error. It returns once the table is ACTIVE.
//
// It does not turn on TTL, which the template also asks for: DynamoDB
// Local's TTL deleter stops for good on our sparse GSI (docs/design.md §9), so
// test tables run without it. Call EnableTTL where deletion is wanted.
func CreateTable(ctx context.Context, api TableAPI, name string, templateYAML []byte) error {
	props, err := tableFromTemplate(templateYAML)
	if err != nil {
		return fmt.Errorf("dynamo: create table: %w", err)
	}
	in, err := props.createInput(name)
	if err != nil {
		return fmt.Errorf("dynamo: create table: %w", err)
	}
	_, err = api.CreateTable(ctx, in)
	var inUse *types.ResourceInUseException
	if err != nil && !errors.As(err, &inUse) {
		return fmt.Errorf("dynamo: create table %s: %w", name, err)
	}
	waiter := dynamodb.NewTableExistsWaiter(api, func(o *dynamodb.TableExistsWaiterOptions) {
		o.MinDelay, o.MaxDelay = tableWaitMin, tableWaitMax
	})
	if err := waiter.Wait(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)}, tableWaitFor); err != nil {
		return fmt.Errorf("dynamo: wait for table %s: %w", name, err)
	}
	return nil
}

// EnableTTL turns on expiry by the ttl attribute for table name, unless it
// is already on or turning on.
func EnableTTL(ctx context.Context, api TableAPI, name string) error {
	desc, err := api.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String(name)})
	if err != nil {
		return fmt.Errorf("dynamo: describe ttl of %s: %w", name, err)
	}
	if d := desc.TimeToLiveDescription; d != nil {
		switch d.TimeToLiveStatus {
		case types.TimeToLiveStatusEnabled, types.TimeToLiveStatusEnabling:
			return nil
		}
	}
	_, err = api.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{
		TableName: aws.String(name),
		TimeToLiveSpecification: &types.TimeToLiveSpecification{
			AttributeName: aws.String(attrTTL),
			Enabled:       aws.Bool(true),
		},
	})
	if err != nil {
		return fmt.Errorf("dynamo: enable ttl on %s: %w", name, err)
	}
	return nil
}
