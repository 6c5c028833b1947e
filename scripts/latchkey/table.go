package main

import (
	"context"
	"fmt"
	"os"

	"github.com/latchkey/latchkey/shared/store/dynamo"
)

// table creates the table from template.yaml's definition, so the local
// table and the deployed one never drift.
func (c cli) table(ctx context.Context, args []string) error {
	return c.sub(ctx, "table", args, map[string]func(context.Context, []string) error{
		"create": c.tableCreate,
	})
}

func (c cli) tableCreate(ctx context.Context, args []string) error {
	fs := c.flags("table create")
	template := fs.String("template", "template.yaml", "the SAM template that defines the table")
	ttl := fs.Bool("ttl", false, "also enable TTL on attribute ttl (DynamoDB Local's TTL deleter stops on sparse GSIs; off by default locally)")
	if err := parse(fs, args, 0); err != nil {
		return err
	}
	cfg, err := c.config()
	if err != nil {
		return err
	}
	def, err := os.ReadFile(*template)
	if err != nil {
		return fmt.Errorf("read the table definition: %w", err)
	}
	client, err := dynamo.NewClient(ctx, cfg.Region, cfg.DynamoDBEndpoint)
	if err != nil {
		return err
	}
	if err := dynamo.CreateTable(ctx, client, cfg.TableName, def); err != nil {
		return err
	}
	if *ttl {
		if err := dynamo.EnableTTL(ctx, client, cfg.TableName); err != nil {
			return err
		}
	}
	c.printf("table %s is ready\n", cfg.TableName)
	return nil
}
