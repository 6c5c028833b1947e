// Package console holds the Latchkey web console: static HTML, CSS and
// plain ES modules, embedded in the binary and served at /console by the
// authorize function. The console is an OAuth client of Latchkey itself
// (the public client latchkey-console, authorization code + PKCE); it
// needs no build step, loads nothing from outside the deployment and runs
// under a Content-Security-Policy that allows no inline script or style.
package console
