// A relying party built on openid-client drives a pool's OpenID Provider end to end, against the
// live server and the WeChat simulator, the user's browser being the system's Chromium
// (Playwright) and the user's WeChat being this test: discovery; the authorization code flow with
// PKCE S256, state and nonce through the hosted login page, whose mini program code is scanned
// (the scene read from the PNG the page shows and checked against the simulator) and confirmed
// with a `wx.login` code of the simulator; the ID token (signature, nonce, at_hash), userinfo,
// refresh with rotation and the reuse of a rotated token revoking its family; single sign-on
// into a second application, `prompt=none` with and without a session, `max_age=0` and
// `prompt=login` showing the page again; introspection and revocation; client credentials for a
// machine application; token exchange of an app2wxapp ticket; RP-initiated logout. Saves
// screenshots of the login page in Chinese and English.
//
// Environment: TESSERA_URL, WECHAT_SIM_URL, TESSERA_ADMIN_PASSWORD, CHROMIUM (default
// /usr/bin/chromium), ARTIFACTS (folder for the screenshots, default .test-artifacts).

import { createHash } from 'node:crypto'
import { mkdirSync } from 'node:fs'
import { createServer } from 'node:http'
import { join } from 'node:path'
import * as client from 'openid-client'
import { call, check, equal, hex, launchChromium, pngText, required, run, step } from './support.mjs'

const base = required('TESSERA_URL')
const simUrl = required('WECHAT_SIM_URL')
const password = required('TESSERA_ADMIN_PASSWORD')
const artifacts = process.env.ARTIFACTS || '.test-artifacts'

const QR_PAGE = 'pages/qrlogin/index'
const TICKET_TYPE = 'urn:tessera:params:oauth:token-type:app2wxapp-ticket'
const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange'

const b64url = (bytes) => Buffer.from(bytes).toString('base64url')

/** The payload of a JWT, unverified (its signature is openid-client's business). */
function jwtParts(jwt) {
  const [header, payload] = jwt.split('.')
  return {
    header: JSON.parse(Buffer.from(header, 'base64url').toString('utf8')),
    payload: JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')),
  }
}

/** OpenID Connect Core §3.1.3.6: the left half of the access token's hash, for `alg`. */
function atHash(accessToken, alg) {
  const hash = alg === 'EdDSA' ? 'sha512' : `sha${alg.slice(2)}`
  const digest = createHash(hash).update(accessToken, 'ascii').digest()
  return b64url(digest.subarray(0, digest.length / 2))
}

/** Expects `promise` to fail with the OAuth error `code` (openid-client's error objects). */
async function refused(promise, code, what) {
  try {
    await promise
  } catch (err) {
    // A token endpoint error carries `error`; a protected resource's, its WWW-Authenticate challenge.
    const challenge = Array.isArray(err.cause) ? err.cause[0]?.parameters?.error : undefined
    equal(err.error ?? err.cause?.error ?? challenge, code, `${what}: the error`)
    return err
  }
  throw new Error(`check failed: ${what} was accepted`)
}

// The relying party's own web server: where the browser comes back to.
const visits = []
const rp = createServer((req, res) => {
  visits.push(req.url)
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
  res.end('<!doctype html><title>Relying party</title><p>Back at the relying party.</p>')
})

