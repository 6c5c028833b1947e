package apptest

import (
	"bytes"
	"context"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/latchkey/latchkey/shared/app"
	"github.com/latchkey/latchkey/shared/config"
	"github.com/latchkey/latchkey/shared/password"
	"github.com/latchkey/latchkey/shared/signing/signingtest"
	"github.com/latchkey/latchkey/shared/store/dynamo"
	"github.com/latchkey/latchkey/shared/store/dynamo/dynamotest"
	"github.com/latchkey/latchkey/shared/store/memstore"
	"github.com/latchkey/latchkey/shared/tokens"
)

// Start is where every Harness clock starts: a fixed instant, so golden
// values and expiry arithmetic are reproducible.
var Start = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

// CheapPasswords hashes with argon2id at a cost fit for tests only.
var CheapPasswords = password.Argon2id{MemoryKiB: 64, Time: 1, Threads: 1}

// Harness is one Latchkey process on its own table.
type Harness struct {
	T     testing.TB
	App   *app.App
	Clock *Clock
	// DB is the process's DynamoDB Local table, counting its requests;
	// nil for a harness on the memory store.
	DB *dynamotest.Env
	// Mem is the process's memory store, counting its calls; nil for a
	// harness on DynamoDB Local.
	Mem    *memstore.Store
	Server *httptest.Server
	// Handler is what Server serves: every route, each request tagged
	// with the function that serves it (see Recorded).
	Handler http.Handler
	Logs    *SyncBuffer
}

// New starts a Harness on the in-memory store, which the conformance
// suite (shared/store/storetest) pins to DynamoDB's semantics: what is
// about behaviour runs without DynamoDB Local. Config overrides may
// adjust the defaults before the process is built.
func New(t testing.TB, overrides ...func(*config.Config)) *Harness {
	t.Helper()
	return NewWith(t, Setup{Config: overrides})
}

// NewDynamo starts a Harness on a fresh DynamoDB Local table, for what is
// about DynamoDB: request budgets, faults, soaks, end-to-end runs.
func NewDynamo(t testing.TB, overrides ...func(*config.Config)) *Harness {
	t.Helper()
	return NewWith(t, Setup{Config: overrides, DynamoDB: true})
}

// Setup is what NewWith may change about the process it builds.
type Setup struct {
	// Config overrides adjust the defaults before the process is built.
	Config []func(*config.Config)
	// DynamoDB runs the process on DynamoDB Local instead of the memory
	// store; Wrap implies it.
	DynamoDB bool
	// Wrap, when set, wraps the DynamoDB client the process uses (a
	// Faulty, say); the harness's own DB.Client stays unwrapped.
	Wrap func(dynamo.API) dynamo.API
	// SeparateFunctions serves each function's routes from a process of
	// its own, as on AWS, instead of one process for every route.
	SeparateFunctions bool
	// ClientMetadata fetches Client ID Metadata Documents when the
	// config accepts them (app.Options.ClientMetadata).
	ClientMetadata tokens.ClientMetadataFetcher
}

// NewWith starts a Harness as New does, with the changes in s.
func NewWith(t testing.TB, s Setup) *Harness {
	t.Helper()
	clock := NewClock(Start)
	h := &Harness{T: t, Clock: clock, Logs: &SyncBuffer{}}
	o := app.Options{Now: clock.Now, LogOutput: h.Logs, Passwords: CheapPasswords, GenerateRSA: signingtest.RSAKeys(), ClientMetadata: s.ClientMetadata}
	table := "memory"
	if s.DynamoDB || s.Wrap != nil {
		h.DB = dynamotest.NewTable(t)
		table, o.DynamoDB = h.DB.Table, dynamo.API(h.recordIAM(h.DB.Client))
		if s.Wrap != nil {
			o.DynamoDB = s.Wrap(o.DynamoDB)
		}
	} else {
		h.Mem = memstore.New(clock.Now)
		o.Store = h.Mem
	}
	cfg := config.Config{
		TableName: table, Issuer: "https://auth.test", Region: "us-east-1",
		KeyEncryptionKey: bytes.Repeat([]byte{7}, 32), ClientCacheTTL: 30 * time.Second,
		KeyCacheTTL: 5 * time.Minute, KeyRotationPeriod: 720 * time.Hour,
		AccessTokenTTL: 15 * time.Minute, RefreshAbsoluteTTL: 720 * time.Hour,
		RefreshIdleTTL: 168 * time.Hour, RefreshReuseGrace: 30 * time.Second,
		MaxLongLivedTTL: 8760 * time.Hour,
	}
	for _, override := range s.Config {
		override(&cfg)
	}
	a, err := app.New(context.Background(), cfg, o)
	if err != nil {
		t.Fatalf("app.New: %v", err)
	}
	h.App = a
	h.Handler = a.Handler()
	if s.SeparateFunctions {
		h.Handler = h.separateFunctions(cfg, o)
	}
	h.Handler = servedBy(h.Handler)
	h.Server = httptest.NewServer(h.Handler)
	t.Cleanup(h.Server.Close)
	return h
}

// Client registers a client from spec, filling the deployment's defaults
// for lifetimes it leaves zero, and returns it with its secret.
func (h *Harness) Client(spec tokens.ClientSpec) (tokens.Client, string) {
	h.T.Helper()
	if spec.Name == "" {
		spec.Name = "test"
	}
	if spec.RefreshIdleTTL == 0 {
		spec.RefreshIdleTTL = h.App.Config.RefreshIdleTTL
	}
	c, secret, err := h.App.Service.CreateClient(context.Background(), spec)
	if err != nil {
		h.T.Fatalf("CreateClient: %v", err)
	}
	return c, secret
}

// User registers a user and returns its subject.
func (h *Harness) User(username, pw string) string {
	h.T.Helper()
	u, err := h.App.Service.CreateUser(context.Background(), username, pw)
	if err != nil {
		h.T.Fatalf("CreateUser: %v", err)
	}
	return u.Subject
}

// BasicAuth returns the Authorization header value for a client.
func BasicAuth(id, secret string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(id+":"+secret))
}

// SyncBuffer is a goroutine-safe log sink.
type SyncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write appends p.
func (b *SyncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns everything written so far.
func (b *SyncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
