// Package httpapi is Latchkey's HTTP surface: one handler per endpoint,
// the route table every host mounts (each Lambda function its own routes,
// `latchkey serve` all of them), request decoding with its limits, and the
// single writer of JSON answers and OAuth errors.
//
// Every handler has one shape: decode, check required parameters, call
// one method of the core, write. It imports no AWS package, so the same
// handlers run behind API Gateway and on a laptop.
//
// The browser sign-in's handlers (authorize.go, authdecode.go) write HTML
// instead: pages.go renders the embedded templates of web/ with the
// security headers every page carries, sends the browser on with the
// cookies the core asks for, and shows errors that may not go back to a
// client on the error page.
package httpapi
