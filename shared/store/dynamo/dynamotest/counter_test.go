package dynamotest

import (
	"maps"
	"sync"
	"testing"
)

func TestCounter(t *testing.T) {
	c := NewCounter()
	calls := map[string]int{
		"GetItem": 3, "Query": 2, "Scan": 1, "BatchGetItem": 1,
		"PutItem": 2, "UpdateItem": 4, "DeleteItem": 1, "TransactWriteItems": 1,
		"DescribeTable": 5,
	}
	var wg sync.WaitGroup
	for op, n := range calls {
		for range n {
			wg.Go(func() { c.add(op) })
		}
	}
	wg.Wait()
	if got, want := c.Reads(), 7; got != want {
		t.Errorf("Reads() = %d; want %d", got, want)
	}
	if got, want := c.Writes(), 8; got != want {
		t.Errorf("Writes() = %d; want %d", got, want)
	}
	if got := c.Ops(); !maps.Equal(got, calls) {
		t.Errorf("Ops() = %v; want %v", got, calls)
	}
	c.Reset()
	if r, w, ops := c.Reads(), c.Writes(), c.Ops(); r != 0 || w != 0 || len(ops) != 0 {
		t.Errorf("after Reset: Reads() = %d, Writes() = %d, Ops() = %v; want 0, 0, empty", r, w, ops)
	}
}
