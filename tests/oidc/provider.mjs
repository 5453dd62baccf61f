// An upstream OpenID provider for the `oidc` identity adapter's tests: the real npm
// `oidc-provider` on 127.0.0.1 (a free port), with one confidential client and one account.
//
//   node provider.mjs --redirect-uri URI [--redirect-uri URI ...] [--claims-in-id-token]
//                     [--port N]
//
// Prints `LISTENING <port>` on stdout once it accepts connections; the issuer is then
// `http://127.0.0.1:<port>`. Runs until killed. The port is a free one unless `--port` names
// it (a test restarts the provider on the same issuer to rotate its signing key: every start
// makes a new key with a new `kid`).
//
// The login needs no browser: instead of the package's development pages, GET
// /interaction/<uid> logs the fixed account in (the login prompt) and grants what the
// client asked for (the consent prompt) at once, answering with the provider's own 303 to
// resume the authorization. `GET /interaction/<uid>?deny=1` ends the interaction with
// `access_denied`, as a person pressing "Cancel" would.
//
// By default the provider does what the OpenID spec says for the code flow: the ID token
// carries only `sub` and the protocol claims, and `email`, `email_verified` and `name` come
// from the userinfo endpoint. `--claims-in-id-token` puts them in the ID token instead and
// turns the userinfo endpoint off.

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';

import Provider from 'oidc-provider';

const CLIENT_ID = 'platform-mcp';
const CLIENT_SECRET = 'platform-mcp-test-secret';
const ACCOUNT = {
  sub: 'alice-0001',
  email: 'alice@example.test',
  email_verified: true,
  name: 'Alice Example',
};

const { values: args } = parseArgs({
  options: {
    'redirect-uri': { type: 'string', multiple: true, default: [] },
    'claims-in-id-token': { type: 'boolean', default: false },
    port: { type: 'string', default: '0' },
  },
});
if (args['redirect-uri'].length === 0) {
  console.error('provider.mjs: at least one --redirect-uri is required');
  process.exit(2);
}

// A fresh RS256 signing key per run (the package would otherwise use its fixed development
// keys and say so on every start).
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = {
  ...privateKey.export({ format: 'jwk' }),
  kid: `rs256-${randomBytes(6).toString('hex')}`,
  alg: 'RS256',
  use: 'sig',
};

const server = createServer();
await new Promise((resolve, reject) => {
  server.once('error', reject);
  server.listen(Number(args.port), '127.0.0.1', resolve);
});
const { port } = server.address();
const issuer = `http://127.0.0.1:${port}`;

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      redirect_uris: args['redirect-uri'],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
  ],
  jwks: { keys: [signingKey] },
  cookies: { keys: [randomBytes(32).toString('base64url')] },
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name'],
  },
  conformIdTokenClaims: !args['claims-in-id-token'],
  features: {
    // Replaced by the automatic interaction below.
    devInteractions: { enabled: false },
    // With the claims in the ID token, no userinfo endpoint: the adapter must read them there.
    userinfo: { enabled: !args['claims-in-id-token'] },
  },
  pkce: { required: () => true },
  // Short, explicit lifetimes (the defaults print a notice each time they are used).
  ttl: {
    AccessToken: 600,
    AuthorizationCode: 60,
    Grant: 3600,
    IdToken: 600,
    Interaction: 600,
    Session: 3600,
  },
  async findAccount(_ctx, sub) {
    if (sub !== ACCOUNT.sub) return undefined;
    return {
      accountId: sub,
      async claims() {
        return { ...ACCOUNT };
      },
    };
  },
});
// Loopback http, no reverse proxy: nothing to trust in X-Forwarded-*.
provider.proxy = false;

// The provider's own routes, behind the automatic interaction.
const callback = provider.callback();

async function interaction(req, res, url) {
  const details = await provider.interactionDetails(req, res);
  if (url.searchParams.get('deny') === '1') {
    return provider.interactionFinished(req, res, {
      error: 'access_denied',
      error_description: 'The person declined to sign in',
    }, { mergeWithLastSubmission: false });
  }
  const { prompt, params, session, grantId } = details;
  switch (prompt.name) {
    case 'login':
      return provider.interactionFinished(req, res, {
        login: { accountId: ACCOUNT.sub },
      }, { mergeWithLastSubmission: false });
    case 'consent': {
      const grant = grantId
        ? await provider.Grant.find(grantId)
        : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
      if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(' '));
      if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
      return provider.interactionFinished(req, res, {
        consent: { grantId: await grant.save() },
      }, { mergeWithLastSubmission: true });
    }
    default:
      res.statusCode = 501;
      res.end(`provider.mjs: no automatic answer to the ${prompt.name} prompt`);
      return undefined;
  }
}

server.on('request', (req, res) => {
  const url = new URL(req.url, issuer);
  if (req.method === 'GET' && /^\/interaction\/[^/]+$/.test(url.pathname)) {
    interaction(req, res, url).catch((err) => {
      console.error('provider.mjs: interaction failed:', err);
      res.statusCode = 500;
      res.end(String(err));
    });
    return;
  }
  callback(req, res);
});

// Errors the provider answers to a client (invalid_grant for a reused code, …) are part of
// the tests; print them to stderr so a failing test shows why.
for (const event of ['grant.error', 'authorization.error', 'server_error', 'userinfo.error']) {
  provider.on(event, (_ctx, err) => console.error(`provider.mjs: ${event}: ${err.message} ${err.error_description ?? ''}`));
}

process.on('SIGTERM', () => server.close(() => process.exit(0)));
console.log(`LISTENING ${port}`);
