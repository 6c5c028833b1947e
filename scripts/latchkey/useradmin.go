package main

import (
	"context"
)

// userUnlock clears the sign-in throttle of a user for every source
// (issue 11 §2): `latchkey user unlock USERNAME`.
func (c cli) userUnlock(ctx context.Context, args []string) error {
	fs := c.flags("user unlock USERNAME")
	if err := parse(fs, args, 1); err != nil {
		return err
	}
	a, err := c.app(ctx)
	if err != nil {
		return err
	}
	n, err := a.Service.UnlockUser(ctx, fs.Arg(0))
	if err != nil {
		return err
	}
	c.printf("unlocked %s: cleared the sign-in attempts of %d sources\n", fs.Arg(0), n)
	return nil
}

// userDisable stops a user at once (issue 11 §5): `latchkey user disable
// USERNAME` refuses its password and revokes every session and
// long-lived token of its subject.
func (c cli) userDisable(ctx context.Context, args []string) error {
	fs := c.flags("user disable USERNAME")
	if err := parse(fs, args, 1); err != nil {
		return err
	}
	a, err := c.app(ctx)
	if err != nil {
		return err
	}
	n, err := a.Service.DisableUser(ctx, fs.Arg(0))
	if err != nil {
		return err
	}
	c.printf("disabled %s: revoked %d sessions and long-lived tokens\n", fs.Arg(0), n)
	return nil
}

// userEnable lets a disabled user sign in again: `latchkey user enable
// USERNAME`. What the disable revoked stays revoked.
func (c cli) userEnable(ctx context.Context, args []string) error {
	fs := c.flags("user enable USERNAME")
	if err := parse(fs, args, 1); err != nil {
		return err
	}
	a, err := c.app(ctx)
	if err != nil {
		return err
	}
	if err := a.Service.EnableUser(ctx, fs.Arg(0)); err != nil {
		return err
	}
	c.printf("enabled %s\n", fs.Arg(0))
	return nil
}
