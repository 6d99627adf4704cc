// WeChat's web login modes end to end in a real browser (the system's Chromium, through
// Playwright), against the live server and the WeChat simulator, with openid-client as the
// relying party: the hosted page lists the pool's methods in the tenant's order; website QR login
// (the page's button, WeChat's `connect/qrconnect` page with its confirm button, the callback,
// the code redeemed); official account login inside WeChat's browser (a WeChat user agent goes
// straight to `connect/oauth2/authorize`, whose "allow" button comes back signed in) and a
// stranger refused by the connection's `linkOnly` policy; the same person across the website and
// the official account by unionid; WeCom login (the page's button, WeCom's `wwlogin/sso/login`
// page and its confirm button, the member signed in by corp user id). Saves screenshots of the
// page in Chinese and English.
//
// Environment: TESSERA_URL, WECHAT_SIM_URL, TESSERA_ADMIN_PASSWORD, CHROMIUM (default
// /usr/bin/chromium), ARTIFACTS (folder for the screenshots, default .test-artifacts).

import { mkdirSync } from 'node:fs'
import { createServer } from 'node:http'
import { join } from 'node:path'
import * as client from 'openid-client'
import { call, check, equal, hex, launchChromium, required, run, step } from './support.mjs'

const base = required('TESSERA_URL')
const simUrl = required('WECHAT_SIM_URL')
const password = required('TESSERA_ADMIN_PASSWORD')
const artifacts = process.env.ARTIFACTS || '.test-artifacts'
const WECHAT_UA = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 ' +
  '(KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.47(0x18002f2f) NetType/WIFI Language/zh_CN'


// The relying party's own web server: where the browser comes back to.
const rp = createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
  res.end('<!doctype html><title>Relying party</title><p>Back at the relying party.</p>')
})

