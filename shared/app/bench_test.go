package app_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/latchkey/latchkey/shared/app"
	"github.com/latchkey/latchkey/shared/app/apptest"
	"github.com/latchkey/latchkey/shared/store/dynamo/dynamotest"
	"github.com/latchkey/latchkey/shared/tokens"
)

// The benchmarks below drive the real handler of a whole process
// (apptest: the same app.New a Lambda runs) in the benchmark's goroutine,
// without the HTTP client and loopback socket, so ns/op and allocs/op are
// the server's own work for one request: decoding, the core, signing,
// encoding, logging, and the DynamoDB SDK calls where there are any. The
// DynamoDB calls go to DynamoDB Local, whose latency the benchmark waits
// for but whose CPU is not the process's; scripts/bench.sh measures CPU
// per request of the served process alone.
//
//	LATCHKEY_TEST_DYNAMODB=http://127.0.0.1:8951 go test -run '^$' -bench . -benchmem ./shared/app

// benchProc is a warm process: its key set loaded. Its JSON logs go to the
// harness's buffer, so logging costs what it costs a server.
type benchProc struct {
	*apptest.Harness
	handler http.Handler
}

// benchLoop runs op b.N times and reports allocations and CPU per operation.
func benchLoop(b *testing.B, op func()) {
	b.Helper()
	b.ReportAllocs()
	cpu := startBenchCPU()
	for b.Loop() {
		op()
	}
	cpu.report(b)
}

// benchCPU reports the process's CPU time per iteration (user + system,
// from getrusage) as the cpu-ns/op metric: unlike ns/op it leaves out
// the time spent waiting for DynamoDB Local, whose CPU is another
// process's. It includes the benchmark's own request building, the GC
// and the SDK's connection goroutines.
type benchCPU struct{ start time.Duration }

func startBenchCPU() benchCPU { return benchCPU{start: benchProcessCPU()} }

func (m benchCPU) report(b *testing.B) {
	if b.N > 0 {
		b.ReportMetric(float64(benchProcessCPU()-m.start)/float64(b.N), "cpu-ns/op")
	}
}

func benchProcessCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func newBenchProc(b *testing.B) benchProc {
	b.Helper()
	h := apptest.NewDynamo(b)
	if _, err := h.App.Service.JWKS(context.Background()); err != nil {
		b.Fatal(err)
	}
	return benchProc{Harness: h, handler: h.App.Handler()}
}

// serve runs one form POST through the handler and returns the answer.
func (p benchProc) serve(b *testing.B, path, auth string, form url.Values) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	w := httptest.NewRecorder()
	p.handler.ServeHTTP(w, req)
	if w.Code != http.StatusOK {
		b.Fatalf("POST %s = %d %s; want 200", path, w.Code, w.Body)
	}
	return w
}

// clientCredentials registers a client for the client_credentials grant
// and returns its Basic header.
func (p benchProc) clientCredentials(b *testing.B, spec tokens.ClientSpec) string {
	spec.Grants = []string{"client_credentials", "password", "refresh_token"}
	if spec.Scopes == nil {
		spec.Scopes = []string{"read", "write"}
	}
	c, secret := p.Client(spec)
	return apptest.BasicAuth(c.ID, secret)
}

var benchCCForm = url.Values{"grant_type": {"client_credentials"}, "scope": {"read"}}

// BenchmarkClientCredentials is the token endpoint's hot path with a warm
// client cache: no store call at all, so it measures the handler, the core
// and one ES256 signature.
func BenchmarkClientCredentials(b *testing.B) {
	p := newBenchProc(b)
	auth := p.clientCredentials(b, tokens.ClientSpec{})
	p.serve(b, "/oauth2/token", auth, benchCCForm) // warm the client cache
	p.DB.Counter.Reset()
	benchLoop(b, func() { p.serve(b, "/oauth2/token", auth, benchCCForm) })
	if ops := p.DB.Counter.Ops(); len(ops) != 0 {
		b.Fatalf("client_credentials with a warm cache called DynamoDB: %v; want no call", ops)
	}
}

// BenchmarkClientCredentialsReference issues reference tokens: no
// signature, one PutItem.
func BenchmarkClientCredentialsReference(b *testing.B) {
	p := newBenchProc(b)
	auth := p.clientCredentials(b, tokens.ClientSpec{AccessTokenFormat: tokens.FormatReference})
	p.serve(b, "/oauth2/token", auth, benchCCForm)
	benchLoop(b, func() { p.serve(b, "/oauth2/token", auth, benchCCForm) })
}

