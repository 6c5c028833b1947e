package main

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go/middleware"
)

// meter is an SDK middleware that asks DynamoDB for the capacity every
// call consumes (ReturnConsumedCapacity INDEXES: the table's and each
// index's) and adds it up, with the calls per operation.
type meter struct {
	mu    sync.Mutex
	calls map[string]int
	usage usage
}

// usage is consumed capacity: read and write units of the table and of
// its global secondary indexes. billedRead is what DynamoDB bills for the
// reads: DynamoDB Local reports nothing for a key it does not find, but
// DynamoDB charges every key read at least one unit (half for an
// eventually consistent read), found or not.
type usage struct {
	read, write, indexRead, indexWrite, billedRead float64
}

func newMeter() *meter { return &meter{calls: map[string]int{}} }

// option installs the meter on a DynamoDB client.
func (m *meter) option() func(*dynamodb.Options) {
	return func(o *dynamodb.Options) { o.APIOptions = append(o.APIOptions, m.addTo) }
}

func (m *meter) addTo(stack *middleware.Stack) error {
	step := middleware.InitializeMiddlewareFunc("LoadgenConsumedCapacity",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (
			middleware.InitializeOutput, middleware.Metadata, error,
		) {
			askForCapacity(in.Parameters)
			least := leastReadUnits(in.Parameters)
			out, md, err := next.HandleInitialize(ctx, in)
			m.record(middleware.GetOperationName(ctx), out.Result, least)
			return out, md, err
		})
	return stack.Initialize.Add(step, middleware.Before)
}

// askForCapacity sets ReturnConsumedCapacity on every data-plane input.
func askForCapacity(params any) {
	const indexes = types.ReturnConsumedCapacityIndexes
	switch in := params.(type) {
	case *dynamodb.GetItemInput:
		in.ReturnConsumedCapacity = indexes
	case *dynamodb.BatchGetItemInput:
		in.ReturnConsumedCapacity = indexes
	case *dynamodb.QueryInput:
		in.ReturnConsumedCapacity = indexes
	case *dynamodb.ScanInput:
		in.ReturnConsumedCapacity = indexes
	case *dynamodb.PutItemInput:
		in.ReturnConsumedCapacity = indexes
	case *dynamodb.UpdateItemInput:
		in.ReturnConsumedCapacity = indexes
	case *dynamodb.DeleteItemInput:
		in.ReturnConsumedCapacity = indexes
	case *dynamodb.BatchWriteItemInput:
		in.ReturnConsumedCapacity = indexes
	case *dynamodb.TransactWriteItemsInput:
		in.ReturnConsumedCapacity = indexes
	case *dynamodb.TransactGetItemsInput:
		in.ReturnConsumedCapacity = indexes
	}
}

// leastReadUnits is the least a read is billed: a unit per key read
// (GetItem, BatchGetItem) or per request (Query, Scan), half of one when
// eventually consistent.
func leastReadUnits(params any) float64 {
	unit := func(consistent *bool) float64 {
		if consistent != nil && *consistent {
			return 1
		}
		return 0.5
	}
	switch in := params.(type) {
	case *dynamodb.GetItemInput:
		return unit(in.ConsistentRead)
	case *dynamodb.BatchGetItemInput:
		var n float64
		for _, ka := range in.RequestItems {
			n += float64(len(ka.Keys)) * unit(ka.ConsistentRead)
		}
		return n
	case *dynamodb.QueryInput:
		return unit(in.ConsistentRead)
	case *dynamodb.ScanInput:
		return unit(in.ConsistentRead)
	}
	return 0
}

// consumed returns the ConsumedCapacity entries of an operation's output.
func consumed(result any) []types.ConsumedCapacity {
	one := func(c *types.ConsumedCapacity) []types.ConsumedCapacity {
		if c == nil {
			return nil
		}
		return []types.ConsumedCapacity{*c}
	}
	switch out := result.(type) {
	case *dynamodb.GetItemOutput:
		return one(out.ConsumedCapacity)
	case *dynamodb.QueryOutput:
		return one(out.ConsumedCapacity)
	case *dynamodb.ScanOutput:
		return one(out.ConsumedCapacity)
	case *dynamodb.PutItemOutput:
		return one(out.ConsumedCapacity)
	case *dynamodb.UpdateItemOutput:
		return one(out.ConsumedCapacity)
	case *dynamodb.DeleteItemOutput:
		return one(out.ConsumedCapacity)
	case *dynamodb.BatchGetItemOutput:
		return out.ConsumedCapacity
	case *dynamodb.BatchWriteItemOutput:
		return out.ConsumedCapacity
	case *dynamodb.TransactWriteItemsOutput:
		return out.ConsumedCapacity
	case *dynamodb.TransactGetItemsOutput:
		return out.ConsumedCapacity
	}
	return nil
}

var writeOps = []string{"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"}

func (m *meter) record(op string, result any, leastRead float64) {
	write := slices.Contains(writeOps, op)
	m.mu.Lock()
	defer m.mu.Unlock()
	m.calls[op]++
	var read float64
	for _, c := range consumed(result) {
		table := tableUnits(c)
		var index float64
		for _, gsi := range c.GlobalSecondaryIndexes {
			index += deref(gsi.CapacityUnits)
		}
		if write {
			m.usage.write += table
			m.usage.indexWrite += index
		} else {
			m.usage.read += table
			m.usage.indexRead += index
			read += table + index
		}
	}
	m.usage.billedRead += max(read, leastRead)
}

// tableUnits is the table's own share of a ConsumedCapacity: its Table
// entry when INDEXES detail is there, else the whole.
func tableUnits(c types.ConsumedCapacity) float64 {
	if c.Table != nil && c.Table.CapacityUnits != nil {
		return *c.Table.CapacityUnits
	}
	total := deref(c.CapacityUnits)
	for _, gsi := range c.GlobalSecondaryIndexes {
		total -= deref(gsi.CapacityUnits)
	}
	return total
}

func deref(f *float64) float64 {
	if f == nil {
		return 0
	}
	return *f
}

// take returns what was counted since the last take and starts again.
func (m *meter) take() (map[string]int, usage) {
	m.mu.Lock()
	defer m.mu.Unlock()
	calls, u := m.calls, m.usage
	m.calls, m.usage = map[string]int{}, usage{}
	return calls, u
}

// describeCalls renders calls as "GetItem + UpdateItem", "none" when empty.
func describeCalls(calls map[string]int) string {
	if len(calls) == 0 {
		return "none"
	}
	var parts []string
	for _, op := range slices.Sorted(maps.Keys(calls)) {
		if n := calls[op]; n == 1 {
			parts = append(parts, op)
		} else {
			parts = append(parts, fmt.Sprintf("%d× %s", n, op))
		}
	}
	return strings.Join(parts, " + ")
}

func countCalls(calls map[string]int) int {
	n := 0
	for _, c := range calls {
		n += c
	}
	return n
}
