package dynamo_test

import (
	"context"
	"encoding/base64"
	"errors"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/latchkey/latchkey/shared/store/dynamo"
	"github.com/latchkey/latchkey/shared/tokens"
)

func TestReferenceTokenRoundTrip(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	minimal := tokens.ReferenceToken{Hash: hash("min"), ClientID: "m2m", ExpiresAt: t0.Add(time.Minute)}
	tests := []struct {
		name string
		ref  tokens.ReferenceToken
	}{
		{"every field", newReference("full")},
		{"minimal, no session", minimal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := f.CreateReferenceToken(ctx, tt.ref); err != nil {
				t.Fatalf("CreateReferenceToken = %v", err)
			}
			got, err := f.AccessState(ctx, tokens.AccessStateQuery{ReferenceHash: tt.ref.Hash})
			if err != nil {
				t.Fatalf("AccessState = %v", err)
			}
			if got.Reference == nil || !reflect.DeepEqual(*got.Reference, tt.ref) {
				t.Errorf("AccessState.Reference = %+v; want %+v", got.Reference, tt.ref)
			}
			if got.JTIRevoked || got.Session != nil {
				t.Errorf("AccessState = %+v; want only the reference", got)
			}
		})
	}
}

func TestReferenceTokenItem(t *testing.T) {
	f := newFixture(t)
	ref := newReference("tok")
	if err := f.CreateReferenceToken(context.Background(), ref); err != nil {
		t.Fatal(err)
	}
	item := f.raw(t, "AT#"+base64.RawURLEncoding.EncodeToString(ref.Hash))
	if len(item) == 0 {
		t.Fatal("no item at AT#<base64url of the hash>/META")
	}
	wantTTL := strconv.FormatInt(ref.ExpiresAt.Unix()+1, 10)
	if got, ok := item["ttl"].(*types.AttributeValueMemberN); !ok || got.Value != wantTTL {
		t.Errorf("ttl = %#v; want N %s (exp in epoch seconds, rounded up)", item["ttl"], wantTTL)
	}
	if got, ok := item["revoked"].(*types.AttributeValueMemberBOOL); !ok || got.Value {
		t.Errorf("revoked = %#v; want BOOL false", item["revoked"])
	}
}

func TestReferenceTokenErrors(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	ref := newReference("tok")
	if err := f.CreateReferenceToken(ctx, ref); err != nil {
		t.Fatal(err)
	}
	noExpiry := newReference("other")
	noExpiry.ExpiresAt = time.Time{}
	tests := []struct {
		name string
		call func() error
		want error // nil: any error that is not a sentinel
	}{
		{"create taken hash", func() error { other := ref; other.ClientID = "other"; return f.CreateReferenceToken(ctx, other) }, tokens.ErrAlreadyExists},
		{"create without expiry", func() error { return f.CreateReferenceToken(ctx, noExpiry) }, nil},
		{"revoke jti without expiry", func() error { return f.RevokeJTI(ctx, "j", time.Time{}) }, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			if tt.want == nil && (err == nil || isSentinel(err)) {
				t.Errorf("err = %v; want a plain error", err)
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("err = %v; want %v", err, tt.want)
			}
		})
	}
}

// TestRevokeReferenceToken: any failed condition is ErrNotFound, so that a
// client cannot tell another client's token from no token.
func TestRevokeReferenceToken(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	mine, expiring := newReference("mine"), newReference("expiring")
	expiring.ExpiresAt = t0.Add(time.Minute)
	for _, r := range []tokens.ReferenceToken{mine, expiring} {
		if err := f.CreateReferenceToken(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name   string
		now    time.Time
		hash   []byte
		client string
		want   error
	}{
		{"another client's token", t0, mine.Hash, "mallory", tokens.ErrNotFound},
		{"unknown token", t0, hash("nope"), "app", tokens.ErrNotFound},
		{"expired token", expiring.ExpiresAt, expiring.Hash, "app", tokens.ErrNotFound},
		{"own token", t0, mine.Hash, "app", nil},
		{"own token again", t0, mine.Hash, "app", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f.clock.Set(tt.now)
			if err := f.RevokeReferenceToken(ctx, tt.hash, tt.client); !errors.Is(err, tt.want) {
				t.Errorf("RevokeReferenceToken = %v; want %v", err, tt.want)
			}
		})
	}
	f.clock.Set(t0)
	st, err := f.AccessState(ctx, tokens.AccessStateQuery{ReferenceHash: mine.Hash})
	if err != nil || st.Reference == nil || !st.Reference.Revoked {
		t.Errorf("AccessState after revoke = %+v, %v; want the reference, revoked", st.Reference, err)
	}
	if _, ok := f.raw(t, "AT#"+base64.RawURLEncoding.EncodeToString(hash("nope")))["PK"]; ok {
		t.Error("revoking an unknown token created an item")
	}
}

