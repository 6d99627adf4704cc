// Comparison peer for the Tessera benchmark: node-oidc-provider configured as a
// production-like confidential-client provider, with an unbounded in-memory store.
//
// stdout carries exactly one line, `listening http://127.0.0.1:PORT`; every
// library notice is sent to stderr instead.

import * as crypto from 'node:crypto';
import * as http from 'node:http';

// oidc-provider prints its notices with console.info (stdout). Keep stdout for
// the single readiness line the harness waits for.
console.info = (...args) => console.error(...args);

const { default: Provider, errors } = await import('oidc-provider');

const HOST = '127.0.0.1';
const API = 'https://api.bench.example';
const WEB_REDIRECT = 'https://bench.example.com/cb';
const SEED_MAX = 500_000;
// Seeded authorization codes outlive the provider's usual 60 s so that a
// benchmark run can redeem them after seeding; everything else uses the
// provider's normal lifetimes.
const SEEDED_CODE_TTL = 60 * 60;

// ---------------------------------------------------------------------------
// In-memory adapter.
//
// oidc-provider's bundled development adapter is an LRU capped at ~1000
// entries, which silently evicts seeded artefacts. This one is the same data
// model (a key/value store with expiry and a grant index, as one would keep in
// Redis) backed by an unbounded Map, with expired entries removed lazily on
// read and by a periodic sweep.
// ---------------------------------------------------------------------------

const store = new Map(); // key -> { value, expiresAt (ms epoch or Infinity) }
const grantIndex = new Map(); // grantId -> Set of token keys

function storeGet(key) {
  const entry = store.get(key);
  if (entry === undefined) return undefined;
  if (entry.expiresAt <= Date.now()) {
    storeDelete(key);
    return undefined;
  }
  return entry.value;
}

function storeSet(key, value, expiresIn) {
  const expiresAt = typeof expiresIn === 'number' ? Date.now() + expiresIn * 1000 : Infinity;
  store.set(key, { value, expiresAt });
}

function storeDelete(key) {
  const entry = store.get(key);
  if (entry === undefined) return;
  store.delete(key);
  const payload = entry.value;
  if (payload && typeof payload === 'object' && payload.grantId) {
    const members = grantIndex.get(payload.grantId);
    if (members) {
      members.delete(key);
      if (members.size === 0) grantIndex.delete(payload.grantId);
    }
  }
}

function sweep() {
  const now = Date.now();
  for (const [key, entry] of store) {
    if (entry.expiresAt <= now) storeDelete(key);
  }
}
setInterval(sweep, 30_000).unref();

const grantable = new Set([
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
  'PreAuthorizedCode',
]);

class MemoryAdapter {
  constructor(model) {
    this.model = model;
  }

  key(id) {
    return `${this.model}:${id}`;
  }

  async upsert(id, payload, expiresIn) {
    const key = this.key(id);
    if (this.model === 'Session') {
      storeSet(`sessionUid:${payload.uid}`, id, expiresIn);
    }
    if (payload.userCode) {
      storeSet(`userCode:${payload.userCode}`, id, expiresIn);
    }
    if (grantable.has(this.model) && payload.grantId) {
      let members = grantIndex.get(payload.grantId);
      if (!members) {
        members = new Set();
        grantIndex.set(payload.grantId, members);
      }
      members.add(key);
    }
    storeSet(key, payload, expiresIn);
  }

  async find(id) {
    return storeGet(this.key(id));
  }

  async findByUid(uid) {
    const id = storeGet(`sessionUid:${uid}`);
    return id === undefined ? undefined : this.find(id);
  }

  async findByUserCode(userCode) {
    const id = storeGet(`userCode:${userCode}`);
    return id === undefined ? undefined : this.find(id);
  }

  async consume(id) {
    const payload = storeGet(this.key(id));
    if (payload) payload.consumed = Math.floor(Date.now() / 1000);
  }

  async destroy(id) {
    storeDelete(this.key(id));
  }