async function main() {
  await new Promise((resolve) => rp.listen(0, '127.0.0.1', resolve))
  const rpOrigin = `http://127.0.0.1:${rp.address().port}`
  mkdirSync(artifacts, { recursive: true })

  // --- The pool, its mini program, its applications (admin API) ---------------------------------
  const admin = (await call(`${base}/api/v1/auth/admin`, 'POST', { username: 'admin', password })).body.accessToken
  check(typeof admin === 'string', 'an admin token')
  const pool = { id: `rp-${hex(5)}`, appId: `wx${hex(8)}`, appSecret: hex(16) }
  equal((await call(`${base}/api/v1/userpools`, 'POST', { id: pool.id, name: 'Acme 商城' }, admin)).status, 201, 'pool created')
  equal((await call(`${simUrl}/__sim/apps`, 'POST', { appId: pool.appId, secret: pool.appSecret })).status, 204, 'mini program known to WeChat')
  const connected = await call(`${base}/api/v1/userpools/${pool.id}/connections/app2wxapp`, 'PUT',
    { appId: pool.appId, appSecret: pool.appSecret }, admin)
  equal(connected.status, 200, 'app2wxapp connection')

  async function application(body) {
    const created = await call(`${base}/api/v1/userpools/${pool.id}/applications`, 'POST', body, admin)
    equal(created.status, 201, `application ${body.name} created`)
    return created.body
  }
  const shop = await application({
    name: 'Acme Shop',
    type: 'web',
    redirectUris: [`${rpOrigin}/shop/callback`],
    postLogoutRedirectUris: [`${rpOrigin}/shop/signed-out`],
  })
  const blog = await application({
    name: 'Acme Blog',
    type: 'web',
    redirectUris: [`${rpOrigin}/blog/callback`],
    postLogoutRedirectUris: [],
  })
  const robot = await application({ name: 'Acme Stock Sync', type: 'machine', redirectUris: [], postLogoutRedirectUris: [] })
  check(typeof shop.clientSecret === 'string' && typeof robot.clientSecret === 'string', 'confidential apps get secrets')
  step(`pool ${pool.id} with its mini program and three applications`)

  // --- Discovery ----------------------------------------------------------------------------------
  const issuer = new URL(`${base}/userpools/${pool.id}`)
  const insecure = { execute: [client.allowInsecureRequests] } // the test server speaks http
  const shopRp = await client.discovery(issuer, shop.clientId, shop.clientSecret,
    client.ClientSecretBasic(shop.clientSecret), insecure)
  const blogRp = await client.discovery(issuer, blog.clientId, blog.clientSecret,
    client.ClientSecretPost(blog.clientSecret), insecure)
  const robotRp = await client.discovery(issuer, robot.clientId, robot.clientSecret,
    client.ClientSecretBasic(robot.clientSecret), insecure)
  for (const config of [shopRp, blogRp]) client.enableNonRepudiationChecks(config) // verify ID token signatures
  const meta = shopRp.serverMetadata()
  equal(meta.issuer, issuer.href, 'discovered issuer')
  for (const field of ['authorization_endpoint', 'token_endpoint', 'userinfo_endpoint', 'jwks_uri',
    'revocation_endpoint', 'introspection_endpoint', 'end_session_endpoint']) {
    check(typeof meta[field] === 'string' && meta[field].startsWith(issuer.href), `${field} under the issuer`)
  }
  check(meta.code_challenge_methods_supported?.includes('S256'), 'S256 advertised')
  check(meta.grant_types_supported?.includes(TOKEN_EXCHANGE), 'token exchange advertised')
  step('openid-client discovered the pool')

  // --- The browser ------------------------------------------------------------------------------
  const browser = await launchChromium()
  const problems = []
  async function newContext(locale) {
    const context = await browser.newContext({ locale, viewport: { width: 900, height: 1000 } })
    const page = await context.newPage()
    page.on('pageerror', (err) => problems.push(err.message))
    return { context, page }
  }

  const openid = `o${hex(10)}`
  /** What the user's WeChat does: scan the code the page shows, then confirm in the mini program. */
  async function scanAndConfirm(page, appName, screenshot) {
    const image = page.locator('#qr-image')
    await image.waitFor({ state: 'visible', timeout: 15000 })
    const src = await image.getAttribute('src')
    check(src?.startsWith('data:image/png;base64,'), 'the page shows a PNG mini program code')
    const scene = pngText(Buffer.from(src.slice(src.indexOf(',') + 1), 'base64'), 'scene')
    check(scene, 'the code carries its scene')
    const drawn = await call(`${simUrl}/__sim/wxacode-scan`, 'POST', { appId: pool.appId })
    equal(drawn.status, 200, 'the simulator drew a code')
    equal(drawn.body.scene, scene, 'the scene WeChat reads is the one in the image')
    equal(drawn.body.page, QR_PAGE, 'the code opens the confirm page')
    if (screenshot) await page.screenshot({ path: join(artifacts, screenshot), fullPage: true })

    const scanned = await call(`${base}/oauth/wxapp-qrcode/${pool.id}/scan`, 'POST', { scene })
    equal(scanned.status, 200, 'scan accepted')
    equal(scanned.body.applicationName, appName, 'the mini program names the application')
    await page.locator('#login[data-state="scanned"]').waitFor({ timeout: 15000 })

    const code = (await call(`${simUrl}/__sim/login-codes`, 'POST', { appId: pool.appId, openid })).body.code
    const confirmed = await call(`${base}/oauth/wxapp-qrcode/${pool.id}/confirm`, 'POST', { scene, code })
    equal(confirmed.status, 200, `confirm accepted (${JSON.stringify(confirmed.body)})`)
    return scene
  }

  /** A new authorization request of `config`: its URL and the checks of its answer. */
  async function authorization(config, redirectUri, extra = {}) {
    const verifier = client.randomPKCECodeVerifier()
    const checks = {
      pkceCodeVerifier: verifier,
      expectedState: client.randomState(),
      expectedNonce: client.randomNonce(),
      idTokenExpected: true,
    }
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: 'openid profile offline_access',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state: checks.expectedState,
      nonce: checks.expectedNonce,
      ...extra,
    })
    if (extra.max_age !== undefined) checks.maxAge = Number(extra.max_age)
    return { url, checks }
  }

  const backAt = (path) => (url) => url.href.startsWith(`${rpOrigin}${path}`)

  /** The code exchange and every check of the ID token openid-client leaves to its caller. */
  async function redeem(config, page, checks, app) {
    const tokens = await client.authorizationCodeGrant(config, new URL(page.url()), checks)
    const claims = tokens.claims()
    const idToken = jwtParts(tokens.id_token)
    equal(claims.aud, app.clientId, 'ID token audience')
    equal(claims.azp ?? app.clientId, app.clientId, 'ID token azp')
    equal(claims.nonce, checks.expectedNonce, 'ID token nonce')
    equal(claims.at_hash, atHash(tokens.access_token, idToken.header.alg), 'ID token at_hash')
    check(Number.isInteger(claims.auth_time), 'ID token auth_time')
    check(typeof claims.sid === 'string', 'ID token sid')
    check(Array.isArray(claims.amr) && claims.amr.length > 0, 'ID token amr')
    const access = jwtParts(tokens.access_token)
    equal(access.header.typ, 'at+jwt', 'access token typ (RFC 9068)')
    equal(access.payload.client_id, app.clientId, 'access token client_id')
    equal(access.payload.sub, claims.sub, 'access token sub')
    check(typeof access.payload.jti === 'string', 'access token jti')
    check(tokens.scope?.split(' ').includes('offline_access'), 'offline_access granted')
    check(typeof tokens.refresh_token === 'string', 'a refresh token')
    return { tokens, claims }
  }

  try {
    // --- Code flow + PKCE through the hosted page, in Chinese ------------------------------------
    const alice = await newContext('zh-CN')
    const first = await authorization(shopRp, `${rpOrigin}/shop/callback`)
    await alice.page.goto(first.url.href)
    equal(await alice.page.locator('html').getAttribute('lang'), 'zh-CN', 'the page speaks Chinese')
    check((await alice.page.locator('body').innerText()).includes('Acme Shop'), 'the page names the application')
    await scanAndConfirm(alice.page, 'Acme Shop', 'oidc-login-zh-CN.png')
    await alice.page.waitForURL(backAt('/shop/callback'), { timeout: 15000 })
    step('hosted page (zh-CN): code scanned and confirmed, the browser came back with a code')

    const signedIn = await redeem(shopRp, alice.page, first.checks, shop)
    const sub = signedIn.claims.sub
    equal(signedIn.claims.iss, issuer.href, 'ID token issuer')
    step('openid-client redeemed the code: ID token signature, nonce, at_hash, state and iss checked')

    const info = await client.fetchUserInfo(shopRp, signedIn.tokens.access_token, sub)
    equal(info.sub, sub, 'userinfo sub')
    step('userinfo answered for the same subject')

    await refused(client.authorizationCodeGrant(shopRp, new URL(alice.page.url()), first.checks),
      'invalid_grant', 'a replayed code')
    equal((await client.tokenIntrospection(shopRp, signedIn.tokens.refresh_token)).active, false,
      'the refresh token of a replayed code is revoked')
    equal((await client.tokenIntrospection(shopRp, signedIn.tokens.access_token)).active, false,
      'the access token of a replayed code is revoked')
    step('a replayed code is refused and revokes what it had issued (RFC 6749 §4.1.2)')

    // --- SSO into a second application, same browser ---------------------------------------------
    const sso = await authorization(blogRp, `${rpOrigin}/blog/callback`)
    await alice.page.goto(sso.url.href)
    await alice.page.waitForURL(backAt('/blog/callback'), { timeout: 15000 })
    const blogSession = await redeem(blogRp, alice.page, sso.checks, blog)
    equal(blogSession.claims.sub, sub, 'the same user in the second application')
    equal(blogSession.claims.sid, signedIn.claims.sid, 'the same login session')
    equal(blogSession.claims.auth_time, signedIn.claims.auth_time, 'no new login')
    step('a second application signed in without scanning (single sign-on, client_secret_post)')

    // --- prompt=none -------------------------------------------------------------------------------
    const silent = await authorization(shopRp, `${rpOrigin}/shop/callback`, { prompt: 'none' })
    await alice.page.goto(silent.url.href)
    await alice.page.waitForURL(backAt('/shop/callback'), { timeout: 15000 })
    const silentTokens = await redeem(shopRp, alice.page, silent.checks, shop)
    equal(silentTokens.claims.sub, sub, 'prompt=none with a session')

    const stranger = await newContext('en-US')
    const noSession = await authorization(shopRp, `${rpOrigin}/shop/callback`, { prompt: 'none' })
    await stranger.page.goto(noSession.url.href)
    await stranger.page.waitForURL(backAt('/shop/callback'), { timeout: 15000 })
    await refused(client.authorizationCodeGrant(shopRp, new URL(stranger.page.url()), noSession.checks),
      'login_required', 'prompt=none without a session')
    await stranger.context.close()
    step('prompt=none: a code with the session, login_required without one')

    // --- Refresh: rotation, reuse detection --------------------------------------------------------
    const rotated = await client.refreshTokenGrant(shopRp, silentTokens.tokens.refresh_token)
    check(rotated.refresh_token && rotated.refresh_token !== silentTokens.tokens.refresh_token, 'the refresh token rotated')
    check(rotated.access_token !== silentTokens.tokens.access_token, 'a new access token')
    equal(rotated.claims()?.sub, sub, 'refreshed ID token subject')
    // OpenID Connect Core §12.2: the original authentication's time, the same audience.
    equal(rotated.claims()?.auth_time, silentTokens.claims.auth_time, 'refreshed ID token auth_time')
    equal(rotated.claims()?.aud, shop.clientId, 'refreshed ID token audience')
    await refused(client.refreshTokenGrant(shopRp, silentTokens.tokens.refresh_token), 'invalid_grant', 'reuse of the rotated refresh token')
    await refused(client.refreshTokenGrant(shopRp, rotated.refresh_token), 'invalid_grant', 'the family after a reuse')
    equal((await client.tokenIntrospection(shopRp, rotated.refresh_token)).active, false, 'the revoked family introspects inactive')
    step('refresh rotated the token; reusing the old one revoked the whole family')

    // --- max_age=0 and prompt=login show the page again -------------------------------------------
    const forced = await authorization(shopRp, `${rpOrigin}/shop/callback`, { prompt: 'login', ui_locales: 'en' })
    await alice.page.goto(forced.url.href)
    check(alice.page.url().startsWith(meta.authorization_endpoint), 'prompt=login: the login page again')
    equal(await alice.page.locator('html').getAttribute('lang'), 'en', 'ui_locales=en before Accept-Language')
    await scanAndConfirm(alice.page, 'Acme Shop', 'oidc-login-en.png')
    await alice.page.waitForURL(backAt('/shop/callback'), { timeout: 15000 })
    const relogged = await redeem(shopRp, alice.page, forced.checks, shop)
    equal(relogged.claims.sub, sub, 'the same user after logging in again')
    check(relogged.claims.sid !== signedIn.claims.sid, 'a new login session')
    check(relogged.claims.auth_time >= signedIn.claims.auth_time, 'a new auth_time')
    // Right after that login (the same second, likely): max_age=0 still asks for a new one.
    const fresh = await authorization(shopRp, `${rpOrigin}/shop/callback`, { max_age: '0' })
    await alice.page.goto(fresh.url.href)
    check(alice.page.url().startsWith(meta.authorization_endpoint), 'max_age=0: the login page again')
    await scanAndConfirm(alice.page, 'Acme Shop')
    await alice.page.waitForURL(backAt('/shop/callback'), { timeout: 15000 })
    const refreshed = await redeem(shopRp, alice.page, fresh.checks, shop) // checks auth_time against max_age
    check(refreshed.claims.sid !== relogged.claims.sid, 'max_age=0: a new login session')
    step('prompt=login (ui_locales=en) and max_age=0 showed the page again; logged in anew each time')

    // --- Introspection and revocation ------------------------------------------------------------
    const blogTokens = blogSession.tokens
    const active = await client.tokenIntrospection(blogRp, blogTokens.access_token)
    equal(active.active, true, 'the access token is active')
    equal(active.sub, sub, 'introspected sub')
    equal(active.client_id, blog.clientId, 'introspected client_id')
    equal((await client.tokenIntrospection(blogRp, blogTokens.refresh_token)).active, true, 'the refresh token is active')
    await client.tokenRevocation(blogRp, blogTokens.refresh_token, { token_type_hint: 'refresh_token' })
    equal((await client.tokenIntrospection(blogRp, blogTokens.refresh_token)).active, false, 'a revoked refresh token')
    await refused(client.refreshTokenGrant(blogRp, blogTokens.refresh_token), 'invalid_grant', 'refresh with a revoked token')
    await client.tokenRevocation(blogRp, blogTokens.access_token, { token_type_hint: 'access_token' })
    equal((await client.tokenIntrospection(blogRp, blogTokens.access_token)).active, false, 'a revoked access token')
    await refused(client.fetchUserInfo(blogRp, blogTokens.access_token, sub), 'invalid_token', 'userinfo with a revoked token')
    await client.tokenRevocation(blogRp, `never-issued-${hex(8)}`) // RFC 7009 §2.2: no error
    step('introspection and revocation (refresh and access tokens), userinfo refused after')

    // --- Client credentials --------------------------------------------------------------------------
    const machine = await client.clientCredentialsGrant(robotRp)
    check(typeof machine.access_token === 'string', 'a machine access token')
    check(!machine.id_token && !machine.refresh_token, 'no ID token or refresh token for a machine')
    const machineAccess = jwtParts(machine.access_token)
    equal(machineAccess.payload.client_id, robot.clientId, 'machine token client_id')
    const machineIntrospection = await client.tokenIntrospection(robotRp, machine.access_token)
    equal(machineIntrospection.active, true, 'the machine token is active')
    await refused(client.clientCredentialsGrant(shopRp), 'unauthorized_client', 'client_credentials for a web app')
    step('client_credentials for the machine application (and refused to a web one)')

    // --- Token exchange of an app2wxapp ticket ---------------------------------------------------
    const code = (await call(`${simUrl}/__sim/login-codes`, 'POST', { appId: pool.appId, openid })).body.code
    const login = await call(`${base}/oauth/app2wxapp/login/${pool.id}`, 'POST', { code })
    equal(login.status, 200, 'the mini program logged in')
    const exchanged = await client.genericGrantRequest(shopRp, TOKEN_EXCHANGE, {
      subject_token: login.body.ticket,
      subject_token_type: TICKET_TYPE,
      scope: 'openid profile',
    })
    equal(exchanged.issued_token_type, 'urn:ietf:params:oauth:token-type:access_token', 'issued_token_type')
    equal(jwtParts(exchanged.access_token).payload.sub, sub, 'the ticket stands for the same user')
    equal((await client.fetchUserInfo(shopRp, exchanged.access_token, sub)).sub, sub, 'userinfo with the exchanged token')
    await refused(client.genericGrantRequest(shopRp, TOKEN_EXCHANGE, {
      subject_token: login.body.ticket,
      subject_token_type: TICKET_TYPE,
    }), 'invalid_grant', 'a ticket exchanged twice')
    step('token exchange of an app2wxapp ticket (single use)')

    // --- RP-initiated logout ---------------------------------------------------------------------
    const logoutState = client.randomState()
    const endSession = client.buildEndSessionUrl(shopRp, {
      id_token_hint: relogged.tokens.id_token,
      post_logout_redirect_uri: `${rpOrigin}/shop/signed-out`,
      state: logoutState,
    })
    await alice.page.goto(endSession.href)
    await alice.page.waitForURL(backAt('/shop/signed-out'), { timeout: 15000 })
    equal(new URL(alice.page.url()).searchParams.get('state'), logoutState, 'logout state passed back')
    const afterLogout = await authorization(blogRp, `${rpOrigin}/blog/callback`, { prompt: 'none' })
    await alice.page.goto(afterLogout.url.href)
    await alice.page.waitForURL(backAt('/blog/callback'), { timeout: 15000 })
    await refused(client.authorizationCodeGrant(blogRp, new URL(alice.page.url()), afterLogout.checks),
      'login_required', 'prompt=none after logout')
    step('RP-initiated logout went back to the application; prompt=none then needs a login')

    check(problems.length === 0, `no script errors in the pages: ${problems.join('; ')}`)
    await alice.context.close()
  } finally {
    await browser.close()
    rp.close()
    await call(`${base}/api/v1/userpools/${pool.id}`, 'DELETE', undefined, admin)
  }
}

run('openid-client relying party', main)
