package signingtest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	_ "embed"
	"encoding/pem"
	"fmt"
	"sync"
)

//go:embed testkeys.pem
var testKeysPEM []byte

// parsed holds testkeys.pem's keys, parsed once per test binary.
var parsed = sync.OnceValues(func() ([]*rsa.PrivateKey, error) {
	var keys []*rsa.PrivateKey
	for rest := testKeysPEM; ; {
		var block *pem.Block
		if block, rest = pem.Decode(rest); block == nil {
			return keys, nil
		}
		k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("signingtest: testkeys.pem: %w", err)
		}
		rk, ok := k.(*rsa.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("signingtest: testkeys.pem holds a %T", k)
		}
		keys = append(keys, rk)
	}
})

// RSAKeys returns a generator for signing.Options.GenerateRSA that hands
// out the keys made in advance, each once, and then generates fresh ones.
// Every call returns a new generator starting from the first key, so two
// key sets built in one test share key material: give each deployment
// under test its own generator only when they never share a store.
func RSAKeys() func() (*rsa.PrivateKey, error) {
	var mu sync.Mutex
	next := 0
	return func() (*rsa.PrivateKey, error) {
		keys, err := parsed()
		if err != nil {
			return nil, err
		}
		mu.Lock()
		defer mu.Unlock()
		if next < len(keys) {
			next++
			return keys[next-1], nil
		}
		return rsa.GenerateKey(rand.Reader, 2048)
	}
}
