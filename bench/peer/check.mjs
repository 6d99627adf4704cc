// End-to-end check of the peer: starts server.mjs on a free port, exercises
// every path the benchmark measures, prints one line per check and exits
// non-zero on the first failure. Usage: node check.mjs [seed-count]
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';

const API = 'https://api.bench.example';
const REDIRECT = 'https://bench.example.com/cb';
const SEED_TIMING_N = Number(process.argv[2] ?? '20000');

const basic = (id, secret) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
const MACHINE = basic('machine', 'machine-secret');
const WEB = basic('web', 'web-secret');

function decodeJwt(jwt) {
  const [h, p] = jwt.split('.');
  return {
    header: JSON.parse(Buffer.from(h, 'base64url')),
    payload: JSON.parse(Buffer.from(p, 'base64url')),
  };
}

const child = spawn(process.execPath, [fileURLToPath(new URL('server.mjs', import.meta.url))], {
  env: { ...process.env, PEER_PORT: '0' },
  stdio: ['ignore', 'pipe', 'inherit'],
});
const base = await new Promise((resolve, reject) => {
  const rl = createInterface({ input: child.stdout });
  rl.once('line', (line) => {
    const m = /^listening (http:\/\/127\.0\.0\.1:\d+)$/.exec(line);
    if (m) resolve(m[1]); else reject(new Error(`unexpected first line: ${line}`));
  });
  child.once('exit', (code) => reject(new Error(`server exited early (${code})`)));
});

let passed = 0;
let failed = 0;
async function check(name, fn) {
  try {
    await fn();
    passed += 1;
    console.log(`ok   ${name}`);
  } catch (err) {
    failed += 1;
    console.log(`FAIL ${name}: ${err.message}`);
  }
}

async function form(path, auth, fields) {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields),
  });
  return { status: res.status, body: await res.json() };
}

async function seed(kind, n) {
  const res = await fetch(`${base}/bench/seed?kind=${kind}&n=${n}`, { method: 'POST' });
  assert.equal(res.status, 200);
  const list = await res.json();
  assert.equal(list.length, n);
  return list;
}

