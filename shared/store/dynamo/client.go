package dynamo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/latchkey/latchkey/shared/tokens"
)

// Client items live in partition CLIENT#<id>. They are also indexed in the
// single GSI1 partition CLIENTS (sort key: the id), so that ListClients is a
// Query of the few client items rather than a Scan of every session.
const (
	clientPrefix  = "CLIENT#"
	clientsGSI1PK = "CLIENTS"
	durationUnit  = time.Millisecond
)

// clientItem is a tokens.Client as stored. Durations are whole milliseconds.
type clientItem struct {
	PK                    string         `dynamodbav:"PK"`
	SK                    string         `dynamodbav:"SK"`
	GSI1PK                string         `dynamodbav:"GSI1PK"`
	GSI1SK                string         `dynamodbav:"GSI1SK"`
	ID                    string         `dynamodbav:"id"`
	Name                  string         `dynamodbav:"name,omitempty"`
	SecretHash            []byte         `dynamodbav:"secret_hash,omitempty"`
	AuthMethod            string         `dynamodbav:"auth_method,omitempty"`
	Grants                []string       `dynamodbav:"grants,omitempty"`
	Scopes                []string       `dynamodbav:"scopes,omitempty"`
	AllowOfflineAccess    bool           `dynamodbav:"allow_offline_access"`
	Introspect            bool           `dynamodbav:"introspect"`
	AllowSelfMint         bool           `dynamodbav:"allow_self_mint"`
	MayExchange           bool           `dynamodbav:"may_exchange,omitempty"`
	AccessTokenTTLMS      int64          `dynamodbav:"access_token_ttl_ms"`
	AccessTokenFormat     string         `dynamodbav:"access_token_format,omitempty"`
	RefreshAbsoluteTTLMS  int64          `dynamodbav:"refresh_absolute_ttl_ms"`
	RefreshIdleTTLMS      int64          `dynamodbav:"refresh_idle_ttl_ms"`
	RefreshRotation       string         `dynamodbav:"refresh_rotation,omitempty"`
	RefreshReuseGraceMS   int64          `dynamodbav:"refresh_reuse_grace_ms"`
	MaxSessionsPerSubject int            `dynamodbav:"max_sessions_per_subject"`
	ClaimSizeLimits       map[string]int `dynamodbav:"claim_size_limits,omitempty"`
	Resources             []string       `dynamodbav:"resources,omitempty"`
	IDTokenAlg            string         `dynamodbav:"id_token_alg,omitempty"`
	AccessTokenClaims     []string       `dynamodbav:"access_token_claims,omitempty"`
	RedirectURIs          []string       `dynamodbav:"redirect_uris,omitempty"`
	FirstParty            bool           `dynamodbav:"first_party,omitempty"`
	Disabled              bool           `dynamodbav:"disabled"`
	CreatedAt             timestamp      `dynamodbav:"created_at,omitempty"`
	// A self-registered client (clientreg.go): how, its registration
	// token's hash, its application type, and when it lapses unused
	// (expires_at exactly, ttl rounded up).
	RegistrationKind      string       `dynamodbav:"registration_kind,omitempty"`
	RegistrationTokenHash []byte       `dynamodbav:"registration_token_hash,omitempty"`
	ApplicationType       string       `dynamodbav:"application_type,omitempty"`
	ExpiresAt             timestamp    `dynamodbav:"expires_at,omitempty"`
	TTL                   epochSeconds `dynamodbav:"ttl,omitempty"`
}

func clientPK(id string) string { return clientPrefix + id }

func toClientItem(c tokens.Client) clientItem {
	return clientItem{
		PK: clientPK(c.ID), SK: skMeta, GSI1PK: clientsGSI1PK, GSI1SK: c.ID,
		ID: c.ID, Name: c.Name, SecretHash: c.SecretHash, AuthMethod: c.AuthMethod,
		Grants: c.Grants, Scopes: c.Scopes,
		AllowOfflineAccess: c.AllowOfflineAccess, Introspect: c.Introspect, AllowSelfMint: c.AllowSelfMint,
		MayExchange:           c.MayExchange,
		AccessTokenTTLMS:      c.AccessTokenTTL.Milliseconds(),
		AccessTokenFormat:     c.AccessTokenFormat,
		RefreshAbsoluteTTLMS:  c.RefreshAbsoluteTTL.Milliseconds(),
		RefreshIdleTTLMS:      c.RefreshIdleTTL.Milliseconds(),
		RefreshRotation:       c.RefreshRotation,
		RefreshReuseGraceMS:   c.RefreshReuseGrace.Milliseconds(),
		MaxSessionsPerSubject: c.MaxSessionsPerSubject,
		ClaimSizeLimits:       c.ClaimSizeLimits,
		Resources:             c.Resources,
		IDTokenAlg:            c.IDTokenAlg,
		AccessTokenClaims:     c.AccessTokenClaims,
		RedirectURIs:          c.RedirectURIs,
		FirstParty:            c.FirstParty,
		Disabled:              c.Disabled,
		CreatedAt:             timestamp{c.CreatedAt},
		RegistrationKind:      c.Registration.Kind,
		RegistrationTokenHash: c.Registration.TokenHash,
		ApplicationType:       c.Registration.ApplicationType,
		ExpiresAt:             timestamp{c.Registration.ExpiresAt},
		TTL:                   epochSeconds{c.Registration.ExpiresAt},
	}
}

