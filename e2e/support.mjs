// What the browser and API tests under e2e/ share: their environment, their checks, numbered
// steps, JSON calls to the server or the WeChat simulator, the scene a simulated QR code carries,
// and the system's Chromium.

import { randomBytes } from 'node:crypto'
import { isDeepStrictEqual } from 'node:util'
import { chromium } from 'playwright-core'

/** The environment variable `name`: the test cannot run without it. */
export function required(name) {
  const value = process.env[name]
  if (!value) throw new Error(`${name} is not set`)
  return value
}

/** Fails the test with `what` unless `condition` holds. */
export function check(condition, what) {
  if (!condition) throw new Error(`check failed: ${what}`)
}

/** Fails the test with `what` and both values unless they are deeply equal. */
export function equal(actual, expected, what) {
  if (!isDeepStrictEqual(actual, expected)) {
    throw new Error(`check failed: ${what}: ${JSON.stringify(actual)} instead of ${JSON.stringify(expected)}`)
  }
}

let steps = 0

/** Prints the next numbered step. */
export function step(title) {
  steps += 1
  console.log(`  ${String(steps).padStart(2)}. ${title}`)
}

/** `n` random bytes as hex: names no other run uses. */
export const hex = (n) => randomBytes(n).toString('hex')

/**
 * A JSON call to the server or the simulator: `{ status, body, headers }` (a body that is not
 * JSON is kept as text).
 */
export async function call(url, method, body, token, headers = {}) {
  const all = { 'content-type': 'application/json', ...headers, ...(token ? { authorization: `Bearer ${token}` } : {}) }
  const answer = await fetch(url, { method, headers: all, body: body === undefined ? undefined : JSON.stringify(body) })
  const text = await answer.text()
  let parsed = null
  try {
    parsed = text ? JSON.parse(text) : null
  } catch {
    parsed = text
  }
  return { status: answer.status, body: parsed, headers: answer.headers }
}

/** The `tEXt` chunk `keyword` of a PNG (the simulator's codes carry their scene so), or null. */
export function pngText(png, keyword) {
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
  if (!png.subarray(0, 8).equals(signature)) return null
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

/** Runs the test `main`, then says how many steps passed, or after which one it failed (and
 * exits with 1). */
export function run(name, main) {
  main().then(
    () => console.log(`${name}: ${steps} steps passed`),
    (err) => {
      console.error(`${name}: failed after ${steps} steps: ${err && err.stack ? err.stack : err}`)
      if (err?.cause) console.error('cause:', JSON.stringify(err.cause))
      process.exit(1)
    },
  )
}

/** The system's Chromium (`CHROMIUM`, else /usr/bin/chromium), headless, without the background
 * traffic of a desktop browser. */
export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  })
}
