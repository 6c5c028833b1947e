package main

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/shared/store/dynamo/dynamotest"
	"github.com/latchkey/latchkey/shared/tokens"
)

// The issue 11 commands on DynamoDB Local: user unlock|disable|enable
// (§2, §5) and keys revoke (§18).
func TestUserAndKeyCommands(t *testing.T) {
	db := dynamotest.NewTable(t)
	ctx := context.Background()
	var out bytes.Buffer
	c := cli{stdout: &out, stderr: io.Discard, lookup: envLookup(map[string]string{
		"DYNAMODB_ENDPOINT": dynamotest.Endpoint(t), "TABLE_NAME": db.Table, "ISSUER": "http://127.0.0.1:9080",
		"KEY_ENCRYPTION_KEY": "bGF0Y2hrZXktbG9jYWwtb25seS1ub3QtYS1zZWNyZXQ=",
	})}
	a, err := c.app(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Service.CreateUser(ctx, "alice", "correct horse battery"); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) string {
		t.Helper()
		out.Reset()
		if err := c.run(ctx, args); err != nil {
			t.Fatalf("latchkey %s: %v", strings.Join(args, " "), err)
		}
		return out.String()
	}
	if got := run("user", "disable", "Alice"); !strings.Contains(got, "disabled Alice: revoked 0") {
		t.Errorf("user disable = %q", got)
	}
	if u, err := a.Store.GetUser(ctx, "alice"); err != nil || !u.Disabled {
		t.Errorf("after user disable: disabled %v, %v; want true", u.Disabled, err)
	}
	run("user", "enable", "alice")
	if u, err := a.Store.GetUser(ctx, "alice"); err != nil || u.Disabled {
		t.Errorf("after user enable: disabled %v, %v; want false", u.Disabled, err)
	}
	if got := run("user", "unlock", "alice"); !strings.Contains(got, "0 sources") {
		t.Errorf("user unlock = %q", got)
	}
	if err := c.run(ctx, []string{"user", "disable", "nobody"}); err == nil {
		t.Error("user disable nobody = nil; want an error")
	}

	if _, err := a.Keys.JWKS(ctx); err != nil { // the first key set
		t.Fatal(err)
	}
	list, err := a.Keys.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var current string
	for _, k := range list {
		if k.State == tokens.KeyCurrent && k.Alg == "ES256" {
			current = k.KID
		}
	}
	if got := run("keys", "revoke", current); strings.Contains(got, current) || !strings.Contains(got, `"current"`) {
		t.Errorf("keys revoke %s printed %s; want the key list without it, with a current key", current, got)
	}
	if err := c.run(ctx, []string{"keys", "revoke", current}); err == nil {
		t.Error("keys revoke of a revoked key = nil; want an error")
	}
}
