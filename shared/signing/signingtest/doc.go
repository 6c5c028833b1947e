// Package signingtest helps tests build signing keys quickly.
//
// An RSA-2048 key takes about 0.4 s to generate on a small machine, and
// every key set with an RS256 family needs two; tests that build many key
// sets take their RSA keys from a few made in advance (testkeys.pem, test
// material only, never used by a deployment).
package signingtest
