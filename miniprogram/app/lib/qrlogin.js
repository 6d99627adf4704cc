// The QR login's logic ("mini-program QR code login for websites"), kept apart from its page: the
// website's login page shows a mini program code; scanning it opens /pages/qrlogin/index with the
// code's `scene`; the user confirms (or cancels) here, and the website continues.
//
// Tessera's endpoints, all `POST` with JSON, errors as `{ code, error, message }`:
//   /oauth/wxapp-qrcode/{userPoolId}/scan     { scene }                       → { applicationName, expiresIn }
//   /oauth/wxapp-qrcode/{userPoolId}/confirm  { scene, code, phoneCode?, encryptedData?, iv? } → { confirmed: true }
//   /oauth/wxapp-qrcode/{userPoolId}/cancel   { scene }                       → { cancelled: true }
// `410 qr_expired`: the code expired, or was already confirmed or cancelled.

const { decode } = require('./login.js')

/** WeChat's rule for a scene: 1 to 32 characters of these. */
const SCENE = /^[0-9A-Za-z!#$&'()*+,/:;=?@\-._~]{1,32}$/
const POOL_ID = /^[A-Za-z0-9_-]{1,64}$/

/**
 * Reads the page's options: WeChat hands the code's `scene` over URL-encoded in `options.scene`.
 * `config` gives the user pool (`userPoolId`). Returns `{ scan }` or `{ problem }`: `noScene`
 * (not opened by scanning a code) or `notConfigured` (no valid `userPoolId` in app/config.js).
 */
function parseScan(options, config) {
  const userPoolId = String((config && config.userPoolId) || '').trim()
  if (!POOL_ID.test(userPoolId)) return { problem: 'notConfigured' }
  const scene = decode((options || {}).scene)
  if (!SCENE.test(scene)) return { problem: 'noScene' }
  return { scan: { userPoolId, scene } }
}

/**
 * The body of `confirm`: the scene, the `wx.login` code and, when there is one, the phone from the
 * `getPhoneNumber` event's detail (its code, or an older base library's encrypted payload), as
 * the App login page sends them.
 */
function confirmBody(scene, code, phone) {
  const body = { scene, code }
  if (phone && phone.code) {
    body.phoneCode = phone.code
  } else if (phone && phone.encryptedData && phone.iv) {
    body.encryptedData = phone.encryptedData
    body.iv = phone.iv
  }
  return body
}

/**
 * `POST /oauth/wxapp-qrcode/{userPoolId}/{step}` with `body`. Resolves with `{ code: 200, data }`
 * when the answer is 200 and `accepted(data)`, else `{ code, error, message }` (a network failure
 * is `503 network_error`). Never rejects.
 */
function call(wx, serverUrl, scan, step, body, accepted) {
  const base = String(serverUrl || '').replace(/\/+$/, '')
  const url = `${base}/oauth/wxapp-qrcode/${encodeURIComponent(scan.userPoolId)}/${step}`
  return new Promise((resolve) => {
    wx.request({
      url,
      method: 'POST',
      data: body,
      header: { 'content-type': 'application/json' },
      timeout: 15000,
      success: (res) => {
        const data = res.data && typeof res.data === 'object' ? res.data : {}
        if (res.statusCode === 200 && accepted(data)) {
          resolve({ code: 200, data })
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

/** Tells Tessera the code was scanned: `{ code: 200, data: { applicationName, expiresIn } }`. */
function scanned(wx, serverUrl, scan) {
  return call(wx, serverUrl, scan, 'scan', { scene: scan.scene },
    (data) => typeof data.applicationName === 'string')
}

/** Confirms the login with `body` (see `confirmBody`): `{ code: 200, data: { confirmed: true } }`. */
function confirm(wx, serverUrl, scan, body) {
  return call(wx, serverUrl, scan, 'confirm', body, (data) => data.confirmed === true)
}

/** Refuses the login: `{ code: 200, data: { cancelled: true } }`. */
function cancel(wx, serverUrl, scan) {
  return call(wx, serverUrl, scan, 'cancel', { scene: scan.scene }, (data) => data.cancelled === true)
}

/** Whether an error answer means the QR code is no longer usable. */
function expired(answer) {
  return answer.code === 410 || answer.error === 'qr_expired'
}

module.exports = { SCENE, parseScan, confirmBody, scanned, confirm, cancel, expired }
