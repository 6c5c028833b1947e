// Package config reads Latchkey's configuration from the environment,
// once, at start-up. It is the only package that looks at environment
// variables; everything else receives a Config.
package config
