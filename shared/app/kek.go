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
	secret, err := readSecret(ctx, cfg.Region, cfg.KeyEncryptionSecretARN)
	if err != nil {
		return nil, fmt.Errorf("read key-encryption secret: %w", err)
	}
	return signing.KEKFromSecret(secret)
}

// loadCursorKey returns the sessions page's cursor key (issue 11 §14):
// given directly (local), derived from its own secret (AWS: the
// sessions-list function, which holds no key-encryption key), or derived
// from the key-encryption key by a process that has one; nil otherwise.
func loadCursorKey(ctx context.Context, cfg config.Config, kek []byte) ([]byte, error) {
	switch {
	case cfg.CursorKey != nil:
		return cfg.CursorKey, nil
	case cfg.CursorKeySecretARN != "":
		secret, err := readSecret(ctx, cfg.Region, cfg.CursorKeySecretARN)
		if err != nil {
			return nil, fmt.Errorf("read cursor secret: %w", err)
		}
		return signing.CursorKeyFromSecret(secret)
	case kek != nil:
		return signing.CursorKey(kek)
	}
	return nil, nil
}

// readSecret reads a Secrets Manager secret's string value.
func readSecret(ctx context.Context, region, arn string) (string, error) {
	awsCfg, err := awsconfig.LoadDefaultConfig(ctx, awsconfig.WithRegion(region))
	if err != nil {
		return "", fmt.Errorf("aws config: %w", err)
	}
	out, err := secretsmanager.NewFromConfig(awsCfg).GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: &arn})
	if err != nil {
		return "", err
	}
	if out.SecretString == nil {
		return "", fmt.Errorf("the secret has no string value")
	}
	return *out.SecretString, nil
}
