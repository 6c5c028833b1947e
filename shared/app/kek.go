package app

import (
	"context"
	"fmt"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/latchkey/latchkey/shared/config"
	"github.com/latchkey/latchkey/shared/signing"
)

// loadKEK returns the key-encryption key: given directly (local), read
// from Secrets Manager (AWS), or nil for a verify-only function.
func loadKEK(ctx context.Context, cfg config.Config) ([]byte, error) {
	switch {
	case cfg.KeyEncryptionKey != nil:
		return cfg.KeyEncryptionKey, nil
	case cfg.KeyEncryptionSecretARN == "":
		return nil, nil
	}
	awsCfg, err := awsconfig.LoadDefaultConfig(ctx, awsconfig.WithRegion(cfg.Region))
	if err != nil {
		return nil, fmt.Errorf("aws config: %w", err)
	}
	out, err := secretsmanager.NewFromConfig(awsCfg).GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{
		SecretId: &cfg.KeyEncryptionSecretARN,
	})
	if err != nil {
		return nil, fmt.Errorf("read key-encryption secret: %w", err)
	}
	if out.SecretString == nil {
		return nil, fmt.Errorf("key-encryption secret has no string value")
	}
	return signing.KEKFromSecret(*out.SecretString)
}
