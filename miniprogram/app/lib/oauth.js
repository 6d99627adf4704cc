// The mini program as an OpenID Connect client of its user pool (its "own login"): a `miniprogram`
// application of the pool exchanges its `wx.login` code, and optionally the phone button's code,
// at the pool's token endpoint (RFC 8693 token exchange) for the user's access, ID and refresh
// tokens. No backend of its own is needed; the tokens are the pool's standard ones.

const { wxLogin } = require('./login.js')

const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange'
const WXAPP_CODE = 'urn:tessera:params:oauth:token-type:wxapp-login-code'
const POOL_ID = /^[A-Za-z0-9_-]{1,64}$/
const CONNECTION_ID = /^[0-9a-f]{24}$/

/** `application/x-www-form-urlencoded`, as the token endpoint reads it. */
function form(fields) {
  return Object.keys(fields)
    .filter((name) => fields[name] !== undefined && fields[name] !== null && fields[name] !== '')
    .map((name) => `${encodeURIComponent(name)}=${encodeURIComponent(String(fields[name]))}`)
    .join('&')
}

/**
 * The token request of a sign-in: `options` are `{ userPoolId, clientId, scope?, phoneCode?,
 * connection? }` (`connection`: the pool's connection of this mini program, when the pool has
 * several). Returns `{ body }` or `{ error }` naming the option that is wrong.
 */
function tokenRequest(code, options) {
  const o = options || {}
  if (!POOL_ID.test(o.userPoolId || '')) return { error: 'userPoolId: not a user pool id' }
  if (!o.clientId) return { error: 'clientId: the miniprogram application\'s client id is required' }
  if (o.connection && !CONNECTION_ID.test(o.connection)) return { error: 'connection: not a connection id' }
  return {
    body: form({
      grant_type: TOKEN_EXCHANGE,
      client_id: o.clientId,
      subject_token: code,
      subject_token_type: WXAPP_CODE,
      scope: o.scope || 'openid profile',
      phone_code: o.phoneCode,
      connection: o.connection,
    }),
  }
}

/**
 * Signs the user in: `wx.login`, then the token endpoint. Resolves with `{ tokens }` (the token
 * response: `access_token`, `id_token`, `refresh_token` with `offline_access`, `expires_in`) or
 * with `{ status, error, description }` (the endpoint's OAuth error; `network_error` when it cannot
 * be reached, `wechat_unavailable` when `wx.login` fails, `invalid_request` for bad options).
 * Never rejects. A code is sent once: call again for a new attempt.
 */
async function signIn(wx, serverUrl, options) {
  let login
  try {
    login = await wxLogin(wx)
  } catch (err) {
    return { status: 502, error: 'wechat_unavailable', description: err.message }
  }
  const request = tokenRequest(login.code, options)
  if (request.error) return { status: 400, error: 'invalid_request', description: request.error }
  const pool = encodeURIComponent(options.userPoolId)
  const url = `${serverUrl.replace(/\/+$/, '')}/userpools/${pool}/oauth/token`
  return new Promise((resolve) => {
    wx.request({
      url,
      method: 'POST',
      data: request.body,
      header: { 'content-type': 'application/x-www-form-urlencoded' },
      timeout: 15000,
      success: (res) => {
        const data = res.data && typeof res.data === 'object' ? res.data : {}
        if (res.statusCode === 200 && data.access_token) {
          resolve({ tokens: data })
          return
        }
        resolve({
          status: res.statusCode,
          error: data.error || 'server_error',
          description: data.error_description || `The server answered ${res.statusCode}.`,
        })
      },
      fail: (err) => resolve({
        status: 503,
        error: 'network_error',
        description: `Could not reach the login server: ${(err && err.errMsg) || 'network error'}`,
      }),
    })
  })
}

module.exports = { TOKEN_EXCHANGE, WXAPP_CODE, form, tokenRequest, signIn }
