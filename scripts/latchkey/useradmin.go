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