// liveAt: a client without expires_at never lapses.
func (it clientItem) liveAt(now time.Time) bool {
	return it.ExpiresAt.IsZero() || it.ExpiresAt.After(now)
}

func (it clientItem) value() tokens.Client {
	return tokens.Client{
		ID: it.ID, Name: it.Name, SecretHash: it.SecretHash, AuthMethod: it.AuthMethod,
		Grants: it.Grants, Scopes: it.Scopes,
		AllowOfflineAccess: it.AllowOfflineAccess, Introspect: it.Introspect, AllowSelfMint: it.AllowSelfMint,
		MayExchange:           it.MayExchange,
		AccessTokenTTL:        time.Duration(it.AccessTokenTTLMS) * durationUnit,
		AccessTokenFormat:     it.AccessTokenFormat,
		RefreshAbsoluteTTL:    time.Duration(it.RefreshAbsoluteTTLMS) * durationUnit,
		RefreshIdleTTL:        time.Duration(it.RefreshIdleTTLMS) * durationUnit,
		RefreshRotation:       it.RefreshRotation,
		RefreshReuseGrace:     time.Duration(it.RefreshReuseGraceMS) * durationUnit,
		MaxSessionsPerSubject: it.MaxSessionsPerSubject,
		ClaimSizeLimits:       it.ClaimSizeLimits,
		Resources:             it.Resources,
		IDTokenAlg:            it.IDTokenAlg,
		AccessTokenClaims:     it.AccessTokenClaims,
		RedirectURIs:          it.RedirectURIs,
		FirstParty:            it.FirstParty,
		Disabled:              it.Disabled,
		CreatedAt:             it.CreatedAt.Time,
		Registration: tokens.Registration{
			Kind: it.RegistrationKind, TokenHash: nilIfEmpty(it.RegistrationTokenHash),
			ApplicationType: it.ApplicationType, ExpiresAt: it.ExpiresAt.Time,
		},
	}
}

// CreateClient writes a new client; tokens.ErrAlreadyExists if the id is taken.
func (s *Store) CreateClient(ctx context.Context, c tokens.Client) error {
	return s.putNew(ctx, "create client", toClientItem(c))
}

// GetClient returns the client with id, or tokens.ErrNotFound.
func (s *Store) GetClient(ctx context.Context, id string) (tokens.Client, error) {
	return getLive[clientItem](ctx, s, "get client", itemKey(clientPK(id)))
}

// ListClients returns every client, ordered by id. It queries the GSI1
// partition CLIENTS page by page; like any GSI read it may miss a client
// created a moment ago.
func (s *Store) ListClients(ctx context.Context) ([]tokens.Client, error) {
	keyCond := expression.Key(attrGSI1PK).Equal(expression.Value(clientsGSI1PK))
	expr, err := expression.NewBuilder().WithKeyCondition(keyCond).Build()
	if err != nil {
		return nil, fmt.Errorf("dynamo: list clients: %w", err)
	}
	pages := dynamodb.NewQueryPaginator(s.api, &dynamodb.QueryInput{
		TableName:                 aws.String(s.table),
		IndexName:                 aws.String(indexGSI1),
		KeyConditionExpression:    expr.KeyCondition(),
		ExpressionAttributeNames:  expr.Names(),
		ExpressionAttributeValues: expr.Values(),
	})
	clients := []tokens.Client{}
	now := s.now()
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("dynamo: list clients: %w", err)
		}
		for _, av := range page.Items {
			c, err := decodeLive[clientItem](av, now)
			if errors.Is(err, tokens.ErrNotFound) {
				continue
			}
			if err != nil {
				return nil, fmt.Errorf("dynamo: list clients: %w", err)
			}
			clients = append(clients, c)
		}
	}
	return clients, nil
}

// DisableClient marks the client disabled; tokens.ErrNotFound for an
// unknown id or a self-registered client that has lapsed.
func (s *Store) DisableClient(ctx context.Context, id string) error {
	const op = "disable client"
	now := s.now()
	upd := expression.Set(expression.Name(attrDisabled), expression.Value(true))
	cond := existsNow(now).And(absentOrAfter(attrExpiresAt, now))
	_, lost, err := s.update(ctx, op, clientPK(id), expression.NewBuilder().WithCondition(cond).WithUpdate(upd))
	if lost {
		return fmt.Errorf("dynamo: %s: %w", op, tokens.ErrNotFound)
	}
	return err
}
