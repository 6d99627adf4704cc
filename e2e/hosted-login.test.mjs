// The hosted login page's script in a real browser (the system's Chromium, through Playwright),
// against a small fake of the two endpoints it calls. The page is the server's own rendering
// (e2e/fixtures/hosted-login.json, kept current by a test of crates/api), served with the
// server's headers, its Content-Security-Policy included; the script and stylesheet are the
// files the server embeds. Each scenario drives one path of the script: scan and confirm, a code
// that expires (on the server or on the page's clock) and is renewed, a cancel, the sign-in
// expiring, network failures and a busy server, a tab hidden for long, a refused redirect.
//
// Environment: CHROMIUM (default /usr/bin/chromium), ARTIFACTS (folder for the screenshots,
// default .test-artifacts).

import { readFileSync, mkdirSync } from 'node:fs'
import { createServer } from 'node:http'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { check, launchChromium, run, step } from './support.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const fixture = JSON.parse(readFileSync(join(root, 'e2e/fixtures/hosted-login.json'), 'utf8'))
const assetsDir = join(root, 'crates/api/src/hosted/assets')
const artifacts = process.env.ARTIFACTS || '.test-artifacts'
const INTERACTION = 'aW50ZXJhY3Rpb24'
const CONNECTION = '00000000000000000000000a'
const BASE = '/userpools/acme'
const PNG = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII='

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

/** Waits (real time) until `probe()` is true. */
async function until(probe, what, timeout = 15000) {
  const deadline = Date.now() + timeout
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(50)
  }
}

// The fake server: the page, the assets, and the two endpoints, answered by the scenario's
// handlers. Every call is recorded with its body and cookie.
let handlers = {}
let calls = []

const server = createServer((req, res) => {
  const chunks = []
  req.on('data', (chunk) => chunks.push(chunk))
  req.on('end', () => {
    const url = new URL(req.url, 'http://fake')
    if (req.method === 'GET' && url.pathname === '/authorize') {
      res.writeHead(fixture.status, {
        ...fixture.headers,
        'set-cookie': 'tessera_login=opaque; Path=/; HttpOnly; SameSite=Lax',
      })
      return res.end(fixture.body)
    }
    if (req.method === 'GET' && url.pathname.startsWith('/assets/')) {
      const name = url.pathname.slice('/assets/'.length)
      const type = { 'login.js': 'text/javascript', 'login.css': 'text/css' }[name]
      if (!type) return res.writeHead(404).end()
      res.writeHead(200, { 'content-type': `${type}; charset=utf-8` })
      return res.end(readFileSync(join(assetsDir, name)))
    }
    if (req.method === 'GET' && url.pathname === '/callback') {
      res.writeHead(200, { 'content-type': 'text/plain' })
      return res.end('back at the application')
    }
    const endpoint = {
      [`${BASE}/login/wxapp-qrcode`]: 'qrcode',
      [`${BASE}/login/wxapp-qrcode/status`]: 'status',
    }[url.pathname]
    if (req.method !== 'POST' || !endpoint) return res.writeHead(404).end()
    let body = null
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'))
    } catch {
      body = null
    }
    const call = {
      endpoint, body, cookie: req.headers.cookie || '', contentType: req.headers['content-type'],
    }
    calls.push(call)
    const n = calls.filter((c) => c.endpoint === endpoint).length
    const answer = handlers[endpoint](n, call)
    if (answer === 'drop') return req.socket.destroy()
    const [status, json, headers = {}] = answer
    // A fresh connection for every call: the browser retries a request by itself when a
    // reused connection drops, which would hide the drops the test makes.
    res.writeHead(status, { 'content-type': 'application/json', connection: 'close', ...headers })
    res.end(JSON.stringify(json))
  })
})

const count = (endpoint) => calls.filter((c) => c.endpoint === endpoint).length
const code = (scene, expiresIn = 120) => [200, { scene, image: PNG, expiresIn }]
const pending = () => [200, { status: 'pending' }]

