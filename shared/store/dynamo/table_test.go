package dynamo_test

import (
	"context"
	"reflect"
	"sort"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/latchkey/latchkey/shared/store/dynamo"
	"github.com/latchkey/latchkey/shared/store/dynamo/dynamotest"
)

// fixtureTemplate has the shape of template.yaml: CloudFormation tags in
// other resources and in the table's own AWS-only properties.
const fixtureTemplate = `
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Environment:
      Variables:
        TABLE_NAME: !Ref Table
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Policies:
        - Statement:
            - Resource: !Sub "${Table.Arn}/index/*"
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: !Sub "${AWS::StackName}-table"
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions:
        - {AttributeName: PK, AttributeType: S}
        - {AttributeName: SK, AttributeType: S}
        - {AttributeName: GSI1PK, AttributeType: S}
        - {AttributeName: GSI1SK, AttributeType: S}
      KeySchema:
        - {AttributeName: PK, KeyType: HASH}
        - {AttributeName: SK, KeyType: RANGE}
      GlobalSecondaryIndexes:
        - IndexName: GSI1
          KeySchema:
            - {AttributeName: GSI1PK, KeyType: HASH}
            - {AttributeName: GSI1SK, KeyType: RANGE}
          Projection: {ProjectionType: ALL}
      TimeToLiveSpecification: {AttributeName: ttl, Enabled: true}
`

// tableShape is what CreateTable must reproduce from the template.
type tableShape struct {
	Keys, Attributes, GSI1Keys []string
	Projection                 types.ProjectionType
	Billing                    types.BillingMode
	TTL                        types.TimeToLiveStatus
}

var wantShape = tableShape{
	Keys:       []string{"PK HASH", "SK RANGE"},
	Attributes: []string{"GSI1PK S", "GSI1SK S", "PK S", "SK S"},
	GSI1Keys:   []string{"GSI1PK HASH", "GSI1SK RANGE"},
	Projection: types.ProjectionTypeAll,
	Billing:    types.BillingModePayPerRequest,
	TTL:        types.TimeToLiveStatusDisabled,
}

func TestCreateTable(t *testing.T) {
	env := dynamotest.NewTable(t) // for its client; the tables below are extra
	tests := []struct {
		name     string
		template []byte
	}{
		{"inline fixture", []byte(fixtureTemplate)},
		{"repository template.yaml", dynamotest.Template(t)},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			name := env.Table + "-" + string(rune('a'+i))
			for range 2 { // the second call finds the table and succeeds
				if err := dynamo.CreateTable(ctx, env.Client, name, tt.template); err != nil {
					t.Fatalf("CreateTable = %v", err)
				}
			}
			t.Cleanup(func() { deleteTable(t, env.Client, name) })
			if got := describe(t, env.Client, name); !reflect.DeepEqual(got, wantShape) {
				t.Errorf("table = %+v; want %+v", got, wantShape)
			}
		})
	}
}

func TestCreateTableBadTemplate(t *testing.T) {
	tests := []struct {
		name, yaml string
	}{
		{"not YAML", "Resources: [unclosed"},
		{"no table", "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n"},
		{"two tables, neither named Table", "Resources:\n  A:\n    Type: AWS::DynamoDB::Table\n  B:\n    Type: AWS::DynamoDB::Table\n"},
		{"no key schema", "Resources:\n  Table:\n    Type: AWS::DynamoDB::Table\n    Properties:\n      BillingMode: PAY_PER_REQUEST\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// A nil API: the template is rejected before any call.
			if err := dynamo.CreateTable(context.Background(), nil, "t", []byte(tt.yaml)); err == nil {
				t.Error("CreateTable = nil; want an error")
			}
		})
	}
}

func TestEnableTTL(t *testing.T) {
	env := dynamotest.NewTable(t) // empty: TTL cannot trip DynamoDB Local's deleter
	ctx := context.Background()
	for i := range 2 { // the second call finds TTL on and succeeds
		if err := dynamo.EnableTTL(ctx, env.Client, env.Table); err != nil {
			t.Fatalf("EnableTTL #%d = %v", i+1, err)
		}
	}
	out, err := env.Client.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String(env.Table)})
	if err != nil {
		t.Fatal(err)
	}
	d := out.TimeToLiveDescription
	if d.TimeToLiveStatus != types.TimeToLiveStatusEnabled || aws.ToString(d.AttributeName) != "ttl" {
		t.Errorf("TTL = %s on %q; want ENABLED on ttl", d.TimeToLiveStatus, aws.ToString(d.AttributeName))
	}
}

func describe(t *testing.T, c *dynamodb.Client, name string) tableShape {
	t.Helper()
	ctx := context.Background()
	out, err := c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	ttl, err := c.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	td := out.Table
	shape := tableShape{Keys: keys(td.KeySchema), TTL: ttl.TimeToLiveDescription.TimeToLiveStatus}
	if td.BillingModeSummary != nil {
		shape.Billing = td.BillingModeSummary.BillingMode
	}
	for _, a := range td.AttributeDefinitions {
		shape.Attributes = append(shape.Attributes, aws.ToString(a.AttributeName)+" "+string(a.AttributeType))
	}
	sort.Strings(shape.Attributes)
	for _, g := range td.GlobalSecondaryIndexes {
		if aws.ToString(g.IndexName) == "GSI1" {
			shape.GSI1Keys, shape.Projection = keys(g.KeySchema), g.Projection.ProjectionType
		}
	}
	return shape
}

func keys(ks []types.KeySchemaElement) []string {
	var out []string
	for _, k := range ks {
		out = append(out, aws.ToString(k.AttributeName)+" "+string(k.KeyType))
	}
	return out
}

func deleteTable(t *testing.T, c *dynamodb.Client, name string) {
	if _, err := c.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: aws.String(name)}); err != nil {
		t.Errorf("DeleteTable(%s) = %v", name, err)
	}
}
