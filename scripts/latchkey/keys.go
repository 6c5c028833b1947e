package main

import (
	"context"
	"errors"
)

func (c cli) keys(ctx context.Context, args []string) error {
	return c.sub(ctx, "keys", args, map[string]func(context.Context, []string) error{
		"rotate": c.keysRotate, "list": c.keysList, "revoke": c.keysRevoke,
	})
}

// keysRotate promotes the next key now: it starts signing, the current one
// retires and stays published until its tokens have expired. Running
// servers sign with the new key once their key cache expires
// (KEY_CACHE_TTL; make dev's server: within a second).
func (c cli) keysRotate(ctx context.Context, args []string) error {
	if err := parse(c.flags("keys rotate"), args, 0); err != nil {
		return err
	}
	a, err := c.app(ctx)
	if err != nil {
		return err
	}
	if a.Config.KeyEncryptionKey == nil && a.Config.KeyEncryptionSecretARN == "" {
		return errors.New("keys rotate seals a new key: set KEY_ENCRYPTION_KEY (make dev's is in " + devEnvPath +
			") or KEY_ENCRYPTION_SECRET_ARN")
	}
	if err := a.Keys.Rotate(ctx); err != nil {
		return err
	}
	return c.keysList(ctx, nil)
}

func (c cli) keysList(ctx context.Context, args []string) error {
	if err := parse(c.flags("keys list"), args, 0); err != nil {
		return err
	}
	a, err := c.app(ctx)
	if err != nil {
		return err
	}
	infos, err := a.Keys.List(ctx)
	if err != nil {
		return err
	}
	return c.printJSON(infos)
}

// keysRevoke pulls a compromised key (issue 11 §18): `latchkey keys revoke
// KID` removes it from the key set, so it leaves the JWKS and stops
// verifying and signing in every container once its key cache expires
// (KEY_CACHE_TTL); if it was signing, the next key takes over at once.
func (c cli) keysRevoke(ctx context.Context, args []string) error {
	fs := c.flags("keys revoke KID")
	if err := parse(fs, args, 1); err != nil {
		return err
	}
	a, err := c.app(ctx)
	if err != nil {
		return err
	}
	if a.Config.KeyEncryptionKey == nil && a.Config.KeyEncryptionSecretARN == "" {
		return errors.New("keys revoke may seal a new key: set KEY_ENCRYPTION_KEY (make dev's is in " + devEnvPath +
			") or KEY_ENCRYPTION_SECRET_ARN")
	}
	if err := a.Keys.Revoke(ctx, fs.Arg(0)); err != nil {
		return err
	}
	return c.keysList(ctx, nil)
}
