package clientmetadata

import (
	"errors"
	"testing"
)

// TestControlChecksTheSocketAddress: the last check runs on the address
// the socket is about to connect to, whatever resolution said.
func TestControlChecksTheSocketAddress(t *testing.T) {
	d := dialer{allowed: Public}
	for address, wantErr := range map[string]bool{
		"8.8.8.8:443": false, "[2606:4700:4700::1111]:443": false,
		"127.0.0.1:443": true, "169.254.169.254:80": true, "[::1]:443": true, "[::ffff:10.0.0.1]:443": true, "not an address": true,
	} {
		err := d.control("tcp", address, nil)
		if got := errors.Is(err, ErrForbiddenAddress); got != wantErr {
			t.Errorf("control(%s) = %v; want forbidden %v", address, err, wantErr)
		}
	}
}
