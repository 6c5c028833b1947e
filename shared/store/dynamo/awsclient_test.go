package dynamo_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/latchkey/latchkey/shared/store/dynamo"
)

func TestNewClientOptions(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_CONFIG_FILE", "/nonexistent")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
	tests := []struct {
		name, region, endpoint string
		wantRegion             string
		wantLocal              bool
	}{
		{"local endpoint, no region", "", "http://127.0.0.1:1", "us-east-1", true},
		{"local endpoint, region", "eu-west-1", "http://127.0.0.1:1", "eu-west-1", true},
		{"AWS", "eu-central-1", "", "eu-central-1", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := dynamo.NewClient(context.Background(), tt.region, tt.endpoint)
			if err != nil {
				t.Fatalf("NewClient = %v", err)
			}
			o := c.Options()
			if o.Region != tt.wantRegion {
				t.Errorf("Region = %q; want %q", o.Region, tt.wantRegion)
			}
			if got := aws.ToString(o.BaseEndpoint); got != tt.endpoint {
				t.Errorf("BaseEndpoint = %q; want %q", got, tt.endpoint)
			}
			if o.DisableValidateResponseChecksum != tt.wantLocal {
				t.Errorf("DisableValidateResponseChecksum = %v; want %v", o.DisableValidateResponseChecksum, tt.wantLocal)
			}
			if got := o.Retryer.MaxAttempts(); got != 3 {
				t.Errorf("Retryer.MaxAttempts() = %d; want 3", got)
			}
			if !tt.wantLocal {
				return // the default chain would probe the metadata service
			}
			creds, err := o.Credentials.Retrieve(context.Background())
			if err != nil || creds.AccessKeyID != "local" {
				t.Errorf("credentials = %q, %v; want static local", creds.AccessKeyID, err)
			}
		})
	}
}
