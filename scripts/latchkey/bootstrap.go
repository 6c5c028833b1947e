package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"

	"github.com/latchkey/latchkey/shared/app"
	"github.com/latchkey/latchkey/shared/config"
	"github.com/latchkey/latchkey/shared/oauth"
	"github.com/latchkey/latchkey/shared/tokens"
)

// stack is what bootstrap needs of a deployed CloudFormation stack.
type stack struct {
	Name, Region, Status string
	Outputs              map[string]string
	Parameters           map[string]string
}

// stackReader describes the stack name in region ("" for the SDK's
// default region).
type stackReader func(ctx context.Context, name, region string) (stack, error)

// appBuilder wires the process that acts on the stack's table.
type appBuilder func(ctx context.Context, cfg config.Config) (*app.App, error)

// readyStatuses are the stack states in which its resources exist as
// the template describes them.
var readyStatuses = []string{"CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE", "IMPORT_COMPLETE"}

// bootstrap creates the first admin client of a deployed stack: it reads
// the stack's outputs and parameters from CloudFormation, so nothing is
// guessed, refuses when the table already has clients, and prints the
// client's secret once.
func (c cli) bootstrap(ctx context.Context, args []string) error {
	build := func(ctx context.Context, cfg config.Config) (*app.App, error) {
		return app.New(ctx, cfg, app.Options{LogOutput: c.stderr})
	}
	return c.bootstrapWith(ctx, args, describeStack, build)
}

func (c cli) bootstrapWith(ctx context.Context, args []string, read stackReader, build appBuilder) error {
	fs := c.flags("bootstrap --stack NAME")
	name := fs.String("stack", "", "the CloudFormation stack sam deploy created (required; samconfig.toml's stack_name)")
	region := fs.String("region", "", "the stack's region (default: AWS_REGION or the profile's; samconfig.toml's region)")
	clientName := fs.String("name", "admin", "the admin client's name")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parse(fs, args, 0); err != nil {
		return err
	}
	if *name == "" {
		fs.Usage()
		return errUsage
	}
	st, err := read(ctx, *name, *region)
	if err != nil {
		return err
	}
	cfg, err := stackConfig(st)
	if err != nil {
		return err
	}
	a, err := build(ctx, cfg)
	if err != nil {
		return err
	}
	cl, secret, err := firstAdmin(ctx, a, st, *clientName)
	if err != nil {
		return err
	}
	return c.printBootstrap(st, cl, secret, *asJSON)
}

// stackConfig is the configuration that acts on the stack's table, in its
// region, with the deployment's own defaults: its template parameters,
// not the CLI's environment. It never has a DynamoDB endpoint.
func stackConfig(st stack) (config.Config, error) {
	if !slices.Contains(readyStatuses, st.Status) {
		return config.Config{}, fmt.Errorf("stack %s is %s: wait until sam deploy has finished (want one of %s)",
			st.Name, st.Status, strings.Join(readyStatuses, ", "))
	}
	env := map[string]string{"AWS_REGION": st.Region}
	for variable, output := range map[string]string{"TABLE_NAME": "TableName", "ISSUER": "Issuer"} {
		if st.Outputs[output] == "" {
			return config.Config{}, fmt.Errorf("stack %s has no %s output: is it a Latchkey stack, deployed from this template.yaml?", st.Name, output)
		}
		env[variable] = st.Outputs[output]
	}
	for param, variable := range config.TemplateParameters() {
		if v, ok := st.Parameters[param]; ok {
			env[variable] = v
		}
	}
	return config.FromEnv(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
}

// firstAdmin creates a client_credentials client holding latchkey:admin,
// unless the table has clients already: bootstrap makes only the first.
func firstAdmin(ctx context.Context, a *app.App, st stack, name string) (tokens.Client, string, error) {
	existing, err := a.Service.ListClients(ctx)
	if err != nil {
		return tokens.Client{}, "", fmt.Errorf("read the clients of table %s: %w", a.Config.TableName, err)
	}
	if len(existing) > 0 {
		return tokens.Client{}, "", fmt.Errorf("the table of stack %s already has %d client(s) and bootstrap only makes the first: "+
			"create more with TABLE_NAME=%s AWS_REGION=%s latchkey client create --name NAME",
			st.Name, len(existing), a.Config.TableName, st.Region)
	}
	return a.Service.CreateClient(ctx, tokens.ClientSpec{
		Name: name, Grants: []string{oauth.GrantClientCredentials}, Scopes: []string{tokens.ScopeAdmin},
	})
}

func (c cli) printBootstrap(st stack, cl tokens.Client, secret string, asJSON bool) error {
	issuer := st.Outputs["Issuer"]
	if asJSON {
		return c.printJSON(map[string]string{
			"stack": st.Name, "region": st.Region, "table": st.Outputs["TableName"], "issuer": issuer,
			"token_endpoint": issuer + "/oauth2/token", "client_id": cl.ID, "client_secret": secret,
		})
	}
	c.printf("stack:         %s (%s)\ntable:         %s\nissuer:        %s\n\n", st.Name, st.Region, st.Outputs["TableName"], issuer)
	c.printf("The first admin client (client_credentials, scope %s):\n", tokens.ScopeAdmin)
	c.printf("client_id:     %s\nclient_secret: %s\n", cl.ID, secret)
	c.printf("(the secret is shown once; Latchkey keeps only its hash)\n\n")
	c.printf("Get a token:\n  curl -s -u '%s:<client_secret>' -d grant_type=client_credentials %s/oauth2/token\n", cl.ID, issuer)
	return nil
}

// describeStack reads a stack with the AWS SDK's default credentials.
func describeStack(ctx context.Context, name, region string) (stack, error) {
	var opts []func(*awsconfig.LoadOptions) error
	if region != "" {
		opts = append(opts, awsconfig.WithRegion(region))
	}
	cfg, err := awsconfig.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return stack{}, fmt.Errorf("aws config: %w", err)
	}
	if cfg.Region == "" {
		return stack{}, errors.New("no AWS region: pass --region (samconfig.toml names each stack's) or set AWS_REGION")
	}
	out, err := cloudformation.NewFromConfig(cfg).DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: &name})
	if err != nil {
		return stack{}, fmt.Errorf("describe stack %s in %s: %w", name, cfg.Region, err)
	}
	if len(out.Stacks) != 1 {
		return stack{}, fmt.Errorf("describe stack %s in %s: %d stacks", name, cfg.Region, len(out.Stacks))
	}
	s := out.Stacks[0]
	st := stack{Name: name, Region: cfg.Region, Status: string(s.StackStatus), Outputs: map[string]string{}, Parameters: map[string]string{}}
	for _, o := range s.Outputs {
		if o.OutputKey != nil && o.OutputValue != nil {
			st.Outputs[*o.OutputKey] = *o.OutputValue
		}
	}
	for _, p := range s.Parameters {
		if p.ParameterKey != nil && p.ParameterValue != nil {
			st.Parameters[*p.ParameterKey] = *p.ParameterValue
		}
	}
	return st, nil
}
