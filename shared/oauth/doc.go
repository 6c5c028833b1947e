// Package oauth holds the wire vocabulary of OAuth 2.0: grant and token
// type names, the error type of RFC 6749 §5.2 with its constructors, scope
// strings (RFC 6749 §3.3) and the JSON shapes the endpoints answer with.
//
// It imports only the standard library so that every other package, the
// core included, can speak the protocol's words without depending on a
// transport.
package oauth
