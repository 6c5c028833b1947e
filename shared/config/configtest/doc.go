// Package configtest reads the environment that only tests use (where
// the test DynamoDB Local runs, whether this is CI). It lives apart from
// package config so that no production binary links it.
package configtest