func TestRevokeJTI(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	exp := t0.Add(15 * time.Minute)
	for i := range 2 { // twice: idempotent
		if err := f.RevokeJTI(ctx, "jti-1", exp); err != nil {
			t.Fatalf("RevokeJTI #%d = %v", i+1, err)
		}
	}
	item := f.rawKey(t, "JTI#jti-1", "REVOKED")
	wantTTL := strconv.FormatInt(exp.Unix()+1, 10)
	if got, ok := item["ttl"].(*types.AttributeValueMemberN); !ok || got.Value != wantTTL {
		t.Errorf("ttl = %#v; want N %s", item["ttl"], wantTTL)
	}
	tests := []struct {
		jti  string
		want bool
	}{
		{"jti-1", true},
		{"jti-2", false},
	}
	for _, tt := range tests {
		st, err := f.AccessState(ctx, tokens.AccessStateQuery{JTI: tt.jti})
		if err != nil || st.JTIRevoked != tt.want {
			t.Errorf("AccessState(JTI %s) = %+v, %v; want JTIRevoked %v", tt.jti, st, err, tt.want)
		}
	}
}

// TestAccessStateOneRequest reads a revoked jti, a reference token and a
// session in one BatchGetItem; absent items are nil, not errors.
func TestAccessStateOneRequest(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	sess, ref := newSession("s1"), newReference("tok")
	seed := []error{f.CreateSession(ctx, sess), f.CreateReferenceToken(ctx, ref), f.RevokeJTI(ctx, "jti-9", t0.Add(time.Hour))}
	for _, err := range seed {
		if err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name    string
		q       tokens.AccessStateQuery
		want    tokens.AccessState
		wantOps map[string]int
	}{
		{"all three", tokens.AccessStateQuery{JTI: "jti-9", ReferenceHash: ref.Hash, SessionID: "s1"},
			tokens.AccessState{JTIRevoked: true, Reference: &ref, Session: &sess}, map[string]int{"BatchGetItem": 1}},
		{"none exist", tokens.AccessStateQuery{JTI: "x", ReferenceHash: hash("x"), SessionID: "x"},
			tokens.AccessState{}, map[string]int{"BatchGetItem": 1}},
		{"jwt of a session", tokens.AccessStateQuery{JTI: "jti-1", SessionID: "s1"},
			tokens.AccessState{Session: &sess}, map[string]int{"BatchGetItem": 1}},
		{"empty query", tokens.AccessStateQuery{}, tokens.AccessState{}, map[string]int{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f.env.Counter.Reset()
			got, err := f.AccessState(ctx, tt.q)
			if err != nil {
				t.Fatalf("AccessState = %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("AccessState = %+v; want %+v", got, tt.want)
			}
			if ops := f.env.Counter.Ops(); !maps.Equal(ops, tt.wantOps) {
				t.Errorf("requests = %v; want %v", ops, tt.wantOps)
			}
		})
	}
}

// unprocessingAPI answers the first BatchGetItem for all but one key and
// returns that key as unprocessed, as a throttled DynamoDB does.
// It records how many keys each request asked for, and whether any request
// was not strongly consistent (DynamoDB Local always is, so only the
// request can tell).
type unprocessingAPI struct {
	dynamo.API
	keys         []int
	inconsistent bool
}

func (a *unprocessingAPI) BatchGetItem(ctx context.Context, in *dynamodb.BatchGetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error) {
	for _, ka := range in.RequestItems {
		a.keys = append(a.keys, len(ka.Keys))
		a.inconsistent = a.inconsistent || !aws.ToBool(ka.ConsistentRead)
	}
	if len(a.keys) > 1 {
		return a.API.BatchGetItem(ctx, in, optFns...)
	}
	first := maps.Clone(in.RequestItems)
	var unprocessed map[string]types.KeysAndAttributes
	for table, ka := range in.RequestItems {
		held := ka
		held.Keys = ka.Keys[len(ka.Keys)-1:]
		ka.Keys = ka.Keys[:len(ka.Keys)-1]
		first[table] = ka
		unprocessed = map[string]types.KeysAndAttributes{table: held}
	}
	out, err := a.API.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: first}, optFns...)
	if err != nil {
		return nil, err
	}
	out.UnprocessedKeys = unprocessed
	return out, nil
}

func TestAccessStateRetriesUnprocessedKeys(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	sess, ref := newSession("s1"), newReference("tok")
	if err := f.CreateSession(ctx, sess); err != nil {
		t.Fatal(err)
	}
	if err := f.CreateReferenceToken(ctx, ref); err != nil {
		t.Fatal(err)
	}
	api := &unprocessingAPI{API: f.env.Client}
	s := dynamo.New(api, f.env.Table, f.clock.Now)
	got, err := s.AccessState(ctx, tokens.AccessStateQuery{ReferenceHash: ref.Hash, SessionID: "s1"})
	if err != nil {
		t.Fatalf("AccessState = %v", err)
	}
	want := tokens.AccessState{Reference: &ref, Session: &sess}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("AccessState = %+v; want %+v", got, want)
	}
	if !slices.Equal(api.keys, []int{2, 1}) {
		t.Errorf("BatchGetItem requests asked for %v keys; want [2 1] (one retry for the unprocessed key)", api.keys)
	}
	if api.inconsistent {
		t.Error("a BatchGetItem request was not ConsistentRead")
	}
}