// BenchmarkRefresh rotates one session's refresh token: one GetItem, one
// conditional UpdateItem, one ES256 signature.
func BenchmarkRefresh(b *testing.B) {
	p := newBenchProc(b)
	auth := p.clientCredentials(b, tokens.ClientSpec{AllowOfflineAccess: true})
	p.User(testUser, testPassword)
	login := p.serve(b, "/oauth2/token", auth, url.Values{
		"grant_type": {"password"}, "username": {testUser}, "password": {testPassword}, "scope": {"read offline_access"},
	})
	token := benchField(b, login, "refresh_token")
	benchLoop(b, func() {
		w := p.serve(b, "/oauth2/token", auth, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {token}})
		token = benchField(b, w, "refresh_token")
	})
}

// BenchmarkIntrospectJWT introspects a client_credentials JWT: one ES256
// verification and one BatchGetItem for the jti denylist.
func BenchmarkIntrospectJWT(b *testing.B) {
	p := newBenchProc(b)
	auth := p.clientCredentials(b, tokens.ClientSpec{})
	token := benchField(b, p.serve(b, "/oauth2/token", auth, benchCCForm), "access_token")
	benchIntrospect(b, p, auth, token)
}

// BenchmarkIntrospectJWTSession introspects a JWT of a session: the
// BatchGetItem reads the jti denylist and the session.
func BenchmarkIntrospectJWTSession(b *testing.B) {
	p := newBenchProc(b)
	auth := p.clientCredentials(b, tokens.ClientSpec{AllowOfflineAccess: true})
	p.User(testUser, testPassword)
	login := p.serve(b, "/oauth2/token", auth, url.Values{
		"grant_type": {"password"}, "username": {testUser}, "password": {testPassword}, "scope": {"read offline_access"},
	})
	benchIntrospect(b, p, auth, benchField(b, login, "access_token"))
}

// BenchmarkIntrospectReference introspects a reference token: no
// signature, one BatchGetItem.
func BenchmarkIntrospectReference(b *testing.B) {
	p := newBenchProc(b)
	auth := p.clientCredentials(b, tokens.ClientSpec{AccessTokenFormat: tokens.FormatReference})
	token := benchField(b, p.serve(b, "/oauth2/token", auth, benchCCForm), "access_token")
	if !strings.HasPrefix(token, tokens.ReferenceTokenPrefix) {
		b.Fatalf("access_token = %q; want a reference token", token)
	}
	benchIntrospect(b, p, auth, token)
}

func benchIntrospect(b *testing.B, p benchProc, auth, token string) {
	b.Helper()
	form := url.Values{"token": {token}}
	p.serve(b, "/oauth2/introspect", auth, form) // warm the client cache
	benchLoop(b, func() {
		if w := p.serve(b, "/oauth2/introspect", auth, form); !strings.Contains(w.Body.String(), `"active":true`) {
			b.Fatalf("introspection = %s; want active", w.Body)
		}
	})
}

// benchField returns a string field of a JSON answer.
func benchField(b *testing.B, w *httptest.ResponseRecorder, name string) string {
	b.Helper()
	body := w.Body.String()
	key := `"` + name + `":"`
	i := strings.Index(body, key)
	if i < 0 {
		b.Fatalf("answer %s has no %s", body, name)
	}
	rest := body[i+len(key):]
	return rest[:strings.IndexByte(rest, '"')]
}

// BenchmarkStartup is a container's cold start in process: app.New from
// the configuration (AWS config and DynamoDB client, signing keys wired,
// nothing read yet), then the first client_credentials request, which
// reads the client and the key set and opens the private key. The time
// a Lambda adds to start the process and load the binary is not in it;
// scripts/bench.sh times the built functions themselves.
func BenchmarkStartup(b *testing.B) {
	p := newBenchProc(b)
	auth := p.clientCredentials(b, tokens.ClientSpec{})
	cfg := p.App.Config
	cfg.DynamoDBEndpoint = dynamotest.Endpoint(b)
	b.Setenv("AWS_CA_BUNDLE", "") // unset on Lambda; parsing one costs milliseconds
	ctx := context.Background()
	benchLoop(b, func() {
		a, err := app.New(ctx, cfg, app.Options{Now: p.Clock.Now, LogOutput: io.Discard})
		if err != nil {
			b.Fatal(err)
		}
		benchProc{Harness: p.Harness, handler: a.Handler()}.serve(b, "/oauth2/token", auth, benchCCForm)
	})
}
