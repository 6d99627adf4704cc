// The hosted original's JavaScript SDK (npm authing-js-sdk, pinned, unmodified) drives Tessera's
// mini-program QR login API (`/api/v2/qrcode/*`) with `appHost` pointed at the live server, the
// user's WeChat being this test (the code's scene checked against the simulator, the mini
// program's scan / confirm / cancel called as the login mini program does):
// - in Node: `wxqrcode.geneCode`, `checkStatus`, `startPolling` (scanned, then success with the
//   ticket; cancel), `exchangeUserInfo` (once), the pool's `qrcodeLoginStrategy`
//   (`returnFullUserInfo`, `allowExchangeUserInfoFromBrowser` with the secret from a backend);
// - in Chromium (Playwright): a page on another origin loads the SDK's browser build and calls
//   `wxqrcode.startScanning` with `autoExchangeUserInfo`, across origins (CORS with credentials).
//
// Environment: TESSERA_URL, WECHAT_SIM_URL, TESSERA_ADMIN_PASSWORD, CHROMIUM (default
// /usr/bin/chromium), ARTIFACTS (folder for the screenshot, default .test-artifacts).

import { mkdirSync, readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { chromium } from 'playwright-core'
import { call, check, equal, hex, pngText, required, run, step } from './support.mjs'

const require = createRequire(import.meta.url)
const { AuthenticationClient } = require('authing-js-sdk')

const base = required('TESSERA_URL')
const simUrl = required('WECHAT_SIM_URL')
const password = required('TESSERA_ADMIN_PASSWORD')
const artifacts = process.env.ARTIFACTS || '.test-artifacts'
const QR_PAGE = 'pages/qrlogin/index'


/** Expects `promise` to be refused (the SDK throws on any answer but `code: 200`). */
async function refused(promise, what) {
  try {
    await promise
  } catch (err) {
    return err
  }
  throw new Error(`check failed: ${what} was accepted`)
}

/** Resolves with the first callback of `startPolling` among `names`: `[name, ...args]`. */
function poll(sdk, random, names) {
  return new Promise((resolve) => {
    const seen = []
    const handlers = {}
    for (const name of names) {
      handlers[name] = (...args) => {
        seen.push(name)
        if (name !== 'onScanned') resolve([name, seen, ...args])
      }
    }
    sdk.wxqrcode.startPolling(random, { interval: 150, ...handlers })
  })
}

async function main() {
  mkdirSync(artifacts, { recursive: true })
  const admin = (await call(`${base}/api/v1/auth/admin`, 'POST', { username: 'admin', password })).body.accessToken
  check(typeof admin === 'string', 'an admin token')
  const pool = { id: `sdk-${hex(5)}`, appId: `wx${hex(8)}`, appSecret: hex(16) }
  const created = await call(`${base}/api/v1/userpools`, 'POST', { id: pool.id, name: 'Acme 商城' }, admin)
  equal(created.status, 201, 'pool created')
  pool.secret = created.body.secret
  equal((await call(`${simUrl}/__sim/apps`, 'POST', { appId: pool.appId, secret: pool.appSecret })).status, 204, 'mini program known to WeChat')
  const connected = await call(`${base}/api/v1/userpools/${pool.id}/connections/app2wxapp`, 'PUT',
    { appId: pool.appId, appSecret: pool.appSecret }, admin)
  equal(connected.status, 200, 'app2wxapp connection')
  const strategy = (qrcodeLoginStrategy) =>
    call(`${base}/api/v1/userpools/${pool.id}`, 'PATCH', { settings: { qrcodeLoginStrategy } }, admin)
  const mini = (stepName, body) => call(`${base}/oauth/wxapp-qrcode/${pool.id}/${stepName}`, 'POST', body)
  /** The user's WeChat: the code WeChat drew is this one, it opens the confirm page, then scan. */
  async function scan(random, url) {
    check(url.startsWith('data:image/png;base64,'), 'geneCode gives a PNG data URL')
    equal(pngText(Buffer.from(url.slice(url.indexOf(',') + 1), 'base64'), 'scene'), random, 'the image carries the random id as its scene')
    const drawn = await call(`${simUrl}/__sim/wxacode-scan`, 'POST', { appId: pool.appId })
    equal(drawn.body.scene, random, 'the scene WeChat reads')
    equal(drawn.body.page, QR_PAGE, 'the code opens the confirm page')
    const scanned = await mini('scan', { scene: random })
    equal(scanned.status, 200, 'scan accepted')
    equal(scanned.body.applicationName, 'Acme 商城', 'the mini program names the pool')
  }
  async function confirm(random, openid) {
    const code = (await call(`${simUrl}/__sim/login-codes`, 'POST', { appId: pool.appId, openid })).body.code
    const confirmed = await mini('confirm', { scene: random, code })
    equal(confirmed.status, 200, `confirm accepted (${JSON.stringify(confirmed.body)})`)
  }

  const sdk = new AuthenticationClient({ appId: hex(12), userPoolId: pool.id, appHost: base })
  try {
    // --- geneCode, checkStatus, startPolling, exchangeUserInfo -------------------------------------
    const openid = `o${hex(10)}`
    const { random, url } = await sdk.wxqrcode.geneCode()
    check(typeof random === 'string' && random.length > 0, 'geneCode gives a random id')
    equal((await sdk.wxqrcode.checkStatus(random)).status, 0, 'a new code is unused')
    step('geneCode drew the pool\'s mini program code; checkStatus says 0 (unused)')

    const polled = poll(sdk, random, ['onScanned', 'onSuccess', 'onCancel', 'onExpired', 'onError'])
    await scan(random, url)
    await new Promise((resolve) => setTimeout(resolve, 600))
    await confirm(random, openid)
    const [outcome, seen, userInfo, ticket] = await polled
    equal(outcome, 'onSuccess', `startPolling ended in success (${seen.join(', ')})`)
    check(seen[0] === 'onScanned', 'startPolling saw the scan first')
    check(typeof ticket === 'string' && ticket.length >= 32, 'a ticket')
    check(userInfo && userInfo.token === undefined, 'no token in the poll by default')
    equal((await sdk.wxqrcode.checkStatus(random)).status, -1, 'the code is used up once answered')
    step('startPolling: scanned, then authorized with a ticket (answered once)')

    const user = await sdk.wxqrcode.exchangeUserInfo(ticket)
    equal(user.openid, openid, 'exchangeUserInfo gives the user who confirmed')
    check(typeof user._id === 'string' && typeof user.token === 'string' && user.token.split('.').length === 3, 'with a token')
    const claims = JSON.parse(Buffer.from(user.token.split('.')[1], 'base64url').toString('utf8'))
    check(claims.iss.endsWith(`/userpools/${pool.id}`), `issuer of the pool: ${claims.iss}`)
    equal(claims.aud, pool.id, 'audience is the pool')
    equal(claims.sub, user._id, 'subject is the user')
    await refused(sdk.wxqrcode.exchangeUserInfo(ticket), 'a second exchange of the ticket')
    step('exchangeUserInfo: the user and a token of the pool; the ticket works once')

    // --- cancel ----------------------------------------------------------------------------------
    const second = await sdk.wxqrcode.geneCode()
    const cancelling = poll(sdk, second.random, ['onScanned', 'onSuccess', 'onCancel', 'onExpired', 'onError'])
    await scan(second.random, second.url)
    equal((await mini('cancel', { scene: second.random })).status, 200, 'cancel accepted')
    equal((await cancelling)[0], 'onCancel', 'startPolling saw the cancel')
    step('startPolling: the user cancelled in the mini program')

    // --- the pool's strategy ---------------------------------------------------------------------
    equal((await strategy({ returnFullUserInfo: true, allowExchangeUserInfoFromBrowser: false })).status, 200, 'strategy changed')
    const third = await sdk.wxqrcode.geneCode()
    const full = poll(sdk, third.random, ['onScanned', 'onSuccess', 'onCancel', 'onExpired', 'onError'])
    await scan(third.random, third.url)
    await confirm(third.random, openid)
    const [fullOutcome, , fullInfo, fullTicket] = await full
    equal(fullOutcome, 'onSuccess', 'authorized')
    check(typeof fullInfo.token === 'string', 'returnFullUserInfo: the poll gives the whole user with a token')
    equal(fullInfo.openid, openid, 'the whole user')
    await refused(sdk.wxqrcode.exchangeUserInfo(fullTicket), 'a browser exchange when the pool forbids it')
    const backend = await call(`${base}/api/v2/qrcode/userinfo`, 'POST', { ticket: fullTicket, secret: pool.secret }, undefined,
      { 'x-authing-userpool-id': pool.id })
    equal(backend.status, 200, `the backend's exchange with the secret (${JSON.stringify(backend.body)})`)
    equal(backend.body.code, 200, 'the envelope')
    equal(backend.body.data.openid, openid, 'the user')
    step('qrcodeLoginStrategy: the full user in the poll; only the backend (with the secret) exchanges')
    equal((await strategy({ returnFullUserInfo: false, allowExchangeUserInfoFromBrowser: true })).status, 200, 'strategy back')

    await startScanningInChromium(pool, scan, confirm)
  } finally {
    await call(`${base}/api/v1/userpools/${pool.id}`, 'DELETE', undefined, admin)
  }
}

/** A tenant's page on another origin loads the SDK's browser build and calls startScanning. */
async function startScanningInChromium(pool, scan, confirm) {
  const bundle = readFileSync(require.resolve('authing-js-sdk/build/browser/index.min.js'))
  const page = `<!doctype html><meta charset="utf-8"><title>Tenant page</title>
<div id="qrcode"></div><pre id="result"></pre>
<script src="/sdk.js"></script>
<script>
  const sdk = new Authing.AuthenticationClient({ appId: 'tenant-app', userPoolId: ${JSON.stringify(pool.id)}, appHost: ${JSON.stringify(base)} })
  window.shown = null
  sdk.wxqrcode.startScanning('qrcode', {
    autoExchangeUserInfo: true,
    interval: 300,
    onCodeShow: (random, url) => { window.shown = { random, url } },
    onSuccess: (user, ticket) => { document.getElementById('result').textContent = JSON.stringify({ openid: user.openid, token: user.token, ticket }) },
    onError: (message) => { document.getElementById('result').textContent = 'error: ' + message },
  })
</script>`
  const site = createServer((req, res) => {
    if (req.url === '/sdk.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' })
      res.end(bundle)
    } else {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
      res.end(page)
    }
  })
  await new Promise((resolve) => site.listen(0, '127.0.0.1', resolve))
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium' })
  try {
    const tab = await browser.newPage()
    const problems = []
    tab.on('pageerror', (err) => problems.push(String(err)))
    await tab.goto(`http://127.0.0.1:${site.address().port}/`)
    await tab.waitForFunction(() => window.shown !== null, undefined, { timeout: 15000 })
    const shown = await tab.evaluate(() => window.shown)
    await scan(shown.random, shown.url)
    const openid = `o${hex(10)}`
    await confirm(shown.random, openid)
    await tab.waitForFunction(() => document.getElementById('result').textContent !== '', undefined, { timeout: 15000 })
    const text = await tab.locator('#result').textContent()
    check(!text.startsWith('error'), `startScanning succeeded: ${text}`)
    const result = JSON.parse(text)
    equal(result.openid, openid, 'startScanning exchanged the ticket for the user')
    check(typeof result.token === 'string', 'with a token')
    await tab.screenshot({ path: join(artifacts, 'authing-sdk-start-scanning.png') })
    check(problems.length === 0, `no script errors: ${problems.join('; ')}`)
    step('startScanning in Chromium on another origin: code shown, scanned, confirmed, user exchanged')
  } finally {
    await browser.close()
    site.close()
  }
}

run('authing-js-sdk', main)
