package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/latchkey/latchkey/shared/app"
	"github.com/latchkey/latchkey/shared/config"
	"github.com/latchkey/latchkey/shared/store/dynamo/dynamotest"
	"github.com/latchkey/latchkey/shared/tokens"
)

// deployed is a stack as DescribeStacks reports one that sam deploy made.
func deployed(table string) stack {
	return stack{
		Name: "latchkey", Region: "eu-west-1", Status: "CREATE_COMPLETE",
		Outputs: map[string]string{
			"TableName": table, "Issuer": "https://abc123.execute-api.eu-west-1.amazonaws.com",
			"ApiUrl": "https://abc123.execute-api.eu-west-1.amazonaws.com",
		},
		Parameters: map[string]string{"AccessTokenTTL": "600s", "RefreshIdleTTL": "0", "LogLevel": "warn"},
	}
}

func TestBootstrap(t *testing.T) {
	db := dynamotest.NewTable(t)
	var asked []string
	read := func(_ context.Context, name, region string) (stack, error) {
		asked = append(asked, name+"@"+region)
		return deployed(db.Table), nil
	}
	var built config.Config
	build := func(ctx context.Context, cfg config.Config) (*app.App, error) {
		built = cfg
		return app.New(ctx, cfg, app.Options{DynamoDB: db.Client, LogOutput: io.Discard})
	}
	var out bytes.Buffer
	c := cli{stdout: &out, stderr: io.Discard, lookup: envLookup(map[string]string{"DYNAMODB_ENDPOINT": "http://elsewhere"})}
	if err := c.bootstrapWith(context.Background(), []string{"--stack", "latchkey", "--region", "eu-west-1", "--json"}, read, build); err != nil {
		t.Fatalf("bootstrap: %v", err)
	}
	if want := []string{"latchkey@eu-west-1"}; !slices.Equal(asked, want) {
		t.Errorf("stacks read = %v; want %v", asked, want)
	}
	if built.TableName != db.Table || built.Region != "eu-west-1" || built.DynamoDBEndpoint != "" || built.KeyEncryptionSecretARN != "" || built.KeyEncryptionKey != nil {
		t.Errorf("config = table %q region %q endpoint %q signing %v; want the stack's table and region, AWS, no key",
			built.TableName, built.Region, built.DynamoDBEndpoint, built.KeyEncryptionSecretARN != "")
	}
	var printed map[string]string
	if err := json.Unmarshal(out.Bytes(), &printed); err != nil {
		t.Fatalf("output %q: %v", out.String(), err)
	}
	if got, want := printed["token_endpoint"], "https://abc123.execute-api.eu-west-1.amazonaws.com/oauth2/token"; got != want {
		t.Errorf("token_endpoint = %q; want %q", got, want)
	}
	a, err := build(context.Background(), built)
	if err != nil {
		t.Fatal(err)
	}
	clients, err := a.Service.ListClients(context.Background())
	if err != nil || len(clients) != 1 {
		t.Fatalf("clients = %v, %v; want the one admin", clients, err)
	}
	cl := clients[0]
	if cl.ID != printed["client_id"] || !cl.VerifySecret(printed["client_secret"]) || cl.Name != "admin" {
		t.Errorf("stored client %s %q does not match the printed credentials", cl.ID, cl.Name)
	}
	if !slices.Equal(cl.Scopes, []string{tokens.ScopeAdmin}) || !slices.Equal(cl.Grants, []string{"client_credentials"}) {
		t.Errorf("client scopes %v grants %v; want [%s] [client_credentials]", cl.Scopes, cl.Grants, tokens.ScopeAdmin)
	}
	if cl.AccessTokenTTL != 10*time.Minute {
		t.Errorf("access token TTL = %v; want the stack's AccessTokenTTL, 10m", cl.AccessTokenTTL)
	}
	err = c.bootstrapWith(context.Background(), []string{"--stack", "latchkey"}, read, build)
	if err == nil || !strings.Contains(err.Error(), "already has 1 client") {
		t.Errorf("second bootstrap = %v; want a refusal naming the existing client", err)
	}
}

func TestBootstrapRefuses(t *testing.T) {
	notReady := deployed("t")
	notReady.Status = "CREATE_IN_PROGRESS"
	noTable := deployed("")
	for _, tc := range []struct {
		name  string
		args  []string
		stack stack
		err   error
		want  string
	}{
		{"no stack named", nil, deployed("t"), nil, "usage"},
		{"a stack still deploying", []string{"--stack", "x"}, notReady, nil, "CREATE_IN_PROGRESS"},
		{"not a Latchkey stack", []string{"--stack", "x"}, noTable, nil, "no TableName output"},
		{"no such stack", []string{"--stack", "x"}, stack{}, errors.New("Stack with id x does not exist"), "does not exist"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			read := func(context.Context, string, string) (stack, error) { return tc.stack, tc.err }
			build := func(context.Context, config.Config) (*app.App, error) {
				t.Fatal("bootstrap built a process for a stack it should refuse")
				return nil, nil
			}
			c := cli{stdout: io.Discard, stderr: io.Discard, lookup: envLookup(nil)}
			err := c.bootstrapWith(context.Background(), tc.args, read, build)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("bootstrap = %v; want an error mentioning %q", err, tc.want)
			}
		})
	}
}

// TestTemplateParametersFeedTheFunctions holds config.TemplateParameters
// equal to template.yaml: each parameter exists and some function's
// environment sets the variable to it (!Ref), and every parameter that a
// function reads that way is in the map, so bootstrap applies all of a
// stack's settings.
func TestTemplateParametersFeedTheFunctions(t *testing.T) {
	var tpl struct {
		Parameters map[string]yaml.Node `yaml:"Parameters"`
		Globals    struct {
			Function struct {
				Environment struct {
					Variables map[string]yaml.Node `yaml:"Variables"`
				} `yaml:"Environment"`
			} `yaml:"Function"`
		} `yaml:"Globals"`
		Resources map[string]struct {
			Properties struct {
				Environment struct {
					Variables map[string]yaml.Node `yaml:"Variables"`
				} `yaml:"Environment"`
			} `yaml:"Properties"`
		} `yaml:"Resources"`
	}
	if err := yaml.Unmarshal(dynamotest.Template(t), &tpl); err != nil {
		t.Fatal(err)
	}
	read := map[string]string{} // parameter → variable, as the template sets it
	collect := func(vars map[string]yaml.Node) {
		for variable, v := range vars {
			if _, ok := tpl.Parameters[v.Value]; ok && v.Tag == "!Ref" && variable != "ISSUER" {
				read[v.Value] = variable
			}
		}
	}
	collect(tpl.Globals.Function.Environment.Variables)
	for _, r := range tpl.Resources {
		collect(r.Properties.Environment.Variables)
	}
	want := config.TemplateParameters()
	for param, variable := range want {
		if read[param] != variable {
			t.Errorf("config.TemplateParameters maps %s to %s; template.yaml sets %q from it", param, variable, read[param])
		}
	}
	for param, variable := range read {
		if _, ok := want[param]; !ok {
			t.Errorf("template.yaml sets %s from parameter %s, which config.TemplateParameters lacks", variable, param)
		}
	}
}
