package storetest

import (
	"reflect"
	"testing"
	"time"

	"github.com/latchkey/latchkey/shared/tokens"
)

// scribble overwrites what a slice or map holds, as a careless caller
// might after handing it to the store or getting it back.
func scribble(bs ...[]byte) {
	for _, b := range bs {
		for i := range b {
			b[i] ^= 0xff
		}
	}
}

func scribbleStrings(ss ...[]string) {
	for _, s := range ss {
		for i := range s {
			s[i] = "scribbled"
		}
	}
}

// testCopies checks that the store shares no slice or map with its
// callers: changing what was passed in or handed out changes nothing
// stored.
func testCopies(t *testing.T, newStore NewStore) {
	f := setup(t, newStore)
	c, u, s, ref, lt, ks := newClient("c"), newUser("alice"), newSession("s1"), newReference("tok"), newLongLived("lt", "user-1", t0), keySet(1, "k1")
	// The store keeps copies of what it is given…
	in := struct {
		c   tokens.Client
		u   tokens.User
		s   tokens.Session
		ref tokens.ReferenceToken
		lt  tokens.LongLivedToken
		ks  tokens.KeySet
	}{newClient("c"), newUser("alice"), newSession("s1"), newReference("tok"), newLongLived("lt", "user-1", t0), keySet(1, "k1")}
	must(t, f.CreateClient(f.ctx, in.c), f.CreateUser(f.ctx, in.u), f.CreateSession(f.ctx, in.s),
		f.CreateReferenceToken(f.ctx, in.ref), f.CreateLongLived(f.ctx, in.lt), f.PutKeySet(f.ctx, in.ks, 0))
	scribble(in.c.SecretHash, in.s.Salt, in.s.CurrentHash, in.ref.Hash, in.lt.Hash, in.ks.Keys[0].PublicJWK)
	scribbleStrings(in.c.Scopes, in.c.Grants, in.c.Resources, in.c.AccessTokenClaims, in.s.Scopes, in.s.Audience,
		in.ref.Scopes, in.ref.Audience, in.lt.Scopes)
	in.c.ClaimSizeLimits["groups"], in.u.Claims["email"], in.ks.Keys[0].KID = 1, "scribbled", "scribbled"
	next := rotated(s, t0.Add(time.Minute))
	upd := next
	upd.CurrentHash = append([]byte(nil), next.CurrentHash...)
	if _, err := f.UpdateSession(f.ctx, upd, 1); err != nil {
		t.Fatal(err)
	}
	scribble(upd.CurrentHash)
	s = next
	// …and hands out copies.
	gotC, _ := f.GetClient(f.ctx, "c")
	scribble(gotC.SecretHash)
	scribbleStrings(gotC.Scopes, gotC.Resources)
	gotC.ClaimSizeLimits["groups"] = 2
	list, _ := f.ListClients(f.ctx)
	scribbleStrings(list[0].Grants)
	gotU, _ := f.GetUser(f.ctx, "alice")
	gotU.Claims["email"] = "scribbled"
	failed, _ := f.RecordLoginFailure(f.ctx, "alice", t0)
	failed.Claims["email"] = "scribbled"
	u.FailedLogins, u.LastFailedAt = 1, t0
	gotS, _ := f.GetSession(f.ctx, "s1")
	scribble(gotS.Salt, gotS.CurrentHash)
	scribbleStrings(gotS.Scopes, gotS.Audience)
	st, _ := f.AccessState(f.ctx, tokens.AccessStateQuery{ReferenceHash: ref.Hash, SessionID: "s1"})
	if st.Reference == nil || st.Session == nil {
		t.Fatalf("AccessState = %+v; want the reference and the session", st)
	}
	scribble(st.Reference.Hash, st.Session.PreviousHash)
	scribbleStrings(st.Reference.Audience, st.Session.Scopes)
	gotLT, _ := f.GetLongLived(f.ctx, "lt")
	scribble(gotLT.Hash)
	scribbleStrings(gotLT.Scopes)
	page, _ := f.ListSubject(f.ctx, tokens.ListQuery{Subject: "user-1"})
	for _, e := range page.Entries {
		if e.Session != nil {
			scribble(e.Session.Salt)
		} else {
			scribbleStrings(e.LongLived.Scopes)
		}
	}
	active, _ := f.ActiveSessions(f.ctx, "user-1", "app")
	for _, a := range active {
		scribble(a.CurrentHash)
	}
	gotKS, _ := f.GetKeySet(f.ctx)
	scribble(gotKS.Keys[0].SealedPrivateJWK)
	gotKS.Keys[0].KID = "scribbled"
	checkStored(t, f, c, u, s, ref, lt, ks)
}

// checkStored compares what the store holds with the originals.
func checkStored(t *testing.T, f fixture, c tokens.Client, u tokens.User, s tokens.Session,
	ref tokens.ReferenceToken, lt tokens.LongLivedToken, ks tokens.KeySet) {
	t.Helper()
	gotC, err := f.GetClient(f.ctx, c.ID)
	check(t, "client", gotC, c, err)
	gotU, err := f.GetUser(f.ctx, u.Username)
	check(t, "user", gotU, u, err)
	gotS, err := f.GetSession(f.ctx, s.ID)
	check(t, "session", gotS, s, err)
	st, err := f.AccessState(f.ctx, tokens.AccessStateQuery{ReferenceHash: ref.Hash})
	check(t, "reference", st, tokens.AccessState{Reference: &ref}, err)
	gotLT, err := f.GetLongLived(f.ctx, lt.ID)
	check(t, "long-lived token", gotLT, lt, err)
	gotKS, err := f.GetKeySet(f.ctx)
	check(t, "key set", gotKS, ks, err)
}

func check(t *testing.T, what string, got, want any, err error) {
	t.Helper()
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("stored %s = %+v, %v; want %+v", what, got, err, want)
	}
}
