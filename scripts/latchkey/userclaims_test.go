package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/shared/store/dynamo/dynamotest"
	"github.com/latchkey/latchkey/shared/tokens"
)

func TestParseClaims(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want map[string]any
		ok   bool
	}{
		{`{"email":"a@example.com","groups":["x","y"],"n":1}`, map[string]any{"email": "a@example.com", "groups": []any{"x", "y"}, "n": 1.0}, true},
		{`{}`, map[string]any{}, true},
		{`[]`, nil, false},
		{`null`, nil, false},
		{`{"a":1} {"b":2}`, nil, false},
		{`{"a":`, nil, false},
	} {
		got, err := parseClaims(tc.in)
		if (err == nil) != tc.ok || (tc.ok && !reflect.DeepEqual(got, tc.want)) {
			t.Errorf("parseClaims(%s) = %v, %v; want %v (ok %v)", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

func TestParseClaimLimits(t *testing.T) {
	var limits map[string]int
	if err := parseClaimLimits("groups=512, email=64", &limits); err != nil || !reflect.DeepEqual(limits, map[string]int{"groups": 512, "email": 64}) {
		t.Errorf("parseClaimLimits = %v, %v; want groups 512 and email 64", limits, err)
	}
	for _, bad := range []string{"groups", "groups=", "groups=0", "groups=-1", "groups=x"} {
		if err := parseClaimLimits(bad, &limits); err == nil {
			t.Errorf("parseClaimLimits(%q) succeeded; want an error", bad)
		}
	}
}

// The client and user commands of the OpenID work, on DynamoDB Local.
func TestOpenIDCommands(t *testing.T) {
	db := dynamotest.NewTable(t)
	env := map[string]string{
		"DYNAMODB_ENDPOINT": dynamotest.Endpoint(t), "TABLE_NAME": db.Table, "ISSUER": "https://auth.test",
		"KEY_ENCRYPTION_KEY": base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32)),
		"AWS_ACCESS_KEY_ID":  "local", "AWS_SECRET_ACCESS_KEY": "local", "AWS_REGION": "us-east-1",
	}
	run := func(stdin string, args ...string) (string, error) {
		var out, errOut bytes.Buffer
		c := cli{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errOut, lookup: envLookup(env), dir: t.TempDir()}
		err := c.run(context.Background(), args)
		return out.String() + errOut.String(), err
	}
	if out, err := run("", "client", "create", "--name", "api", "--grants", "client_credentials", "--scopes", "read",
		"--resources", "https://a.example,https://b.example", "--id-token-alg", "ES256",
		"--access-token-claims", "email,groups", "--claim-size-limits", "groups=512"); err != nil {
		t.Fatalf("client create: %v\n%s", err, out)
	}
	out, err := run("", "client", "list", "--json")
	if err != nil {
		t.Fatalf("client list: %v\n%s", err, out)
	}
	for _, want := range []string{`"https://a.example"`, `"id_token_alg": "ES256"`, `"groups": 512`, `"email"`} {
		if !strings.Contains(out, want) {
			t.Errorf("client list lacks %s:\n%s", want, out)
		}
	}
	if out, err := run("", "client", "create", "--name", "bad", "--resources", "not-a-uri"); err == nil {
		t.Errorf("client create with a relative resource succeeded:\n%s", out)
	}
	if out, err := run("correct horse battery\n", "user", "create", "--username", "ada", "--password-stdin",
		"--claims", `{"email":"ada@example.com","groups":["admins"]}`); err != nil {
		t.Fatalf("user create --claims: %v\n%s", err, out)
	}
	if out, err := run("", "user", "set-claims", "ada", `{"email":"ada@example.org","name":"Ada"}`); err != nil || !strings.Contains(out, "set 2 claims") {
		t.Fatalf("user set-claims = %v\n%s", err, out)
	}
	if out, err := run("", "user", "set-claims", "ada", `{"sub":"forged"}`); err == nil {
		t.Errorf("user set-claims with sub succeeded:\n%s", out)
	}
	if out, err := run("", "user", "set-claims", "nobody", `{}`); err == nil {
		t.Errorf("user set-claims of an unknown user succeeded:\n%s", out)
	}
	checkStoredClaims(t, env)
}

// checkStoredClaims reads ada back by subject, as userinfo does.
func checkStoredClaims(t *testing.T, env map[string]string) {
	t.Helper()
	c := cli{stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}, lookup: envLookup(env), dir: t.TempDir()}
	a, err := c.app(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	u, err := a.Store.GetUser(context.Background(), "ada")
	if err != nil {
		t.Fatal(err)
	}
	bySub, err := a.Store.GetUserBySubject(context.Background(), u.Subject)
	want := map[string]any{"email": "ada@example.org", "name": "Ada"}
	if err != nil || !reflect.DeepEqual(bySub.Claims, want) || !reflect.DeepEqual(u.Claims, want) {
		t.Errorf("stored claims = %v / by subject %v, %v; want %v", u.Claims, bySub.Claims, err, want)
	}
	clients, err := a.Service.ListClients(context.Background())
	if err != nil || len(clients) != 1 || !slices.Equal(clients[0].Resources, []string{"https://a.example", "https://b.example"}) ||
		clients[0].IDTokenAlg != tokens.AlgES256 {
		t.Errorf("stored clients = %+v, %v; want the api client with its resources and ES256", clients, err)
	}
}
