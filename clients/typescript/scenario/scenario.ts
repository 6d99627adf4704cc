// The whole flow through the generated TypeScript client, against a live Tessera whose WeChat is
// the simulator (scripts/check-integration starts both):
// admin login → pool → connection and settings → mini program login → ticket exchange → token
// verified against the pool's JWKS → user blocked → the next exchange answers 403 user_blocked.
//
// Environment: TESSERA_URL, WECHAT_SIM_URL, TESSERA_ADMIN_PASSWORD.

import { randomBytes } from 'node:crypto'
import { createRemoteJWKSet, jwtVerify } from 'jose'
import { TesseraError, createTesseraClient, unwrap } from '../src/index'

function env(name: string): string {
  const value = process.env[name]
  if (!value) throw new Error(`${name} is not set`)
  return value
}

const baseUrl = env('TESSERA_URL')
const simUrl = env('WECHAT_SIM_URL')
const adminPassword = env('TESSERA_ADMIN_PASSWORD')

let steps = 0
function step(title: string, detail = ''): void {
  steps += 1
  console.log(`  ${String(steps).padStart(2)}. ${title}${detail ? `: ${detail}` : ''}`)
}

function check(condition: unknown, what: string): asserts condition {
  if (!condition) throw new Error(`check failed: ${what}`)
}

