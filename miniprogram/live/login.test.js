// The page's real request against a live Tessera: what the mini program sends is what the server
// accepts, and what the server answers is what reaches the App. WeChat is the simulator; `wx`
// forwards to them (wx.login → a simulator code, wx.request → fetch).

const crypto = require('crypto')
const http = require('http')
const config = require('../app/config.js')
const { installWx, openPage, settle, find, button, parseExtMsg } = require('../test/harness.js')

const env = (name) => {
  if (!process.env[name]) throw new Error(`${name} is not set`)
  return process.env[name]
}
const base = env('TESSERA_URL')
const simUrl = env('WECHAT_SIM_URL')
const hex = (n) => crypto.randomBytes(n).toString('hex')

/** One HTTP exchange with Node's own client (jsdom, the page's environment, has no fetch). */
function call(url, method, body, token) {
  const payload = body === undefined ? undefined : JSON.stringify(body)
  const headers = { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method, headers }, (response) => {
      let text = ''
      response.setEncoding('utf8')
      response.on('data', (chunk) => { text += chunk })
      response.on('end', () => resolve({ status: response.statusCode, body: text ? JSON.parse(text) : null }))
    })
    request.on('error', reject)
    request.end(payload)
  })
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

const pool = { id: `mp-${hex(6)}`, appId: `wx${hex(8)}`, appSecret: hex(16) }
let admin

beforeAll(async () => {
  config.serverUrl = base // the page calls the configured server
  admin = (await call(`${base}/api/v1/auth/admin`, 'POST', {
    username: 'admin', password: env('TESSERA_ADMIN_PASSWORD'),
  })).body.accessToken
  const created = await call(`${base}/api/v1/userpools`, 'POST', { id: pool.id, name: 'Mini program live test' }, admin)
  expect(created.status).toBe(201)
  pool.secret = created.body.secret
  expect((await call(`${simUrl}/__sim/apps`, 'POST', { appId: pool.appId, secret: pool.appSecret })).status).toBe(204)
  const connected = await call(`${base}/api/v1/userpools/${pool.id}/connections/app2wxapp`, 'PUT',
    { appId: pool.appId, appSecret: pool.appSecret }, admin)
  expect(connected.status).toBe(200)
})

afterAll(async () => {
  await call(`${base}/api/v1/userpools/${pool.id}`, 'DELETE', undefined, admin)
})

const codeFor = (openid) => async () =>
  (await call(`${simUrl}/__sim/login-codes`, 'POST', { appId: pool.appId, openid })).body.code

test('a phone login through the page gives the App a ticket its backend can exchange', async () => {
  const openid = `o${hex(10)}`
  installWx({ server: forward, issueCode: codeFor(openid) })
  const page = await openPage('routes/explore', { userPoolId: pool.id, getPhone: '1', fromApp: '1', useSelfWxapp: '0' })
  await settle(() => page.instance.code)

  const phoneCode = (await call(`${simUrl}/__sim/phone-codes`, 'POST', { appId: pool.appId, phone: '13900139000' })).body.code
  find(page, 'phone').dispatchEvent('getphonenumber', { detail: { errMsg: 'getPhoneNumber:ok', code: phoneCode } })
  await settle(() => find(page, 'return'))

  const answer = parseExtMsg(button(page, 'return').appParameter)
  expect(answer).toEqual({ code: '200', message: 'ok', ticket: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) })

  const user = await call(`${base}/oauth/app2wxapp/auth/${pool.id}`, 'POST', { ticket: answer.ticket, secret: pool.secret })
  expect(user.status).toBe(200)
  expect(user.body.openid).toBe(openid)
  expect(user.body.phone).toBe('13900139000')
})

test('a refusal by the server reaches the App as its status and error', async () => {
  const patched = await call(`${base}/api/v1/userpools/${pool.id}`, 'PATCH', { settings: { allowSignUp: false } }, admin)
  expect(patched.status).toBe(200)
  installWx({ server: forward, issueCode: codeFor(`o${hex(10)}`) })
  const page = await openPage('routes/explore', { userPoolId: pool.id, getPhone: '0' })
  await settle(() => page.instance.code)

  find(page, 'login').dispatchEvent('tap')
  await settle(() => find(page, 'return'))

  const answer = parseExtMsg(button(page, 'return').appParameter)
  expect(answer.code).toBe('403')
  expect(answer.error).toBe('signup_disabled')
  expect(answer.message.length).toBeGreaterThan(0)
  expect(find(page, 'retry')).not.toBeNull()
})
