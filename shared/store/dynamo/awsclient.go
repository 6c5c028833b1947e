package dynamo

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// Retry bounds: a Lambda has 10 s to answer, so a failing call gives up
// after three attempts with at most a second between them, and the core
// answers temporarily_unavailable in time.
const (
	maxAttempts     = 3
	attemptTimeout  = 2 * time.Second
	maxBackoffDelay = time.Second
	// localRegion is used against a local endpoint when none is configured;
	// DynamoDB Local with -sharedDb ignores it.
	localRegion = "us-east-1"
	// localKey is the access key for DynamoDB Local, which accepts only
	// letters and digits (docs/design.md §9) and checks no signature.
	localKey = "local"
)

// NewClient returns a DynamoDB client for region. A non-empty endpoint
// (DynamoDB Local) becomes the base endpoint, response checksum validation
// is turned off because DynamoDB Local sends no x-amz-crc32, and static
// "local" credentials stand in when the environment has no AWS keys. The
// options in optFns apply last (tests add a request counter there).
func NewClient(ctx context.Context, region, endpoint string, optFns ...func(*dynamodb.Options)) (*dynamodb.Client, error) {
	loadOpts := []func(*config.LoadOptions) error{
		config.WithRetryer(func() aws.Retryer {
			r := retry.AddWithMaxAttempts(retry.NewStandard(), maxAttempts)
			return retry.AddWithMaxBackoffDelay(r, maxBackoffDelay)
		}),
	}
	if region != "" {
		loadOpts = append(loadOpts, config.WithRegion(region))
	}
	if endpoint == "" {
		// On AWS each attempt is bounded too: 3 attempts × 2 s + 2 × 1 s
		// backoff stays under the functions' 10 s timeout, so a hung
		// connection ends in a 503 the function writes, not a killed
		// invocation. DynamoDB Local on a loaded test machine can take
		// longer than 2 s for one call, so it gets no per-attempt bound.
		loadOpts = append(loadOpts, config.WithHTTPClient(awshttp.NewBuildableClient().WithTimeout(attemptTimeout)))
	} else {
		local, err := localLoadOptions(region)
		if err != nil {
			return nil, err
		}
		loadOpts = append(loadOpts, local...)
	}
	cfg, err := config.LoadDefaultConfig(ctx, loadOpts...)
	if err != nil {
		return nil, fmt.Errorf("dynamo: load AWS config: %w", err)
	}
	opts := []func(*dynamodb.Options){}
	if endpoint != "" {
		opts = append(opts, func(o *dynamodb.Options) {
			o.BaseEndpoint = aws.String(endpoint)
			o.DisableValidateResponseChecksum = true
		})
	}
	return dynamodb.NewFromConfig(cfg, append(opts, optFns...)...), nil
}

// localLoadOptions are the extra options for a local endpoint: a default
// region, and static credentials unless the environment holds AWS keys.
// Static credentials also keep the SDK from probing the EC2 metadata
// service, which does not exist off AWS.
func localLoadOptions(region string) ([]func(*config.LoadOptions) error, error) {
	var opts []func(*config.LoadOptions) error
	if region == "" {
		opts = append(opts, config.WithDefaultRegion(localRegion))
	}
	env, err := config.NewEnvConfig()
	if err != nil {
		return nil, fmt.Errorf("dynamo: read AWS environment: %w", err)
	}
	if !env.Credentials.HasKeys() {
		creds := credentials.NewStaticCredentialsProvider(localKey, localKey, "")
		opts = append(opts, config.WithCredentialsProvider(creds))
	}
	return opts, nil
}
