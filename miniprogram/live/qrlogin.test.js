// The website QR login's confirm page against a live Tessera, WeChat being the simulator: the
// hosted login page's call draws a mini program code (getwxacodeunlimit, answered by the
// simulator), the test plays the user scanning it (the simulator tells the scene of the last code
// it drew, which the PNG also carries), and the page at /pages/qrlogin/index confirms or cancels
// through Tessera's /oauth/wxapp-qrcode/{userPoolId}/{scan,confirm,cancel}.

const crypto = require('crypto')
const http = require('http')
const https = require('https')
const { Buffer } = require('buffer')
const config = require('../app/config.js')
const { installWx, openPage, settle, find, text } = require('../test/harness.js')

const PAGE = 'pages/qrlogin/index'

const env = (name) => {
  if (!process.env[name]) throw new Error(`${name} is not set`)
  return process.env[name]
}
const base = env('TESSERA_URL')
const simUrl = env('WECHAT_SIM_URL')
const hex = (n) => crypto.randomBytes(n).toString('hex')
const b64url = (bytes) => bytes.toString('base64').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')

/** One HTTP exchange with Node's own client: `{ status, headers, bytes }`. */
function exchange(url, { method = 'GET', headers = {}, body } = {}) {
  const client = url.startsWith('https:') ? https : http
  return new Promise((resolve, reject) => {
    const request = client.request(url, { method, headers }, (response) => {
      const chunks = []
      response.on('data', (chunk) => chunks.push(chunk))
      response.on('end', () => resolve({
        status: response.statusCode, headers: response.headers, bytes: Buffer.concat(chunks),
      }))
    })
    request.on('error', reject)
    request.end(body)
  })
}

/** A JSON call: `{ status, body }`. */
async function call(url, method, body, token) {
  const headers = { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }
  const answer = await exchange(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
  const textBody = answer.bytes.toString('utf8')
  let parsed = null
  try {
    parsed = textBody ? JSON.parse(textBody) : null
  } catch (_) {
    parsed = textBody
  }
  return { status: answer.status, body: parsed }
}

/** wx.request as WeChat performs it: JSON in, `{ statusCode, data }` out. */
async function forward(options) {
  try {
    const answer = await call(options.url, options.method, options.data)
    return { status: answer.status, body: answer.body }
  } catch (err) {
    return { fail: { errMsg: `request:fail ${err.message}` } }
  }
}

/** The `tEXt` chunk `keyword` of a PNG (the simulator's codes carry their scene so). */
function pngText(png, keyword) {
  if (!png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return null
  for (let at = 8; at + 12 <= png.length;) {
    const length = png.readUInt32BE(at)
    const type = png.toString('latin1', at + 4, at + 8)
    const data = png.subarray(at + 8, at + 8 + length)
    const zero = data.indexOf(0)
    if (type === 'tEXt' && zero >= 0 && data.toString('latin1', 0, zero) === keyword) {
      return data.toString('latin1', zero + 1)
    }
    at += 12 + length
  }
  return null
}

const pool = { id: `qr-${hex(6)}`, appId: `wx${hex(8)}`, appSecret: hex(16) }
const application = { name: `Acme Shop ${hex(3)}`, redirectUri: 'https://rp.example.test/callback' }
let admin

beforeAll(async () => {
  admin = (await call(`${base}/api/v1/auth/admin`, 'POST', {
    username: 'admin', password: env('TESSERA_ADMIN_PASSWORD'),
  })).body.accessToken
  const created = await call(`${base}/api/v1/userpools`, 'POST', { id: pool.id, name: 'QR login live test' }, admin)
  expect(created.status).toBe(201)
  expect((await call(`${simUrl}/__sim/apps`, 'POST', { appId: pool.appId, secret: pool.appSecret })).status).toBe(204)
  const connected = await call(`${base}/api/v1/userpools/${pool.id}/connections/app2wxapp`, 'PUT',
    { appId: pool.appId, appSecret: pool.appSecret }, admin)
  expect(connected.status).toBe(200)
  const app = await call(`${base}/api/v1/userpools/${pool.id}/applications`, 'POST', {
    name: application.name,
    type: 'web',
    redirectUris: [application.redirectUri],
    postLogoutRedirectUris: [],
  }, admin)
  expect(app.status).toBe(201)
  application.clientId = app.body.clientId
  const discovery = await call(`${base}/userpools/${pool.id}/.well-known/openid-configuration`, 'GET')
  expect(discovery.status).toBe(200)
  application.authorize = discovery.body.authorization_endpoint
  expect(typeof application.authorize).toBe('string')

  config.serverUrl = base // the page calls the configured server
  config.userPoolId = pool.id
  config.qrLoginGetPhone = false
})

afterAll(async () => {
  await call(`${base}/api/v1/userpools/${pool.id}`, 'DELETE', undefined, admin)
})

/**
 * Opens the hosted login page as a browser would (the page, with its cookies), asks for a mini
 * program code as the page's script does (`POST {data-base}/login/wxapp-qrcode` with the page's
 * `data-interaction`), then scans it: the scene of the last code the simulator drew for the
 * pool's mini program, checked against the scene the image itself carries.
 */
async function scanHostedPage() {
  const verifier = b64url(crypto.randomBytes(32))
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: application.clientId,
    redirect_uri: application.redirectUri,
    scope: 'openid',
    state: hex(8),
    nonce: hex(8),
    code_challenge: b64url(crypto.createHash('sha256').update(verifier).digest()),
    code_challenge_method: 'S256',
    ui_locales: 'en',
  })
  const pageUrl = `${application.authorize}?${query}`
  const page = await exchange(pageUrl, { headers: { accept: 'text/html' } })
  expect(page.status).toBe(200)
  const cookie = [].concat(page.headers['set-cookie'] || []).map((c) => c.split(';')[0]).join('; ')
  const html = page.bytes.toString('utf8')
  const attribute = (name) => {
    const found = html.match(new RegExp(`\\s${name}="([^"]*)"`))
    return found ? found[1].replace(/&amp;/g, '&') : null
  }
  const pageBase = attribute('data-base')
  const interaction = attribute('data-interaction')
  expect(pageBase).toBe(`/userpools/${pool.id}`)
  expect(interaction).toMatch(/^[A-Za-z0-9_-]{43}$/)

  const drawn = await exchange(new URL(`${pageBase}/login/wxapp-qrcode`, pageUrl).toString(), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
    body: JSON.stringify({ interaction }),
  })
  const code = JSON.parse(drawn.bytes.toString('utf8'))
  expect(drawn.status).toBe(200)
  expect(code.image).toMatch(/^data:image\/png;base64,/)
  const png = Buffer.from(code.image.slice(code.image.indexOf(',') + 1), 'base64')

  const scan = await call(`${simUrl}/__sim/wxacode-scan`, 'POST', { appId: pool.appId })
  if (scan.status !== 200) {
    throw new Error(`the hosted login page drew no mini program code for ${pool.appId} (simulator: ${scan.status})`)
  }
  expect(scan.body.page).toBe(PAGE)
  expect(pngText(png, 'scene')).toBe(scan.body.scene)
  expect(code.scene).toBe(scan.body.scene)
  return scan.body.scene
}

