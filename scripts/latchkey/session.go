package main

import (
	"context"
	"errors"
	"time"

	"github.com/latchkey/latchkey/shared/tokens"
)

// operator is the principal the CLI acts as: it holds the table's
// credentials, so it is an administrator.
var operator = tokens.Principal{Subject: "latchkey-cli", Scopes: []string{tokens.ScopeAdmin}}

func (c cli) session(ctx context.Context, args []string) error {
	return c.sub(ctx, "session", args, map[string]func(context.Context, []string) error{
		"list": c.sessionList, "revoke": c.sessionRevoke,
	})
}

func (c cli) sessionList(ctx context.Context, args []string) error {
	return c.listEntries(ctx, "session list", tokens.ListTypeOAuth, args)
}

// listEntries prints every page of a subject's sessions or tokens.
func (c cli) listEntries(ctx context.Context, name, typ string, args []string) error {
	fs := c.flags(name)
	subject := fs.String("subject", "", "the subject whose entries to list (required)")
	all := fs.Bool("all", false, "include revoked and expired entries")
	if err := parse(fs, args, 0); err != nil {
		return err
	}
	if *subject == "" {
		return errors.New("--subject is required")
	}
	a, err := c.app(ctx)
	if err != nil {
		return err
	}
	req := tokens.SessionsRequest{Subject: *subject, Type: typ, Limit: tokens.MaxPageSize}
	if *all {
		req.Status = "all"
	}
	rows := []entryView{}
	for {
		page, err := a.Service.ListSessions(ctx, operator, req)
		if err != nil {
			return err
		}
		for _, e := range page.Entries {
			rows = append(rows, viewEntry(e, page))
		}
		if page.NextCursor == "" {
			return c.printJSON(rows)
		}
		req.Cursor = page.NextCursor
	}
}

// entryView is what the CLI prints of a session or long-lived token.
type entryView struct {
	ID        string     `json:"id"`
	Type      string     `json:"type"`
	Name      string     `json:"name,omitempty"`
	ClientID  string     `json:"client_id,omitempty"`
	Subject   string     `json:"subject"`
	Scopes    []string   `json:"scopes"`
	CreatedAt time.Time  `json:"created_at"`
	ExpiresAt time.Time  `json:"expires_at"`
	LastUsed  *time.Time `json:"last_used_at,omitempty"`
	Status    string     `json:"status"`
}

func viewEntry(e tokens.ListEntry, page tokens.SessionsPage) entryView {
	if t := e.LongLived; t != nil {
		return entryView{t.ID, tokens.ListTypeLongLived, t.Name, "", t.Subject, t.Scopes, t.CreatedAt, t.ExpiresAt, optional(t.LastUsedAt), page.Status(e)}
	}
	s := e.Session
	return entryView{s.ID, tokens.ListTypeOAuth, "", s.ClientID, s.Subject, s.Scopes, s.CreatedAt, s.ExpiresAt(), optional(s.LastUsedAt), page.Status(e)}
}

// optional leaves out a time never set (a token not used yet).
func optional(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func (c cli) sessionRevoke(ctx context.Context, args []string) error {
	fs := c.flags("session revoke ID | --subject S")
	subject := fs.String("subject", "", "revoke every session of this subject")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if (*subject == "") == (fs.NArg() == 0) || fs.NArg() > 1 {
		fs.Usage()
		return errUsage
	}
	a, err := c.app(ctx)
	if err != nil {
		return err
	}
	if *subject != "" {
		n, err := a.Service.RevokeSubject(ctx, operator, *subject)
		if err != nil {
			return err
		}
		c.printf("revoked %d sessions of %s\n", n, *subject)
		return nil
	}
	n, err := a.Service.RevokeSession(ctx, operator, fs.Arg(0))
	if err != nil {
		return err
	}
	if n == 0 {
		c.printf("session %s was already revoked\n", fs.Arg(0))
		return nil
	}
	c.printf("session %s revoked\n", fs.Arg(0))
	return nil
}