async function main() {
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const origin = `http://127.0.0.1:${server.address().port}`
  mkdirSync(artifacts, { recursive: true })
  const browser = await launchChromium()

  /** A fresh browser context on the page, with the scenario's handlers and a fake clock. */
  async function open(scenario, viewport = { width: 1024, height: 800 }) {
    handlers = scenario
    calls = []
    const context = await browser.newContext({ viewport })
    // The tab's visibility, under the test's control.
    await context.addInitScript(() => {
      let hidden = false
      Object.defineProperty(Document.prototype, 'hidden', { configurable: true, get: () => hidden })
      Object.defineProperty(Document.prototype, 'visibilityState', {
        configurable: true, get: () => (hidden ? 'hidden' : 'visible'),
      })
      // Every state the page shows, in order.
      window.testStates = []
      new MutationObserver((records) => {
        for (const record of records) {
          const state = record.target.getAttribute('data-state')
          if (record.target.id === 'login' && window.testStates.at(-1) !== state) window.testStates.push(state)
        }
      }).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-state'] })
      window.testSetHidden = (value) => {
        hidden = value
        document.dispatchEvent(new Event('visibilitychange'))
      }
    })
    const page = await context.newPage()
    const problems = []
    page.on('pageerror', (err) => problems.push(err.message))
    page.on('console', (msg) => {
      if (msg.type() === 'error' && !/Failed to load resource/.test(msg.text())) problems.push(msg.text())
    })
    await page.clock.install()
    await page.goto(`${origin}/authorize`)
    const shown = (text) => page.getByRole('status').getByText(text, { exact: true })
    const renew = page.getByRole('button', { name: 'Get a new code' })
    const qr = page.getByRole('img', { name: 'Sign-in QR code: scan it with WeChat' })
    return { context, page, problems, shown, renew, qr }
  }

  async function close({ context, problems }, name) {
    await context.close()
    check(problems.length === 0, `${name}: no script error or policy violation: ${problems.join(' | ')}`)
  }

  try {
    // 1. Scan, confirm, and on to the application.
    {
      const s = await open({
        qrcode: () => code('scene-1'),
        status: (n) => n === 1 ? pending()
          : n === 2 ? [200, { status: 'scanned' }]
            : [200, { status: 'confirmed', redirectTo: `${origin}/callback?code=c0de&state=s1` }],
      })
      await s.qr.waitFor()
      check((await s.qr.getAttribute('src')).startsWith('data:image/png;base64,'), 'the QR image')
      await s.shown('Scan with WeChat').waitFor()
      check(await s.page.getByText('Provided by Acme <Corp>').isVisible(), 'the pool is named, as text')
      check(await s.page.getByRole('heading', { name: 'Sign in to Web Shop' }).isVisible(), 'the application')
      await s.page.screenshot({ path: join(artifacts, 'hosted-login-desktop.png') })
      await s.shown('Scanned: confirm in WeChat').waitFor()
      await s.page.waitForURL(`${origin}/callback?code=c0de&state=s1`)
      const [first, ...polls] = calls
      check(first.endpoint === 'qrcode', 'the code is asked for first')
      check(JSON.stringify(first.body) === JSON.stringify({ interaction: INTERACTION, connection: CONNECTION }), 'its body: the request and the mini program of the page')
      check(polls.length === 3, `three polls, not ${polls.length}`)
      for (const call of calls) {
        check(call.contentType === 'application/json', 'JSON bodies')
        check(call.cookie.includes('tessera_login=opaque'), 'the HttpOnly cookie goes along')
      }
      for (const poll of polls) {
        const expected = { interaction: INTERACTION, scene: 'scene-1' }
        check(JSON.stringify(poll.body) === JSON.stringify(expected), 'each poll names the scene')
      }
      await close(s, 'scan and confirm')
      step('scan, confirm in WeChat, on to the redirect URI')
    }

    // 2. The server says the code expired: the page says so and gets a new one on request.
    {
      const s = await open({
        qrcode: (n) => code(`scene-${n}`),
        status: (n, call) => call.body.scene === 'scene-1' ? [200, { status: 'expired' }] : pending(),
      })
      await s.shown('The QR code expired').waitFor()
      check(await s.qr.isHidden(), 'the expired code is no longer shown')
      check(await s.renew.isVisible(), 'a button for a new code')
      await s.renew.click()
      await s.shown('Scan with WeChat').waitFor()
      check(await s.renew.isHidden(), 'the button goes away')
      check(await s.page.evaluate(() => document.activeElement.id) === 'status', 'focus on the status')
      await until(() => calls.some((c) => c.body.scene === 'scene-2'), 'a poll of the new code')
      check(count('qrcode') === 2, 'a second code')
      await close(s, 'server-side expiry')
      step('a code the server expired is replaced on request')
    }

    // 3. Cancelled in WeChat.
    {
      const s = await open({ qrcode: () => code('scene-1'), status: () => [200, { status: 'cancelled' }] })
      await s.shown('You cancelled in WeChat').waitFor()
      check(await s.renew.isVisible(), 'a button for a new code')
      const polls = count('status')
      await s.page.clock.fastForward(10000)
      await sleep(300)
      check(count('status') === polls, 'no polling after a cancel')
      await close(s, 'cancelled')
      step('a cancel in WeChat stops and offers a new code')
    }

    // 4. The code's lifetime passes on the page's clock while the server still says pending.
    {
      const s = await open({ qrcode: () => code('scene-1', 30), status: pending })
      await s.shown('Scan with WeChat').waitFor()
      await s.page.clock.fastForward(31000)
      await s.shown('The QR code expired').waitFor()
      check(await s.renew.isVisible(), 'a button for a new code')
      await close(s, 'client-side expiry')
      step('the code expires after expiresIn on the page too')
    }

    // 5. The whole authorization request expired: said, and nothing to retry.
    {
      const s = await open({
        qrcode: () => [410, { code: 410, error: 'login_expired', message: 'the sign-in expired' }],
        status: pending,
      })
      await s.shown('This sign-in expired. Go back to the application and start again.').waitFor()
      check(await s.renew.isHidden(), 'no retry button')
      await s.page.clock.fastForward(60000)
      await sleep(300)
      check(calls.length === 1, 'nothing more is asked')
      await close(s, 'login expired')
      step('410 login_expired ends the page without a retry')
    }

    // 6. The network fails twice while polling, the server is busy once: said, retried, recovered.
    {
      const s = await open({
        qrcode: (n) => n === 1 ? [503, { code: 503, error: 'unavailable', message: 'busy' }, { 'Retry-After': '1' }]
          : code('scene-1'),
        status: (n) => n <= 2 ? 'drop' : n === 3 ? [200, { status: 'scanned' }] : pending(),
      })
      await s.shown('Scanned: confirm in WeChat').waitFor({ timeout: 20000 })
      const states = await s.page.evaluate(() => window.testStates)
      const expected = ['loading', 'offline', 'pending', 'offline', 'scanned']
      check(JSON.stringify(states) === JSON.stringify(expected), `the states shown: ${states}`)
      check(count('qrcode') === 2, 'the code is asked for again after the 503')
      check(count('status') === 3, `two failed polls then a good one, not ${count('status')}`)
      await close(s, 'network failures')
      step('network failures and a busy server are retried with backoff, and said')
    }

    // 7. A tab hidden for long stops polling, and resumes when visible again.
    {
      const s = await open({ qrcode: () => code('scene-1', 600), status: pending }, { width: 390, height: 844 })
      await s.shown('Scan with WeChat').waitFor()
      await until(() => count('status') >= 1, 'polling')
      await s.page.screenshot({ path: join(artifacts, 'hosted-login-phone.png') })
      check(await s.page.getByText('On a phone?', { exact: false }).isVisible(), 'the phone hint on a phone')
      await s.page.evaluate(() => window.testSetHidden(true))
      await s.page.clock.fastForward(61000)
      await sleep(500)
      const before = count('status')
      await s.page.clock.fastForward(30000)
      await sleep(500)
      check(count('status') === before, `no polling while hidden (${before} → ${count('status')})`)
      await s.page.evaluate(() => window.testSetHidden(false))
      await until(() => count('status') > before, 'polling again once visible')
      await close(s, 'hidden tab')
      step('a tab hidden for long stops polling and resumes when visible')
    }

    // 8. A redirect to a script URL is refused.
    {
      const s = await open({
        qrcode: () => code('scene-1'),
        status: () => [200, { status: 'confirmed', redirectTo: 'javascript:alert(1)' }],
      })
      await s.shown('A QR code cannot be shown right now. Please try again later.').waitFor()
      check(s.page.url() === `${origin}/authorize`, 'the page stays')
      await close(s, 'script redirect')
      step('a javascript: redirect is refused')
    }
  } finally {
    await browser.close()
    server.close()
  }
}

run('hosted login page', main)
