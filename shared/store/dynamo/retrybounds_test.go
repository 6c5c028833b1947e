package dynamo_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"

	"github.com/latchkey/latchkey/shared/store/dynamo"
)

// lambdaTimeout is every function's Timeout in template.yaml; answerMargin
// is what a function needs after its last store call to write the 503.
const (
	lambdaTimeout = 10 * time.Second
	answerMargin  = time.Second
)

// TestRetryBoundsFitTheLambdaTimeout holds the SDK's own retries to
// docs/design.md §7.4 and issue 5 §2: they stay on for throttling, and a store
// call that keeps failing gives up early enough for the function to answer
// 503 temporarily_unavailable itself, within its 10 s. The worst case is
// every attempt running as long as the HTTP client lets it, plus the
// longest backoff between attempts.
func TestRetryBoundsFitTheLambdaTimeout(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_CONFIG_FILE", "/nonexistent")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
	t.Setenv("AWS_MAX_ATTEMPTS", "")
	t.Setenv("AWS_RETRY_MODE", "")
	c, err := dynamo.NewClient(context.Background(), "eu-central-1", "")
	if err != nil {
		t.Fatalf("NewClient = %v", err)
	}
	o := c.Options()
	retryer := o.Retryer
	throttles := map[string]error{
		"ProvisionedThroughputExceededException": &types.ProvisionedThroughputExceededException{},
		"ThrottlingException":                    &smithy.GenericAPIError{Code: "ThrottlingException"},
		"RequestLimitExceeded":                   &types.RequestLimitExceeded{},
	}
	for name, err := range throttles {
		if !retryer.IsErrorRetryable(err) {
			t.Errorf("IsErrorRetryable(%s) = false; want true (the SDK's retries stay on for throttling)", name)
		}
	}
	attempts := retryer.MaxAttempts()
	if attempts < 2 || attempts > 3 {
		t.Errorf("MaxAttempts() = %d; want 2 or 3 (retries on, bounded)", attempts)
	}
	backoff := longestBackoff(t, retryer.RetryDelay)
	if backoff > time.Second {
		t.Errorf("longest backoff = %v; want at most 1s", backoff)
	}
	perAttempt := attemptTimeout(o.HTTPClient)
	if perAttempt <= 0 {
		t.Errorf("the HTTP client has no timeout: one attempt on a connection that hangs lasts until the invocation's "+
			"own %v deadline, so the function is killed before it can answer 503 (worst case unbounded; want %d attempts × a per-attempt timeout + %d × %v backoff ≤ %v)",
			lambdaTimeout, attempts, attempts-1, backoff, lambdaTimeout-answerMargin)
		return
	}
	worst := time.Duration(attempts)*perAttempt + time.Duration(attempts-1)*backoff
	if worst > lambdaTimeout-answerMargin {
		t.Errorf("worst case of one store call = %d × %v + %d × %v = %v; want ≤ %v", attempts, perAttempt, attempts-1, backoff, worst, lambdaTimeout-answerMargin)
	}
}

// longestBackoff samples the retryer's jittered delay over many attempts.
func longestBackoff(t *testing.T, delay func(int, error) (time.Duration, error)) time.Duration {
	t.Helper()
	throttle := &types.ProvisionedThroughputExceededException{}
	var longest time.Duration
	for attempt := 1; attempt <= 20; attempt++ {
		for range 50 {
			d, err := delay(attempt, throttle)
			if err != nil {
				t.Fatalf("RetryDelay(%d) = %v", attempt, err)
			}
			longest = max(longest, d)
		}
	}
	return longest
}

// attemptTimeout is the HTTP client's bound on one attempt, or 0 for none.
func attemptTimeout(c any) time.Duration {
	if tc, ok := c.(interface{ GetTimeout() time.Duration }); ok {
		return tc.GetTimeout()
	}
	return 0
}
