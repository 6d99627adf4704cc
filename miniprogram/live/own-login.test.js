// The mini program's own login against a live Tessera: `signIn` (app/lib/oauth.js) sends what the
// token endpoint accepts, for the pool's app2wxapp mini program and, named by `connection`, for a
// second mini program of the pool whose sign-up policy is `linkOnly`. WeChat is the simulator;
// `wx.login` gives its codes and `wx.request` posts the form as WeChat would.

const crypto = require('crypto')
const http = require('http')
const { installWx } = require('../test/harness.js')
const { signIn } = require('../app/lib/oauth.js')

const env = (name) => {
  if (!process.env[name]) throw new Error(`${name} is not set`)
  return process.env[name]
}
const base = env('TESSERA_URL')
const simUrl = env('WECHAT_SIM_URL')
const hex = (n) => crypto.randomBytes(n).toString('hex')

/** One HTTP exchange: a JSON body, or a string sent as the request's own content type. */
function call(url, method, body, token, contentType = 'application/json') {
  const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body)
  const headers = { 'content-type': contentType, ...(token ? { authorization: `Bearer ${token}` } : {}) }
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

/** wx.request as WeChat performs it: the body in the caller's content type, `{ statusCode, data }` out. */
async function forward(options) {
  try {
    const answer = await call(options.url, options.method, options.data, undefined, options.header['content-type'])
    return { status: answer.status, body: answer.body }
  } catch (err) {
    return { fail: { errMsg: `request:fail ${err.message}` } }
  }
}

const pool = { id: `own-${hex(6)}` }
const first = { appId: `wx${hex(8)}`, secret: hex(16) }
const second = { appId: `wx${hex(8)}`, secret: hex(16) }
let admin
let clientId

beforeAll(async () => {
  admin = (await call(`${base}/api/v1/auth/admin`, 'POST', {
    username: 'admin', password: env('TESSERA_ADMIN_PASSWORD'),
  })).body.accessToken
  expect((await call(`${base}/api/v1/userpools`, 'POST', { id: pool.id, name: 'Own login' }, admin)).status).toBe(201)
  for (const app of [first, second]) {
    expect((await call(`${simUrl}/__sim/apps`, 'POST', { appId: app.appId, secret: app.secret })).status).toBe(204)
  }
  const put = await call(`${base}/api/v1/userpools/${pool.id}/connections/app2wxapp`, 'PUT',
    { appId: first.appId, appSecret: first.secret }, admin)
  expect(put.status).toBe(200)
  const added = await call(`${base}/api/v1/userpools/${pool.id}/connections`, 'POST',
    { kind: 'miniprogram', appId: second.appId, secret: second.secret, signUp: 'linkOnly' }, admin)
  expect(added.status).toBe(201)
  second.connection = added.body.id
  const app = await call(`${base}/api/v1/userpools/${pool.id}/applications`, 'POST',
    { name: 'The mini program', type: 'miniprogram', redirectUris: [], postLogoutRedirectUris: [] }, admin)
  expect(app.status).toBe(201)
  clientId = app.body.clientId
})

afterAll(async () => {
  await call(`${base}/api/v1/userpools/${pool.id}`, 'DELETE', undefined, admin)
})

const codeFor = (appId, openid, unionid) => async () =>
  (await call(`${simUrl}/__sim/login-codes`, 'POST', { appId, openid, unionid })).body.code

const userinfo = (accessToken) => new Promise((resolve, reject) => {
  http.get(`${base}/userpools/${pool.id}/oauth/userinfo`, { headers: { authorization: `Bearer ${accessToken}` } }, (res) => {
    let text = ''
    res.on('data', (chunk) => { text += chunk })
    res.on('end', () => resolve(JSON.parse(text)))
  }).on('error', reject)
})

test('the mini program signs its user in for itself and gets the pool\'s tokens', async () => {
  const unionid = `u${hex(8)}`
  installWx({ server: forward, issueCode: codeFor(first.appId, `o${hex(8)}`, unionid) })
  const result = await signIn(wx, base, { userPoolId: pool.id, clientId, scope: 'openid profile offline_access' })
  expect(result.tokens).toBeDefined()
  expect(result.tokens.token_type).toBe('Bearer')
  expect(typeof result.tokens.refresh_token).toBe('string')
  const claims = await userinfo(result.tokens.access_token)
  expect(claims.wechat_appid).toBe(first.appId)

  // The second mini program, named by its connection: a stranger is refused, the same person
  // (by unionid) gets in.
  installWx({ server: forward, issueCode: codeFor(second.appId, `o${hex(8)}`, `u${hex(8)}`) })
  const stranger = await signIn(wx, base, { userPoolId: pool.id, clientId, connection: second.connection })
  expect([stranger.status, stranger.error]).toEqual([403, 'invalid_grant'])
  installWx({ server: forward, issueCode: codeFor(second.appId, `o${hex(8)}`, unionid) })
  const known = await signIn(wx, base, { userPoolId: pool.id, clientId, connection: second.connection })
  expect(known.tokens).toBeDefined()
  const again = await userinfo(known.tokens.access_token)
  expect(again.sub).toBe(claims.sub)
  expect(again.wechat_appid).toBe(second.appId)
})
