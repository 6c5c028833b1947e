// Package app is the composition root: from a Config it builds the
// DynamoDB client, the store, the signing keys, the core Service and the
// HTTP API. It holds no logic of its own; every Lambda main and the local
// server start here.
package app
