package dynamo_test

import (
	"context"
	"encoding/base64"
	"reflect"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/latchkey/latchkey/shared/tokens"
)

// TestReferenceTokenAct: an exchanged reference token keeps its act
// chain (RFC 8693 §4.1) as nested maps of sub, and reads it back.
func TestReferenceTokenAct(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	ref := newReference("exchanged")
	ref.Act = &tokens.Actor{Subject: "svc-2", Act: &tokens.Actor{Subject: "svc-1"}}
	if err := f.CreateReferenceToken(ctx, ref); err != nil {
		t.Fatal(err)
	}
	got, err := f.AccessState(ctx, tokens.AccessStateQuery{ReferenceHash: ref.Hash})
	if err != nil || got.Reference == nil || !reflect.DeepEqual(*got.Reference, ref) {
		t.Fatalf("AccessState = %+v, %v; want %+v", got.Reference, err, ref)
	}
	item := f.raw(t, "AT#"+base64.RawURLEncoding.EncodeToString(ref.Hash))
	act, ok := item["act"].(*types.AttributeValueMemberM)
	if !ok {
		t.Fatalf("act = %#v; want a map", item["act"])
	}
	inner, _ := act.Value["act"].(*types.AttributeValueMemberM)
	if s, _ := act.Value["sub"].(*types.AttributeValueMemberS); s == nil || s.Value != "svc-2" || inner == nil {
		t.Errorf("act = %#v; want {sub: svc-2, act: {sub: svc-1}}", act.Value)
	}
	plain := newReference("plain")
	if err := f.CreateReferenceToken(ctx, plain); err != nil {
		t.Fatal(err)
	}
	if _, has := f.raw(t, "AT#"+base64.RawURLEncoding.EncodeToString(plain.Hash))["act"]; has {
		t.Error("a token without actors stores an act attribute")
	}
}

// TestClientMayExchange: the setting survives the table; false is not
// stored, so clients written before it read as not allowed.
func TestClientMayExchange(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for _, may := range []bool{true, false} {
		c := newClient("svc-" + map[bool]string{true: "yes", false: "no"}[may])
		c.MayExchange = may
		if err := f.CreateClient(ctx, c); err != nil {
			t.Fatal(err)
		}
		got, err := f.GetClient(ctx, c.ID)
		if err != nil || got.MayExchange != may {
			t.Errorf("GetClient(%s).MayExchange = %v, %v; want %v", c.ID, got.MayExchange, err, may)
		}
		if _, stored := f.raw(t, "CLIENT#"+c.ID)["may_exchange"]; stored != may {
			t.Errorf("%s: may_exchange stored = %v; want %v", c.ID, stored, may)
		}
	}
}

// TestSessionAct: a job session keeps its act chain through creation and
// rotation; a plain session stores none.
func TestSessionAct(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	job := newSession("job")
	job.Act = &tokens.Actor{Subject: "svc", Act: &tokens.Actor{Subject: "scheduler"}}
	if err := f.CreateSession(ctx, job); err != nil {
		t.Fatal(err)
	}
	next := rotated(job, t0.Add(time.Minute))
	if _, err := f.UpdateSession(ctx, next, job.Generation); err != nil {
		t.Fatalf("UpdateSession = %v", err)
	}
	got, err := f.GetSession(ctx, job.ID)
	if err != nil || !reflect.DeepEqual(got.Act, job.Act) || got.Generation != 2 {
		t.Errorf("GetSession after rotation = act %+v generation %d, %v; want act %+v, generation 2", got.Act, got.Generation, err, job.Act)
	}
	plain := newSession("plain")
	if err := f.CreateSession(ctx, plain); err != nil {
		t.Fatal(err)
	}
	if _, has := f.raw(t, "SESSION#plain")["act"]; has {
		t.Error("a session without actors stores an act attribute")
	}
}
