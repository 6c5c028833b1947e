// The official TypeScript MCP SDK's client OAuth flow against Latchkey
// (issue 13), run by scripts/examples/mcpserver's TestTypeScriptSDK with:
//   MCP_URL       the example MCP server (guarded by shared/resourceserver)
//   REDIRECT_URL  the client's loopback redirect URI
//   CLIENT_METADATA_URL  set: sign in with a Client ID Metadata Document;
//                 unset: register with Dynamic Client Registration
//   LK_USER, LK_PASSWORD  who signs in on the hosted login page
//   CONTROL_URL   the test's endpoint that moves Latchkey's clock
// The SDK does discovery from the server's 401, registration, PKCE and the
// token exchange itself; this script only plays the user at the browser
// (the login and consent forms over HTTP) and reports each step as a line
// of JSON on stdout.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';

const env = (name) => {
	const v = process.env[name];
	if (v === undefined) throw new Error(`${name} is not set`);
	return v;
};
const report = (step, detail) => console.log(JSON.stringify({ step, ...detail }));

// Provider keeps what the SDK hands it in memory, as a CLI client would.
class Provider {
	constructor() {
		this.stored = {};
		this.authorizationUrl = undefined;
		this.clientMetadataUrl = process.env.CLIENT_METADATA_URL || undefined;
	}
	get redirectUrl() { return env('REDIRECT_URL'); }
	get clientMetadata() {
		return {
			client_name: 'TypeScript SDK test client', redirect_uris: [env('REDIRECT_URL')],
			grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], token_endpoint_auth_method: 'none',
		};
	}
	clientInformation() { return this.stored.client; }
	saveClientInformation(info) { this.stored.client = info; }
	tokens() { return this.stored.tokens; }
	saveTokens(tokens) { this.stored.tokens = tokens; }
	codeVerifier() { return this.stored.verifier; }
	saveCodeVerifier(v) { this.stored.verifier = v; }
	// The app opens the browser; this one asks for offline_access too,
	// as an app that wants to stay signed in does.
	redirectToAuthorization(url) {
		const scope = new Set((url.searchParams.get('scope') || '').split(' ').filter(Boolean));
		scope.add('offline_access');
		url.searchParams.set('scope', [...scope].join(' '));
		this.authorizationUrl = url;
	}
}

// Browser plays the user: it follows the sign-in with a cookie jar and
// fills in the login and consent forms. It returns the authorization code.
class Browser {
	constructor() { this.cookies = new Map(); }
	async request(url, init = {}) {
		const headers = new Headers(init.headers);
		if (this.cookies.size) headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
		const res = await fetch(url, { ...init, headers, redirect: 'manual' });
		for (const c of res.headers.getSetCookie()) {
			const [pair] = c.split(';');
			const i = pair.indexOf('=');
			this.cookies.set(pair.slice(0, i), pair.slice(i + 1));
		}
		return res;
	}
	async post(url, form) {
		return this.request(url, { method: 'POST', body: new URLSearchParams(form), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
	}
	static field(html, name) {
		const m = html.match(new RegExp(`name="${name}"[^>]*value="([^"]*)"`));
		if (!m) throw new Error(`no ${name} field in the page`);
		return m[1];
	}
	async signIn(authorizationUrl) {
		let res = await this.request(authorizationUrl);
		let next = new URL(res.headers.get('location'), authorizationUrl);
		if (next.pathname === '/oauth2/login') {
			const page = await (await this.request(next)).text();
			res = await this.post(new URL('/oauth2/login', next), {
				request: Browser.field(page, 'request'), username: env('LK_USER'), password: env('LK_PASSWORD'),
			});
			next = new URL(res.headers.get('location'), next);
		}
		if (next.pathname === '/oauth2/consent') {
			const page = await (await this.request(next)).text();
			report('consent', { page: page.replace(/\s+/g, ' ') });
			res = await this.post(new URL('/oauth2/consent', next), { request: Browser.field(page, 'request'), decision: 'allow' });
			next = new URL(res.headers.get('location'), next);
		}
		if (!next.href.startsWith(env('REDIRECT_URL')) || !next.searchParams.get('code')) {
			throw new Error(`the sign-in ended at ${next.href}`);
		}
		return next.searchParams.get('code');
	}
}

const provider = new Provider();
const serverUrl = new URL(env('MCP_URL'));
const client = new Client({ name: 'latchkey-ts-e2e', version: '1.0.0' });
let transport = new StreamableHTTPClientTransport(serverUrl, { authProvider: provider });
try {
	await client.connect(transport);
	throw new Error('connected without signing in');
} catch (e) {
	if (!(e instanceof UnauthorizedError)) throw e;
}
report('redirected', { client_id: provider.stored.client?.client_id, authorization_url: provider.authorizationUrl.href });
const code = await new Browser().signIn(provider.authorizationUrl);
await transport.finishAuth(code);
report('signed_in', { has_refresh_token: Boolean(provider.stored.tokens?.refresh_token) });
transport = new StreamableHTTPClientTransport(serverUrl, { authProvider: provider });
await client.connect(transport);
const first = await client.callTool({ name: 'whoami', arguments: {} });
report('whoami', { result: first.structuredContent });
const accessToken = provider.stored.tokens.access_token;
// The access token expires on Latchkey's clock: the next call is a 401,
// and the SDK refreshes with its refresh token, without a new sign-in.
const advanced = await fetch(env('CONTROL_URL'), { method: 'POST' });
if (!advanced.ok) throw new Error(`control: ${advanced.status}`);
const second = await client.callTool({ name: 'whoami', arguments: {} });
report('refreshed', { result: second.structuredContent, new_token: provider.stored.tokens.access_token !== accessToken });
await client.close();