try {
  await check('discovery', async () => {
    const res = await fetch(`${base}/.well-known/openid-configuration`);
    assert.equal(res.status, 200);
    const d = await res.json();
    assert.equal(d.issuer, base);
    assert.equal(d.token_endpoint, `${base}/token`);
    assert.equal(d.userinfo_endpoint, `${base}/me`);
    assert.equal(d.introspection_endpoint, `${base}/token/introspection`);
    assert.equal(d.jwks_uri, `${base}/jwks`);
    assert.deepEqual(d.id_token_signing_alg_values_supported, ['ES256']);
  });

  let kid;
  await check('jwks has one P-256 key', async () => {
    const res = await fetch(`${base}/jwks`);
    assert.equal(res.status, 200);
    const { keys } = await res.json();
    assert.equal(keys.length, 1);
    assert.equal(keys[0].kty, 'EC');
    assert.equal(keys[0].crv, 'P-256');
    assert.equal(keys[0].d, undefined);
    kid = keys[0].kid;
  });

  await check('client_credentials -> ES256 JWT access token', async () => {
    const { status, body } = await form('/token', MACHINE, { grant_type: 'client_credentials', scope: 'api' });
    assert.equal(status, 200, JSON.stringify(body));
    assert.equal(body.token_type, 'Bearer');
    assert.equal(body.scope, 'api');
    const { header, payload } = decodeJwt(body.access_token);
    assert.equal(header.alg, 'ES256');
    assert.equal(header.typ, 'at+jwt');
    assert.equal(header.kid, kid);
    assert.equal(payload.aud, API);
    assert.equal(payload.client_id, 'machine');
    assert.equal(payload.iss, base);
  });

  await check('client_credentials without scope, explicit resource', async () => {
    const { status, body } = await form('/token', MACHINE, { grant_type: 'client_credentials', resource: API });
    assert.equal(status, 200, JSON.stringify(body));
    assert.equal(decodeJwt(body.access_token).header.alg, 'ES256');
  });

  await check('client_credentials wrong secret -> 401', async () => {
    const { status } = await form('/token', basic('machine', 'nope'), { grant_type: 'client_credentials' });
    assert.equal(status, 401);
  });

  await check('authorization_code redeem once, replay fails', async () => {
    const codes = await seed('code', 3);
    const fields = { grant_type: 'authorization_code', code: codes[0], redirect_uri: REDIRECT };
    const first = await form('/token', WEB, fields);
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.ok(first.body.access_token);
    assert.ok(first.body.refresh_token);
    assert.equal(first.body.scope, 'openid offline_access');
    const idt = decodeJwt(first.body.id_token);
    assert.equal(idt.header.alg, 'ES256');
    assert.equal(idt.payload.aud, 'web');
    const again = await form('/token', WEB, fields);
    assert.equal(again.status, 400);
    assert.equal(again.body.error, 'invalid_grant');
    // A second, independent code still works.
    const other = await form('/token', WEB, { ...fields, code: codes[1] });
    assert.equal(other.status, 200, JSON.stringify(other.body));
  });

  await check('refresh_token rotates, old one fails', async () => {
    const [rt] = await seed('refresh', 3);
    const first = await form('/token', WEB, { grant_type: 'refresh_token', refresh_token: rt });
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.ok(first.body.access_token);
    assert.ok(first.body.id_token);
    assert.ok(first.body.refresh_token);
    assert.notEqual(first.body.refresh_token, rt);
    const reuse = await form('/token', WEB, { grant_type: 'refresh_token', refresh_token: rt });
    assert.equal(reuse.status, 400);
    assert.equal(reuse.body.error, 'invalid_grant');
  });

  await check('refresh chain: new token refreshes again', async () => {
    const [, rt] = await seed('refresh', 2);
    const first = await form('/token', WEB, { grant_type: 'refresh_token', refresh_token: rt });
    assert.equal(first.status, 200, JSON.stringify(first.body));
    const second = await form('/token', WEB, { grant_type: 'refresh_token', refresh_token: first.body.refresh_token });
    assert.equal(second.status, 200, JSON.stringify(second.body));
    assert.notEqual(second.body.refresh_token, first.body.refresh_token);
  });

  await check('userinfo with seeded access token', async () => {
    const [at] = await seed('access', 3);
    const res = await fetch(`${base}/me`, { headers: { authorization: `Bearer ${at}` } });
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.match(body.sub, /^u-/);
    assert.equal(body.name, 'Bench User');
    assert.equal(body.phone_number, '+8613800000000');
  });

  await check('introspection of seeded access token', async () => {
    const [, at] = await seed('access', 2);
    const { status, body } = await form('/token/introspection', WEB, { token: at });
    assert.equal(status, 200);
    assert.equal(body.active, true);
    assert.equal(body.client_id, 'web');
    assert.equal(body.scope, 'openid');
    assert.equal(body.token_type, 'Bearer');
    assert.match(body.sub, /^u-/);
  });

  await check('introspection of unknown token -> active:false', async () => {
    const { status, body } = await form('/token/introspection', WEB, { token: 'x'.repeat(43) });
    assert.equal(status, 200);
    assert.deepEqual(body, { active: false });
  });

  await check('introspection by another client -> active:false', async () => {
    const [at] = await seed('access', 1);
    const { status, body } = await form('/token/introspection', MACHINE, { token: at });
    assert.equal(status, 200);
    assert.deepEqual(body, { active: false });
  });

  await check('seed rejects bad input', async () => {
    assert.equal((await fetch(`${base}/bench/seed?kind=nope&n=1`, { method: 'POST' })).status, 400);
    assert.equal((await fetch(`${base}/bench/seed?kind=code&n=0`, { method: 'POST' })).status, 400);
    assert.equal((await fetch(`${base}/bench/seed?kind=code&n=1`)).status, 405);
  });

  for (const kind of ['code', 'refresh', 'access']) {
    await check(`seed ${SEED_TIMING_N} ${kind}`, async () => {
      const t0 = performance.now();
      const list = await seed(kind, SEED_TIMING_N);
      const ms = performance.now() - t0;
      assert.equal(new Set(list).size, SEED_TIMING_N);
      console.log(`     ${SEED_TIMING_N} ${kind} in ${ms.toFixed(0)} ms`);
    });
  }

  await check('last of a large code batch redeems', async () => {
    const codes = await seed('code', 5000);
    const { status, body } = await form('/token', WEB, {
      grant_type: 'authorization_code', code: codes[0], redirect_uri: REDIRECT,
    });
    assert.equal(status, 200, JSON.stringify(body));
    const last = await form('/token', WEB, {
      grant_type: 'authorization_code', code: codes.at(-1), redirect_uri: REDIRECT,
    });
    assert.equal(last.status, 200, JSON.stringify(last.body));
  });
} finally {
  child.kill('SIGTERM');
}

console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed === 0 ? 0 : 1;