/** The simulator's control API: what WeChat would hand the mini program. */
async function sim<T>(path: string, body: unknown): Promise<T> {
  const response = await fetch(`${simUrl}/__sim/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  check(response.ok, `simulator ${path} answered ${response.status}`)
  return (response.status === 204 ? undefined : await response.json()) as T
}

const hex = (bytes: number) => randomBytes(bytes).toString('hex')

async function main(): Promise<void> {
  const anonymous = createTesseraClient({ baseUrl })

  const { accessToken } = unwrap(await anonymous.POST('/api/v1/auth/admin', {
    body: { username: 'admin', password: adminPassword },
  }))
  const admin = createTesseraClient({ baseUrl, token: accessToken })
  step('admin logged in')

  const poolId = `ts-${hex(8)}`
  const pool = unwrap(await admin.POST('/api/v1/userpools', {
    body: { id: poolId, name: 'TypeScript scenario' },
  }))
  check(pool.id === poolId, 'the pool keeps the id it was created with')
  check(pool.secret.length > 0, 'the pool secret is shown at creation')
  step('pool created', pool.id)

  const appId = `wx${hex(8)}`
  const appSecret = hex(16)
  await sim('apps', { appId, secret: appSecret })
  const connection = unwrap(await admin.PUT('/api/v1/userpools/{id}/connections/app2wxapp', {
    params: { path: { id: poolId } },
    body: { appId, appSecret },
  }))
  check(connection.appId === appId, 'the connection holds the AppID')
  check(!JSON.stringify(connection).includes(appSecret), 'the AppSecret is never returned')
  step('mini program connected', appId)

  const patched = unwrap(await admin.PATCH('/api/v1/userpools/{id}', {
    params: { path: { id: poolId } },
    body: { settings: { tokenTtlSeconds: 3600, app2wxapp: { requireSecret: true, ticketTtlSeconds: 60 } } },
  }))
  check(patched.settings.app2wxapp.ticketTtlSeconds === 60, 'ticketTtlSeconds is 60')
  check(patched.settings.tokenTtlSeconds === 3600, 'tokenTtlSeconds is 3600')
  step('settings changed', 'tickets live 60 s, tokens 1 h, the secret is required')

  const openid = `o${hex(12)}`
  const unionid = `u${hex(12)}`
  const loginOnce = async () => {
    const { code } = await sim<{ code: string }>('login-codes', { appId, openid, unionid })
    const { code: phoneCode } = await sim<{ code: string }>('phone-codes', { appId, phone: '13800138000' })
    return unwrap(await anonymous.POST('/oauth/app2wxapp/login/{userPoolId}', {
      params: { path: { userPoolId: poolId } },
      body: { code, phoneCode, getPhone: true },
    }))
  }
  const login = await loginOnce()
  const kept = await loginOnce()
  check(login.expiresIn === 60, 'the ticket lives as long as the settings say')
  check(login.extMsg === `code=200&message=ok&ticket=${encodeURIComponent(login.ticket)}`, 'extMsg carries the ticket')
  step('mini program logged in twice', `tickets for ${login.expiresIn} s`)

  const refused = await anonymous.POST('/oauth/app2wxapp/auth/{userPoolId}', {
    params: { path: { userPoolId: poolId } },
    body: { ticket: login.ticket },
  })
  check(refused.response.status === 401 && refused.error?.error === 'secret_required', 'no secret: 401 secret_required')
  const user = unwrap(await anonymous.POST('/oauth/app2wxapp/auth/{userPoolId}', {
    params: { path: { userPoolId: poolId } },
    body: { ticket: login.ticket, secret: pool.secret },
  }))
  check(user.openid === openid && user.unionid === unionid, 'the user is the one WeChat named')
  check(user.phone === '13800138000', 'the phone number came from the phone code')
  check(user.registerMethod === 'oauth:app2wxapp', 'registerMethod')
  step('first ticket exchanged (after a refusal without the secret)', `user ${user._id}`)

  const discovery = unwrap(await anonymous.GET('/userpools/{id}/.well-known/openid-configuration', {
    params: { path: { id: poolId } },
  }))
  const jwks = createRemoteJWKSet(new URL(discovery.jwks_uri))
  const { payload, protectedHeader } = await jwtVerify(user.token, jwks, {
    issuer: discovery.issuer,
    audience: poolId,
  })
  check(payload.sub === user._id, 'the token names the user')
  check(protectedHeader.alg === 'ES256', 'ES256 by default')
  check(payload.exp !== undefined && payload.iat !== undefined && payload.exp - payload.iat === 3600, 'the token lives 1 h')
  step('token verified against the JWKS', `${protectedHeader.alg}, kid ${protectedHeader.kid}`)

  const blocked = unwrap(await admin.PATCH('/api/v1/userpools/{id}/users/{user_id}', {
    params: { path: { id: poolId, user_id: user._id } },
    body: { blocked: true },
  }))
  check(blocked.blocked === true, 'the user is blocked')
  step('user blocked')

  const exchangeKept = await anonymous.POST('/oauth/app2wxapp/auth/{userPoolId}', {
    params: { path: { userPoolId: poolId } },
    body: { ticket: kept.ticket, secret: pool.secret },
  })
  try {
    unwrap(exchangeKept)
    throw new Error('check failed: a blocked user\'s ticket was exchanged')
  } catch (err) {
    check(err instanceof TesseraError, `a TesseraError, not ${String(err)}`)
    check(err.status === 403 && err.error === 'user_blocked', `403 user_blocked, not ${err.status} ${err.error}`)
  }
  step('the ticket issued before the block', '403 user_blocked')

  const { code } = await sim<{ code: string }>('login-codes', { appId, openid, unionid })
  const relogin = await anonymous.POST('/oauth/app2wxapp/login/{userPoolId}', {
    params: { path: { userPoolId: poolId } },
    body: { code },
  })
  check(relogin.response.status === 403 && relogin.error?.error === 'user_blocked', 'a new login: 403 user_blocked')
  step('a new login', '403 user_blocked')

  unwrap(await admin.DELETE('/api/v1/userpools/{id}', { params: { path: { id: poolId } } }))
  step('pool deleted')
}

main().then(
  () => console.log(`typescript scenario: ${steps} steps passed`),
  (err: unknown) => {
    console.error(`typescript scenario: failed after ${steps} steps: ${err instanceof Error ? err.stack : String(err)}`)
    process.exit(1)
  },
)
