// @ts-check
// An App backend's half of "App launches mini program" login, with the published @tessera/client
// package in plain Node.js (ESM): exchange the ticket the App received from the mini program for
// the user and a signed token, then read the same user through the admin API with the pool's
// management token.
//
//   npm install @tessera/client
//   TESSERA_URL=https://id.example.com TESSERA_POOL_ID=… TESSERA_POOL_SECRET=… \
//     node exchange-ticket.mjs TICKET [CODE_VERIFIER]
//
// Prints the user as one line of JSON. An error answer is printed as "<status> <error>: <message>"
// on standard error, and the exit status is 1.

import { TesseraError, createTesseraClient, unwrap } from '@tessera/client'

/** @param {string} name */
function env(name) {
  const value = process.env[name]
  if (!value) {
    console.error(`${name} is not set`)
    process.exit(2)
  }
  return value
}

const baseUrl = env('TESSERA_URL')
const poolId = env('TESSERA_POOL_ID')
const secret = env('TESSERA_POOL_SECRET')
const [ticket, codeVerifier] = process.argv.slice(2)
if (!ticket) {
  console.error('usage: node exchange-ticket.mjs TICKET [CODE_VERIFIER]')
  process.exit(2)
}

const tessera = createTesseraClient({ baseUrl })

try {
  // The exchange: single use, so a second exchange of the same ticket answers 400 ticket_invalid.
  const user = unwrap(await tessera.POST('/oauth/app2wxapp/auth/{userPoolId}', {
    params: { path: { userPoolId: poolId } },
    body: { ticket, secret, ...(codeVerifier ? { codeVerifier } : {}) },
  }))

  // The admin API, as the pool itself: a management token from the pool's id and secret.
  const { accessToken } = unwrap(await tessera.POST('/api/v1/auth/userpool', {
    body: { userPoolId: poolId, secret },
  }))
  const admin = createTesseraClient({ baseUrl, token: accessToken })
  const stored = unwrap(await admin.GET('/api/v1/userpools/{id}/users/{user_id}', {
    params: { path: { id: poolId, user_id: user._id } },
  }))

  console.log(JSON.stringify({
    id: user._id,
    openid: user.openid,
    unionid: user.unionid,
    phone: user.phone,
    tokenExpiredAt: user.tokenExpiredAt,
    loginsCount: stored.loginsCount,
    blocked: stored.blocked,
  }))
} catch (err) {
  if (err instanceof TesseraError) {
    // err.error is the stable name (ticket_invalid, secret_invalid, user_blocked, rate_limited, …);
    // err.retryAfter is set for 429 and 503.
    console.error(`${err.status} ${err.error}: ${err.message}`)
    process.exit(1)
  }
  throw err
}
