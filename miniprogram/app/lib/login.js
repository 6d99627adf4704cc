// The login mini program's logic, kept apart from the page so that it reads as plain functions:
// what the App put in the launch path, what goes back to the App in `extMsg`, and the calls to
// WeChat and to Tessera.

/** The only scene from which a mini program can return to the App that opened it. */
const SCENE_FROM_APP = 1069

/** A `wx.login` code lives five minutes; one older than this is not worth sending. */
const CODE_MAX_AGE_MS = 4 * 60 * 1000

const POOL_ID = /^[A-Za-z0-9_-]{1,64}$/
const CODE_CHALLENGE = /^[A-Za-z0-9_-]{43}$/

/** Decodes one launch-path value; WeChat may hand them over still URL-encoded. */
function decode(value) {
  if (value === undefined || value === null) return ''
  const text = String(value)
  try {
    return decodeURIComponent(text)
  } catch (_) {
    return text
  }
}

/**
 * Reads what the App put in the launch path
 * (`/routes/explore?userPoolId=…&getPhone=1&fromApp=1&useSelfWxapp=0&codeChallenge=…`).
 * Returns `{ launch }` or `{ error }`, the error naming the parameter that is wrong.
 * `useSelfWxapp` chose between the original's shared mini program and the tenant's own; this
 * mini program is always the tenant's own, so it is read for compatibility and not acted on.
 */
function parseLaunch(query) {
  const q = query || {}
  const userPoolId = decode(q.userPoolId).trim()
  if (!userPoolId) {
    return { error: 'The launch path has no userPoolId: the App must pass its user pool id.' }
  }
  if (!POOL_ID.test(userPoolId)) {
    return { error: 'The launch path\'s userPoolId is not a user pool id (letters, digits, _ and -).' }
  }
  const codeChallenge = decode(q.codeChallenge)
  if (codeChallenge && !CODE_CHALLENGE.test(codeChallenge)) {
    return { error: 'The launch path\'s codeChallenge must be base64url(SHA-256(verifier)): 43 characters.' }
  }
  const method = decode(q.codeChallengeMethod)
  if (method && method !== 'S256') {
    return { error: 'The launch path\'s codeChallengeMethod must be S256.' }
  }
  return {
    launch: {
      userPoolId,
      getPhone: decode(q.getPhone) === '1',
      fromApp: decode(q.fromApp) === '1',
      useSelfWxapp: decode(q.useSelfWxapp) === '1',
      codeChallenge: codeChallenge || undefined,
    },
  }
}

/**
 * What the App receives as `extMsg`: a query string whose values are URL-encoded, built the same
 * way for a success (the server's own `extMsg`), an error and a cancellation.
 */
function extMsg(fields) {
  const order = ['code', 'message', 'error', 'ticket']
  return order
    .filter((name) => fields[name] !== undefined && fields[name] !== '')
    .map((name) => `${name}=${encodeURIComponent(String(fields[name]))}`)
    .join('&')
}

/** The answer to the App when the user declines (cancels, or refuses the phone number). */
function cancelled(message) {
  return { code: 403, error: 'access_denied', message }
}

/** Whether the page can hand a result back to the App (`launchApp` works only in scene 1069). */
function openedFromApp(wx) {
  const options = typeof wx.getEnterOptionsSync === 'function'
    ? wx.getEnterOptionsSync()
    : wx.getLaunchOptionsSync()
  return Number(options && options.scene) === SCENE_FROM_APP
}

/** `wx.login` as a promise of `{ code, at }`. */
function wxLogin(wx) {
  return new Promise((resolve, reject) => {
    wx.login({
      timeout: 10000,
      success: (res) => (res && res.code
        ? resolve({ code: res.code, at: Date.now() })
        : reject(new Error(`wx.login gave no code (${(res && res.errMsg) || 'no answer'})`))),
      fail: (err) => reject(new Error(`wx.login failed: ${(err && err.errMsg) || 'unknown error'}`)),
    })
  })
}

/** Whether a code from `wxLogin` can still be sent. */
function fresh(login, now) {
  return Boolean(login && login.code && now - login.at < CODE_MAX_AGE_MS)
}

/**
 * The body of `POST /oauth/app2wxapp/login/{userPoolId}`.
 * `phone` is the `getPhoneNumber` event's detail, when there is one.
 */
function loginBody(launch, code, phone) {
  const body = { code }
  if (launch.getPhone) body.getPhone = true
  if (phone && phone.code) {
    body.phoneCode = phone.code
  } else if (phone && phone.encryptedData && phone.iv) {
    body.encryptedData = phone.encryptedData
    body.iv = phone.iv
  }
  if (launch.codeChallenge) {
    body.codeChallenge = launch.codeChallenge
    body.codeChallengeMethod = 'S256'
  }
  return body
}

/**
 * Logs in at Tessera. Resolves with the server's answer `{ code: 200, ticket, extMsg, … }` or with
 * `{ code, error, message }` (the documented error shape; a network failure is reported as
 * `503 network_error`). Never rejects.
 */
function login(wx, serverUrl, launch, body) {
  const url = `${serverUrl.replace(/\/+$/, '')}/oauth/app2wxapp/login/${encodeURIComponent(launch.userPoolId)}`
  return new Promise((resolve) => {
    wx.request({
      url,
      method: 'POST',
      data: body,
      header: { 'content-type': 'application/json' },
      timeout: 15000,
      success: (res) => {
        const data = res.data && typeof res.data === 'object' ? res.data : {}
        if (res.statusCode === 200 && data.ticket && data.extMsg) {
          resolve(data)
          return
        }
        resolve({
          code: res.statusCode,
          error: data.error || 'server_error',
          message: data.message || `The server answered ${res.statusCode}.`,
        })
      },
      fail: (err) => resolve({
        code: 503,
        error: 'network_error',
        message: `Could not reach the login server: ${(err && err.errMsg) || 'network error'}`,
      }),
    })
  })
}

module.exports = {
  SCENE_FROM_APP,
  CODE_MAX_AGE_MS,
  decode,
  parseLaunch,
  extMsg,
  cancelled,
  openedFromApp,
  wxLogin,
  fresh,
  loginBody,
  login,
}