  async revokeByGrantId(grantId) {
    const members = grantIndex.get(grantId);
    if (!members) return;
    grantIndex.delete(grantId);
    for (const key of members) store.delete(key);
  }
}

// ---------------------------------------------------------------------------
// Keys: one ES256 (P-256) signing key per start; random cookie keys.
// ---------------------------------------------------------------------------

const { privateKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
const signingJwk = {
  ...privateKey.export({ format: 'jwk' }),
  kid: crypto.randomBytes(12).toString('base64url'),
  alg: 'ES256',
  use: 'sig',
};

// ---------------------------------------------------------------------------
// Provider configuration.
// ---------------------------------------------------------------------------

const configuration = {
  adapter: MemoryAdapter,
  jwks: { keys: [signingJwk] },
  cookies: {
    keys: [crypto.randomBytes(32).toString('base64url')],
  },

  clients: [
    {
      client_id: 'machine',
      client_secret: 'machine-secret',
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
    },
    {
      client_id: 'web',
      client_secret: 'web-secret',
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: [WEB_REDIRECT],
      id_token_signed_response_alg: 'ES256',
    },
  ],
  clientDefaults: {
    grant_types: ['authorization_code'],
    id_token_signed_response_alg: 'ES256',
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  },
  enabledJWA: {
    idTokenSigningAlgValues: ['ES256'],
  },

  scopes: ['openid', 'offline_access'],
  // The userinfo claims are released with the `openid` scope alone.
  claims: {
    openid: ['sub', 'name', 'phone_number'],
  },

  async findAccount(ctx, sub) {
    return {
      accountId: sub,
      async claims() {
        return { sub, name: 'Bench User', phone_number: '+8613800000000' };
      },
    };
  },

  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    introspection: {
      enabled: true,
      // A client may introspect the tokens issued to itself.
      async allowedPolicy(ctx, client, token) {
        return token.clientId === client.clientId;
      },
    },
    revocation: { enabled: false },
    userinfo: { enabled: true },
    resourceIndicators: {
      enabled: true,
      async defaultResource(ctx, client, oneOf) {
        if (oneOf) return oneOf;
        // client_credentials without `resource` targets the benchmark API.
        return client.clientId === 'machine' ? API : undefined;
      },
      async useGrantedResource() {
        return false;
      },
      async getResourceServerInfo(ctx, resourceIndicator) {
        if (resourceIndicator === API) {
          return {
            scope: 'api',
            accessTokenFormat: 'jwt',
            accessTokenTTL: 60 * 60,
            jwt: { sign: { alg: 'ES256' } },
          };
        }
        throw new errors.InvalidTarget();
      },
    },
  },

  // PKCE stays mandatory for public clients only; the confidential `web`
  // client redeems codes with its secret (this is also the library default).
  pkce: {
    required(ctx, client) {
      return client.clientAuthMethod === 'none';
    },
  },

  // Every refresh_token grant rotates the refresh token; reuse of a rotated
  // token fails and revokes the grant.
  rotateRefreshToken: true,
  async issueRefreshToken(ctx, client, code) {
    return client.grantTypeAllowed('refresh_token') && code.scopes.has('offline_access');
  },
  async expiresWithSession(ctx, code) {
    return !code.scopes.has('offline_access');
  },

  ttl: {
    AccessToken: 60 * 60,
    AuthorizationCode: 60,
    ClientCredentials: 60 * 60,
    IdToken: 60 * 60,
    RefreshToken: 14 * 24 * 60 * 60,
    Grant: 14 * 24 * 60 * 60,
    Session: 14 * 24 * 60 * 60,
    Interaction: 60 * 60,
    DeviceCode: 10 * 60,
    BackchannelAuthenticationRequest: 10 * 60,
    PreAuthorizedCode: 10 * 60,
  },

  async renderError(ctx, out) {
    ctx.type = 'json';
    ctx.body = out;
  },
};

// ---------------------------------------------------------------------------
// Bench-only seeding: mint artefacts straight through the provider's models.
// ---------------------------------------------------------------------------

