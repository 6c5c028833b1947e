// Package clientmetadata fetches OAuth Client ID Metadata Documents
// (draft-ietf-oauth-client-id-metadata-document, which the MCP
// authorization specification of 2025-11-25 prefers for registration): a
// client names itself with an https URL as its client_id, and Latchkey
// reads the client's metadata from that URL.
//
// Fetching a URL an anonymous caller chose is a server-side request
// forgery risk (§8.6), so the Fetcher reads only over https from public
// addresses: the host is resolved once and every address it resolves to
// must be public (no loopback, private, link-local — 169.254.169.254, the
// cloud metadata service —, shared, documentation or other special-use
// range of RFC 6890), the connection goes to an address that was checked,
// and the socket's address is checked again just before it connects. It
// uses no proxy, follows no redirect, reads at most 5 KiB (§8.7) within
// a time limit, and keeps a valid document only as long as its HTTP
// caching headers allow (at most a day), never an error or an invalid
// document (§5.2).
//
// The core (shared/tokens) decides what a document may register: it sees
// this package only through its ClientMetadataFetcher port.
package clientmetadata
