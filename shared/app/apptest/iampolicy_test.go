package apptest

import (
	"slices"
	"strings"
	"testing"
)

// policyTemplate gives the token function one statement in the shape
// template.yaml uses.
func policyTemplate(version, condition string) string {
	return `
Resources:
  TokenFunction:
    Type: AWS::Serverless::Function
    Properties:
      Policies:
        - Version: "` + version + `"
          Statement:
            - Sid: ReadItems
              Effect: Allow
              Action: [dynamodb:GetItem, dynamodb:BatchGetItem]
              Resource: !GetAtt Table.Arn
` + condition + `
            - Sid: QuerySubjectIndex
              Effect: Allow
              Action: dynamodb:Query
              Resource: !Sub "${Table.Arn}/index/GSI1"
              Condition:
                ForAllValues:StringLike:
                  dynamodb:LeadingKeys: ["SUB#*"]
            - Sid: KeyEncryptionSecret
              Effect: Allow
              Action: secretsmanager:GetSecretValue
              Resource: !Ref KeyEncryptionSecret
`
}

const sessionsAndKeys = `              Condition:
                ForAllValues:StringLike:
                  dynamodb:LeadingKeys: ["SESSION#*", "KEYSET"]`

func TestPolicies(t *testing.T) {
	grants, err := Policies([]byte(policyTemplate("2012-10-17", sessionsAndKeys)))
	if err != nil {
		t.Fatalf("Policies() error = %v", err)
	}
	var got []string
	for _, g := range grants {
		got = append(got, g.String())
	}
	want := []string{
		"token: dynamodb:GetItem on table, leading key SESSION#*",
		"token: dynamodb:GetItem on table, leading key KEYSET",
		"token: dynamodb:BatchGetItem on table, leading key SESSION#*",
		"token: dynamodb:BatchGetItem on table, leading key KEYSET",
		"token: dynamodb:Query on index/GSI1, leading key SUB#*",
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("Policies() = %q; want %q", got, want)
	}
}

func TestPoliciesRejects(t *testing.T) {
	for _, tc := range []struct {
		name, template, want string
	}{
		{"no Version", policyTemplate("", sessionsAndKeys), "want 2012-10-17"},
		{"another condition", policyTemplate("2012-10-17", `              Condition:
                StringEquals:
                  dynamodb:Select: ALL_ATTRIBUTES`), "only ForAllValues:StringLike"},
		{"a SAM policy template", `
Resources:
  TokenFunction:
    Type: AWS::Serverless::Function
    Properties:
      Policies:
        - DynamoDBCrudPolicy: {TableName: !Ref Table}
`, "not an inline"},
		{"an unknown resource", strings.Replace(policyTemplate("2012-10-17", sessionsAndKeys),
			"!GetAtt Table.Arn", `"*"`, 1), "not the table"},
		{"a function without routes", strings.Replace(policyTemplate("2012-10-17", sessionsAndKeys),
			"TokenFunction:", "ConsoleFunction:", 1), "serves no route"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Policies([]byte(tc.template))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Policies() error = %v; want it to mention %q", err, tc.want)
			}
		})
	}
}

func TestDisallowedAndUnused(t *testing.T) {
	grants, err := Policies([]byte(policyTemplate("2012-10-17", sessionsAndKeys)))
	if err != nil {
		t.Fatal(err)
	}
	used := []Access{
		{"token", "GetItem", "table", "SESSION#"},
		{"token", "GetItem", "table", "KEYSET"},
		{"token", "BatchGetItem", "table", "SESSION#"},
		{"token", "Query", "index/GSI1", "SUB#"},
		{"token", "PutItem", "table", "KEYSET"},    // no grant
		{"token", "GetItem", "table", "CLIENT#"},   // a prefix not granted
		{"token", "GetItem", "table", "SESSION"},   // a key without '#' is not the class SESSION#
		{"mint", "GetItem", "table", "SESSION#"},   // another function
		{"token", "Query", "table", "SUB#"},        // the table, not the index
		{"token", "GetItem", "index/GSI1", "SUB#"}, // an action on the index it does not hold
	}
	refused := Disallowed(grants, used)
	if want := used[4:]; !slices.Equal(refused, want) {
		t.Errorf("Disallowed() = %v; want %v", refused, want)
	}
	unused := Unused(grants, used)
	if len(unused) != 1 || unused[0].String() != "token: dynamodb:BatchGetItem on table, leading key KEYSET" {
		t.Errorf("Unused() = %v; want only BatchGetItem on KEYSET", unused)
	}
}

func TestKeyClass(t *testing.T) {
	for key, want := range map[string]string{
		"SESSION#abc": "SESSION#", "CONSENT#usr#client": "CONSENT#", "KEYSET": "KEYSET", "": "",
	} {
		if got := KeyClass(key); got != want {
			t.Errorf("KeyClass(%q) = %q; want %q", key, got, want)
		}
	}
}