let provider;
let webClient;

async function newGrant(accountId, scope) {
  const grant = new provider.Grant({ accountId, clientId: 'web' });
  grant.addOIDCScope(scope);
  return grant.save();
}

const seeders = {
  async code(i, prefix) {
    const accountId = `u-${prefix}-${i}`;
    const scope = 'openid offline_access';
    const grantId = await newGrant(accountId, scope);
    const code = new provider.AuthorizationCode({
      accountId,
      client: webClient,
      grantId,
      scope,
      redirectUri: WEB_REDIRECT,
      authTime: Math.floor(Date.now() / 1000),
      expiresIn: SEEDED_CODE_TTL,
    });
    return code.save();
  },
  async refresh(i, prefix) {
    const accountId = `u-${prefix}-${i}`;
    const scope = 'openid offline_access';
    const grantId = await newGrant(accountId, scope);
    const rt = new provider.RefreshToken({
      accountId,
      client: webClient,
      grantId,
      scope,
      gty: 'authorization_code',
      authTime: Math.floor(Date.now() / 1000),
      rotations: 0,
    });
    return rt.save();
  },
  async access(i, prefix) {
    const accountId = `u-${prefix}-${i}`;
    const scope = 'openid';
    const grantId = await newGrant(accountId, scope);
    const at = new provider.AccessToken({
      accountId,
      client: webClient,
      grantId,
      scope,
      gty: 'authorization_code',
    });
    return at.save();
  },
};

let seedBatch = 0;

async function handleSeed(req, res, url) {
  const send = (status, body) => {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(text),
    });
    res.end(text);
  };
  if (req.method !== 'POST') {
    res.setHeader('allow', 'POST');
    send(405, { error: 'method_not_allowed' });
    return;
  }
  req.resume(); // no body expected; drain whatever came
  const kind = url.searchParams.get('kind');
  const n = Number(url.searchParams.get('n') ?? '1');
  const seed = seeders[kind];
  if (!seed) {
    send(400, { error: 'invalid_request', error_description: 'kind must be code, refresh or access' });
    return;
  }
  if (!Number.isInteger(n) || n < 1 || n > SEED_MAX) {
    send(400, { error: 'invalid_request', error_description: `n must be an integer in 1..${SEED_MAX}` });
    return;
  }
  seedBatch += 1;
  const prefix = `${kind[0]}${seedBatch}`;
  const out = new Array(n);
  try {
    for (let i = 0; i < n; i += 1) {
      out[i] = await seed(i, prefix);
    }
  } catch (err) {
    console.error('seeding failed:', err);
    send(500, { error: 'server_error' });
    return;
  }
  send(200, out);
}

// ---------------------------------------------------------------------------
// Start.
// ---------------------------------------------------------------------------

const port = Number(process.env.PEER_PORT ?? '0');
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`invalid PEER_PORT: ${process.env.PEER_PORT}`);
  process.exit(2);
}

let oidcCallback;
const server = http.createServer((req, res) => {
  if (req.url.startsWith('/bench/')) {
    const url = new URL(req.url, 'http://127.0.0.1');
    if (url.pathname === '/bench/seed') {
      handleSeed(req, res, url);
      return;
    }
  }
  if (oidcCallback === undefined) {
    res.writeHead(503).end();
    return;
  }
  oidcCallback(req, res);
});
// Long-lived keep-alive connections for the load generator's pool.
server.keepAliveTimeout = 65_000;
server.headersTimeout = 66_000;

server.listen(port, HOST, async () => {
  const { port: bound } = server.address();
  const issuer = `http://${HOST}:${bound}`;
  provider = new Provider(issuer, configuration);
  // Errors are answered to the client; nothing is logged per request.
  provider.silent = true;
  oidcCallback = provider.callback();
  webClient = await provider.Client.find('web');
  process.stdout.write(`listening ${issuer}\n`);
});

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    server.close();
    process.exit(0);
  });
}