const wxFor = (openid) => ({
  server: forward,
  scene: 1047,
  issueCode: async () => (await call(`${simUrl}/__sim/login-codes`, 'POST', { appId: pool.appId, openid })).body.code,
})

test('scanning the hosted page\'s code and confirming logs the website in; the code then is used', async () => {
  const scene = await scanHostedPage()
  const calls = installWx(wxFor(`o${hex(10)}`))
  const page = await openPage(PAGE, { scene: encodeURIComponent(scene) })
  await settle(() => find(page, 'question') || find(page, 'message'))

  expect(text(page, 'question')).toBe(`Log in to ${application.name} on the website?`)
  find(page, 'confirm').dispatchEvent('tap')
  await settle(() => find(page, 'message'))

  expect(text(page, 'message')).toBe('You are logged in on the website; you can close this.')
  expect(calls.requests.map((r) => r.url.split('/').pop())).toEqual(['scan', 'confirm'])

  // The same code scanned again: used.
  installWx(wxFor(`o${hex(10)}`))
  const again = await openPage(PAGE, { scene: encodeURIComponent(scene) })
  await settle(() => find(again, 'message'))
  expect(text(again, 'message')).toContain('expired or was already used')
})

test('cancelling refuses the login; the code then is used', async () => {
  const scene = await scanHostedPage()
  installWx(wxFor(`o${hex(10)}`))
  const page = await openPage(PAGE, { scene: encodeURIComponent(scene) })
  await settle(() => find(page, 'question') || find(page, 'message'))

  find(page, 'cancel').dispatchEvent('tap')
  await settle(() => find(page, 'message'))
  expect(text(page, 'message')).toBe('Login cancelled; you can close this.')

  const answer = await call(`${base}/oauth/wxapp-qrcode/${pool.id}/scan`, 'POST', { scene })
  expect(answer.status).toBe(410)
  expect(answer.body.error).toBe('qr_expired')
})

test('a scene that was never issued is refused as expired', async () => {
  installWx(wxFor(`o${hex(10)}`))
  const page = await openPage(PAGE, { scene: `never-${hex(4)}` })
  await settle(() => find(page, 'message'))

  expect(find(page, 'confirm')).toBeNull()
  expect(text(page, 'message')).toContain('expired or was already used')
})
