package dynamo

import (
	"errors"
	"fmt"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"gopkg.in/yaml.v3"
)

// tableResource is the logical id of the table in template.yaml, and
// tableType its CloudFormation type.
const (
	tableResource = "Table"
	tableType     = "AWS::DynamoDB::Table"
)

// samTemplate is the little of template.yaml that CreateTable reads. Each
// resource's Properties stay a yaml.Node, so the CloudFormation tags (!Ref,
// !Sub, !GetAtt) of other resources are never decoded.
type samTemplate struct {
	Resources map[string]struct {
		Type       string    `yaml:"Type"`
		Properties yaml.Node `yaml:"Properties"`
	} `yaml:"Resources"`
}

// tableProperties are the AWS::DynamoDB::Table properties that shape the
// table. The rest (TTL, point-in-time recovery, encryption) are AWS-only.
type tableProperties struct {
	BillingMode            string            `yaml:"BillingMode"`
	AttributeDefinitions   []attributeDef    `yaml:"AttributeDefinitions"`
	KeySchema              []keyElement      `yaml:"KeySchema"`
	GlobalSecondaryIndexes []globalIndex     `yaml:"GlobalSecondaryIndexes"`
	ProvisionedThroughput  *throughputConfig `yaml:"ProvisionedThroughput"`
}

type attributeDef struct {
	AttributeName string `yaml:"AttributeName"`
	AttributeType string `yaml:"AttributeType"`
}

type keyElement struct {
	AttributeName string `yaml:"AttributeName"`
	KeyType       string `yaml:"KeyType"`
}

type globalIndex struct {
	IndexName  string       `yaml:"IndexName"`
	KeySchema  []keyElement `yaml:"KeySchema"`
	Projection struct {
		ProjectionType   string   `yaml:"ProjectionType"`
		NonKeyAttributes []string `yaml:"NonKeyAttributes"`
	} `yaml:"Projection"`
	ProvisionedThroughput *throughputConfig `yaml:"ProvisionedThroughput"`
}

type throughputConfig struct {
	ReadCapacityUnits  int64 `yaml:"ReadCapacityUnits"`
	WriteCapacityUnits int64 `yaml:"WriteCapacityUnits"`
}

// tableFromTemplate finds the table resource of a SAM template: the one
// named Table, or else the template's only AWS::DynamoDB::Table.
func tableFromTemplate(templateYAML []byte) (tableProperties, error) {
	var tpl samTemplate
	if err := yaml.Unmarshal(templateYAML, &tpl); err != nil {
		return tableProperties{}, fmt.Errorf("read template: %w", err)
	}
	var names []string
	for name, r := range tpl.Resources {
		if r.Type == tableType {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	name := tableResource
	if r, ok := tpl.Resources[name]; !ok || r.Type != tableType {
		if len(names) != 1 {
			return tableProperties{}, fmt.Errorf("template: want resource %s or one %s, found %v", tableResource, tableType, names)
		}
		name = names[0]
	}
	var props tableProperties
	node := tpl.Resources[name].Properties
	if err := node.Decode(&props); err != nil {
		return tableProperties{}, fmt.Errorf("template: %s properties: %w", name, err)
	}
	if len(props.KeySchema) == 0 || len(props.AttributeDefinitions) == 0 {
		return tableProperties{}, fmt.Errorf("template: %s has no KeySchema or AttributeDefinitions", name)
	}
	return props, nil
}

// createInput converts the properties into a CreateTable request.
func (p tableProperties) createInput(name string) (*dynamodb.CreateTableInput, error) {
	in := &dynamodb.CreateTableInput{
		TableName:   aws.String(name),
		KeySchema:   keySchema(p.KeySchema),
		BillingMode: types.BillingMode(p.BillingMode),
	}
	if p.BillingMode == "" {
		in.BillingMode = types.BillingModeProvisioned
	}
	for _, a := range p.AttributeDefinitions {
		in.AttributeDefinitions = append(in.AttributeDefinitions, types.AttributeDefinition{
			AttributeName: aws.String(a.AttributeName),
			AttributeType: types.ScalarAttributeType(a.AttributeType),
		})
	}
	for _, g := range p.GlobalSecondaryIndexes {
		in.GlobalSecondaryIndexes = append(in.GlobalSecondaryIndexes, types.GlobalSecondaryIndex{
			IndexName: aws.String(g.IndexName),
			KeySchema: keySchema(g.KeySchema),
			Projection: &types.Projection{
				ProjectionType:   types.ProjectionType(g.Projection.ProjectionType),
				NonKeyAttributes: g.Projection.NonKeyAttributes,
			},
			ProvisionedThroughput: g.ProvisionedThroughput.sdk(),
		})
	}
	if in.BillingMode == types.BillingModeProvisioned {
		if p.ProvisionedThroughput == nil {
			return nil, errors.New("template: provisioned table without ProvisionedThroughput")
		}
		in.ProvisionedThroughput = p.ProvisionedThroughput.sdk()
	}
	return in, nil
}

func keySchema(elems []keyElement) []types.KeySchemaElement {
	out := make([]types.KeySchemaElement, 0, len(elems))
	for _, e := range elems {
		out = append(out, types.KeySchemaElement{
			AttributeName: aws.String(e.AttributeName),
			KeyType:       types.KeyType(e.KeyType),
		})
	}
	return out
}

// sdk converts the throughput, nil for nil.
func (t *throughputConfig) sdk() *types.ProvisionedThroughput {
	if t == nil {
		return nil
	}
	return &types.ProvisionedThroughput{
		ReadCapacityUnits:  aws.Int64(t.ReadCapacityUnits),
		WriteCapacityUnits: aws.Int64(t.WriteCapacityUnits),
	}
}
