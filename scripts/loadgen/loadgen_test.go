package main

import (
	"os"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

func TestPercentile(t *testing.T) {
	ms := func(v ...int) []time.Duration {
		out := make([]time.Duration, len(v))
		for i, n := range v {
			out[i] = time.Duration(n) * time.Millisecond
		}
		return out
	}
	hundred := make([]int, 100)
	for i := range hundred {
		hundred[i] = i + 1
	}
	for _, tc := range []struct {
		name   string
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		{"empty", nil, 0.5, 0},
		{"one", ms(7), 0.99, 7 * time.Millisecond},
		{"median of four is the second (nearest rank)", ms(1, 2, 3, 4), 0.5, 2 * time.Millisecond},
		{"p99 of 100", ms(hundred...), 0.99, 99 * time.Millisecond},
		{"p50 of 100", ms(hundred...), 0.50, 50 * time.Millisecond},
	} {
		if got := percentile(tc.sorted, tc.p); got != tc.want {
			t.Errorf("%s: percentile(%v) = %v; want %v", tc.name, tc.p, got, tc.want)
		}
	}
}

func TestCheckLoopback(t *testing.T) {
	for _, tc := range []struct {
		url string
		ok  bool
	}{
		{"http://127.0.0.1:18080", true},
		{"http://localhost:18080", false},
		{"http://10.0.0.1:18080", false},
		{"https://127.0.0.1:18080", false},
		{"http://127.0.0.1", false},
		{"http://127.0.0.1:18080/oauth2", false},
		{"", false},
	} {
		if err := checkLoopback(tc.url); (err == nil) != tc.ok {
			t.Errorf("checkLoopback(%q) = %v; want ok %v", tc.url, err, tc.ok)
		}
	}
}

// serverCPU reads this very process: a positive, growing figure.
func TestServerCPU(t *testing.T) {
	before, err := serverCPU(os.Getpid(), 100)
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(50 * time.Millisecond); time.Now().Before(deadline); {
	}
	after, err := serverCPU(os.Getpid(), 100)
	if err != nil {
		t.Fatal(err)
	}
	if after <= before {
		t.Errorf("serverCPU after 50 ms of spinning = %v, before %v; want more", after, before)
	}
	if threadsCPU(os.Getpid()) <= 0 {
		t.Errorf("threadsCPU(self) = 0; want the CPU time of this process's threads")
	}
	if _, err := serverCPU(-1, 100); err == nil {
		t.Error("serverCPU(-1) = nil error; want one")
	}
}

func TestSigns(t *testing.T) {
	template := []byte(`
  TokenFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/token/
      Environment:
        Variables:
          KEY_ENCRYPTION_SECRET_ARN: !Ref KeyEncryptionSecret
  IntrospectFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/introspect/
  SessionsListFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/sessions-list/
      Environment:
        Variables:
          KEY_ENCRYPTION_SECRET_ARN: !Ref KeyEncryptionSecret
`)
	for fn, want := range map[string]bool{"token": true, "introspect": false, "sessions-list": true, "mint": false} {
		if got := signs(template, fn); got != want {
			t.Errorf("signs(%s) = %v; want %v", fn, got, want)
		}
	}
}

func TestLeastReadUnits(t *testing.T) {
	key := map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: "x"}}
	for _, tc := range []struct {
		name string
		in   any
		want float64
	}{
		{"strong GetItem", &dynamodb.GetItemInput{ConsistentRead: aws.Bool(true)}, 1},
		{"eventual GetItem", &dynamodb.GetItemInput{}, 0.5},
		{"strong BatchGetItem of two keys", &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{
			"t": {Keys: []map[string]types.AttributeValue{key, key}, ConsistentRead: aws.Bool(true)}}}, 2},
		{"eventual Query", &dynamodb.QueryInput{}, 0.5},
		{"a write", &dynamodb.PutItemInput{}, 0},
	} {
		if got := leastReadUnits(tc.in); got != tc.want {
			t.Errorf("leastReadUnits(%s) = %v; want %v", tc.name, got, tc.want)
		}
	}
	// A missing key reads nothing on DynamoDB Local but is billed on AWS.
	m := newMeter()
	m.record("BatchGetItem", nil, 2)
	m.record("Query", nil, 0.5)
	m.record("PutItem", nil, 0)
	calls, u := m.take()
	if u.billedRead != 2.5 || u.read != 0 || countCalls(calls) != 3 {
		t.Errorf("after two reads with no capacity reported: billed %v, reported %v, calls %v; want 2.5, 0, 3", u.billedRead, u.read, calls)
	}
	if got := describeCalls(map[string]int{"GetItem": 1, "UpdateItem": 2}); got != "GetItem + 2× UpdateItem" {
		t.Errorf("describeCalls = %q; want %q", got, "GetItem + 2× UpdateItem")
	}
}