async function main() {
  await new Promise((resolve) => rp.listen(0, '127.0.0.1', resolve))
  const rpOrigin = `http://127.0.0.1:${rp.address().port}`
  mkdirSync(artifacts, { recursive: true })

  // --- The pool and its connections (admin API), the apps known to WeChat (simulator) ----------
  const admin = (await call(`${base}/api/v1/auth/admin`, 'POST', { username: 'admin', password })).body.accessToken
  check(typeof admin === 'string', 'an admin token')
  const pool = `modes-${hex(5)}`
  equal((await call(`${base}/api/v1/userpools`, 'POST', { id: pool, name: 'Acme 商城' }, admin)).status, 201, 'pool created')
  const apps = {
    mini: { appId: `wx${hex(8)}`, secret: hex(16) },
    website: { appId: `wx${hex(8)}`, secret: hex(16) },
    official: { appId: `wx${hex(8)}`, secret: hex(16) },
  }
  for (const app of Object.values(apps)) {
    equal((await call(`${simUrl}/__sim/apps`, 'POST', { appId: app.appId, secret: app.secret })).status, 204, 'app known to WeChat')
  }
  const connections = `${base}/api/v1/userpools/${pool}/connections`
  async function connect(body) {
    const created = await call(connections, 'POST', body, admin)
    equal(created.status, 201, `${body.kind} connection (${JSON.stringify(created.body)})`)
    return created.body
  }
  const website = await connect({ kind: 'website', appId: apps.website.appId, secret: apps.website.secret, name: '官网扫码', position: 0 })
  const official = await connect({
    kind: 'official_account', appId: apps.official.appId, secret: apps.official.secret,
    scope: 'snsapi_userinfo', signUp: 'linkOnly', position: 2,
  })
  const mini = await connect({ kind: 'miniprogram', appId: apps.mini.appId, secret: apps.mini.secret, position: 1 })
  const corp = { corpId: `ww${hex(8)}`, agentId: 1000000 + Number.parseInt(hex(2), 16), secret: `${hex(16)}-_x` }
  equal((await call(`${simUrl}/__sim/wecom-apps`, 'POST', { ...corp, name: 'Acme 内部' })).status, 204, 'WeCom app known to WeCom')
  await connect({ kind: 'wecom', appId: corp.corpId, agentId: String(corp.agentId), secret: corp.secret, position: 3 })
  const shop = await call(`${base}/api/v1/userpools/${pool}/applications`, 'POST', {
    name: 'Acme Shop', type: 'web', redirectUris: [`${rpOrigin}/callback`], postLogoutRedirectUris: [],
  }, admin)
  equal(shop.status, 201, 'web application')
  step(`pool ${pool}: a website app, a mini program, an official account and a WeCom app, in that order`)

  const issuer = new URL(`${base}/userpools/${pool}`)
  const rpConfig = await client.discovery(issuer, shop.body.clientId, shop.body.clientSecret,
    client.ClientSecretBasic(shop.body.clientSecret), { execute: [client.allowInsecureRequests] })
  client.enableNonRepudiationChecks(rpConfig)

  async function authorization() {
    const verifier = client.randomPKCECodeVerifier()
    const checks = {
      pkceCodeVerifier: verifier,
      expectedState: client.randomState(),
      expectedNonce: client.randomNonce(),
      idTokenExpected: true,
    }
    const url = client.buildAuthorizationUrl(rpConfig, {
      redirect_uri: `${rpOrigin}/callback`,
      scope: 'openid profile',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state: checks.expectedState,
      nonce: checks.expectedNonce,
    })
    return { url, checks }
  }
  const backAtRp = (url) => url.href.startsWith(`${rpOrigin}/callback`)

  const browser = await launchChromium()
  const problems = []
  async function newContext(options) {
    const context = await browser.newContext({ viewport: { width: 900, height: 1000 }, ...options })
    const page = await context.newPage()
    page.on('pageerror', (err) => problems.push(err.message))
    return { context, page }
  }

  try {
    // --- The page lists the methods in the tenant's order --------------------------------------
    for (const locale of ['zh-CN', 'en']) {
      const { context, page } = await newContext({ locale })
      const { url } = await authorization()
      await page.goto(url.href)
      const button = page.locator(`a.method[data-kind="website"]`)
      await button.waitFor({ timeout: 15000 })
      equal(await button.textContent(), '官网扫码', 'the tenant names the method')
      await page.locator('#qr-image').waitFor({ state: 'visible', timeout: 15000 })
      const order = await page.evaluate(() => {
        const link = document.querySelector('a.method')
        const qr = document.querySelector('#qr-image')
        return link.compareDocumentPosition(qr) & Node.DOCUMENT_POSITION_FOLLOWING ? 'website first' : 'qr first'
      })
      equal(order, 'website first', 'position 0 before position 1')
      equal(await page.locator(`[href*="${official.id}"]`).count(), 0, 'no official account outside WeChat')
      equal(await page.locator('#login').getAttribute('data-connection'), mini.id, 'the code is the mini program connection\'s')
      await page.screenshot({ path: join(artifacts, `wechat-modes-${locale}.png`), fullPage: true })
      await context.close()
    }
    step('the hosted page lists the website app, then the mini program\'s code (zh-CN and en)')

    // --- Website QR login ---------------------------------------------------------------------
    const unionid = `u${hex(10)}`
    const alice = await newContext({ locale: 'zh-CN' })
    {
      const { url, checks } = await authorization()
      await alice.page.goto(url.href)
      await call(`${simUrl}/__sim/sns-users`, 'POST', {
        appId: apps.website.appId, openid: `o${hex(10)}`, unionid, nickname: 'Alice 网站',
      })
      await alice.page.locator('a.method[data-kind="website"]').click()
      await alice.page.waitForURL((u) => u.href.startsWith(`${simUrl}/connect/qrconnect`), { timeout: 15000 })
      const wechatUrl = new URL(alice.page.url())
      equal(wechatUrl.searchParams.get('scope'), 'snsapi_login', 'website QR login asks for snsapi_login')
      equal(wechatUrl.searchParams.get('redirect_uri'), `${base}/userpools/${pool}/login/wechat/callback`, 'the callback')
      await alice.page.locator('#confirm').click()
      await alice.page.waitForURL(backAtRp, { timeout: 15000 })
      const tokens = await client.authorizationCodeGrant(rpConfig, new URL(alice.page.url()), checks)
      const claims = tokens.claims()
      check(claims.amr?.includes('wechat_website_qrcode'), `amr says website QR (${JSON.stringify(claims.amr)})`)
      const info = await client.fetchUserInfo(rpConfig, tokens.access_token, claims.sub)
      equal(info.nickname, 'Alice 网站', 'the WeChat profile')
      alice.sub = claims.sub
    }
    step('website QR login: the button, WeChat\'s page and its confirm button, back signed in')

    // --- Official account inside WeChat's browser -----------------------------------------------
    {
      const stranger = await newContext({ userAgent: WECHAT_UA, locale: 'zh-CN' })
      const { url } = await authorization()
      await call(`${simUrl}/__sim/sns-users`, 'POST', {
        appId: apps.official.appId, openid: `o${hex(10)}`, unionid: `u${hex(10)}`, nickname: 'Stranger',
      })
      await stranger.page.goto(url.href)
      await stranger.page.waitForURL((u) => u.href.startsWith(`${simUrl}/connect/oauth2/authorize`), { timeout: 15000 })
      await stranger.page.locator('#confirm').click()
      await stranger.page.waitForURL((u) => u.href.startsWith(`${base}/userpools/${pool}/login/wechat/callback`), { timeout: 15000 })
      const heading = await stranger.page.locator('h1').textContent()
      equal(heading, '此微信账号无法登录', 'the linkOnly policy refuses a stranger, in Chinese')
      await stranger.context.close()

      const member = await newContext({ userAgent: WECHAT_UA, locale: 'zh-CN' })
      const { url: again, checks } = await authorization()
      await call(`${simUrl}/__sim/sns-users`, 'POST', {
        appId: apps.official.appId, openid: `o${hex(10)}`, unionid, nickname: 'Alice 公众号',
      })
      await member.page.goto(again.href)
      const allow = member.page.locator('#confirm')
      await allow.waitFor({ timeout: 15000 })
      equal(new URL(member.page.url()).searchParams.get('scope'), 'snsapi_userinfo', 'the connection\'s scope')
      await allow.click()
      await member.page.waitForURL(backAtRp, { timeout: 15000 })
      const tokens = await client.authorizationCodeGrant(rpConfig, new URL(member.page.url()), checks)
      equal(tokens.claims().sub, alice.sub, 'the same person by unionid')
      check(tokens.claims().amr?.includes('wechat_official_account'), 'amr says official account')
      await member.context.close()
    }
    step('official account: WeChat\'s browser goes straight to WeChat; linkOnly refuses a stranger, admits a known unionid')

    const events = await call(`${base}/api/v1/userpools/${pool}/audit-events?limit=100`, 'GET', undefined, admin)
    check(events.body.items.some((e) => e.action === 'user.signup.refused' && e.target === official.id),
      'the refusal is audited against the connection')
    const identities = await call(`${base}/api/v1/userpools/${pool}/users/${alice.sub}/identities`, 'GET', undefined, admin)
    const kinds = identities.body.items.map((i) => i.kind).sort()
    equal(JSON.stringify(kinds), JSON.stringify(['official_account', 'website']), 'one user, two identities')
    step('audited, and one user with a website and an official account identity')

    // --- WeCom ----------------------------------------------------------------------------------
    {
      const employee = await newContext({ locale: 'en' })
      const { url, checks } = await authorization()
      await employee.page.goto(url.href)
      equal(await employee.page.locator('a.method[data-kind="wecom"]').textContent(), 'Sign in with WeCom', 'the WeCom button')
      await call(`${simUrl}/__sim/wecom-users`, 'POST', { corpId: corp.corpId, userid: 'LiSi' })
      await employee.page.locator('a.method[data-kind="wecom"]').click()
      await employee.page.waitForURL((u) => u.href.startsWith(`${simUrl}/wwlogin/sso/login`), { timeout: 15000 })
      equal(new URL(employee.page.url()).searchParams.get('agentid'), String(corp.agentId), 'the app\'s AgentId')
      await employee.page.locator('#confirm').click()
      await employee.page.waitForURL(backAtRp, { timeout: 15000 })
      const tokens = await client.authorizationCodeGrant(rpConfig, new URL(employee.page.url()), checks)
      check(tokens.claims().amr?.includes('wechat_work'), 'amr says WeCom')
      const ids = await call(`${base}/api/v1/userpools/${pool}/users/${tokens.claims().sub}/identities`, 'GET', undefined, admin)
      const only = ids.body.items
      equal(only.length, 1, 'one identity')
      equal(`${only[0].kind}:${only[0].appId}:${only[0].openid}`, `wecom:${corp.corpId}:LiSi`, 'linked by corp user id')
      await employee.context.close()
    }
    step('WeCom: the button, WeCom\'s QR page and its confirm button, the member signed in by corp user id')

    check(problems.length === 0, `no script errors in the pages: ${problems.join('; ')}`)
    await alice.context.close()
  } finally {
    await browser.close()
    rp.close()
    await call(`${base}/api/v1/userpools/${pool}`, 'DELETE', undefined, admin)
  }
}

run('WeChat web login modes', main)
