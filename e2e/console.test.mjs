// The API console at /docs, driven in a real browser (the system's Chromium, through Playwright):
// an admin logs in through the console's "Try it out", authorizes with the bearer token, creates a
// user pool, and the pool is then found through the API. Saves a screenshot of the result.
//
// Environment: TESSERA_URL, TESSERA_ADMIN_PASSWORD, CHROMIUM (default /usr/bin/chromium),
// ARTIFACTS (folder for the screenshot, default .test-artifacts).

import { randomBytes } from 'node:crypto'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { check, launchChromium, required, run, step } from './support.mjs'

const base = required('TESSERA_URL')
const password = required('TESSERA_ADMIN_PASSWORD')
const artifacts = process.env.ARTIFACTS || '.test-artifacts'

/** Opens an operation, presses "Try it out", puts `body` in the editor and executes it. */
async function tryItOut(page, tag, operationId, body) {
  const op = page.locator(`#operations-${tag}-${operationId}`)
  await op.locator('.opblock-summary').first().click()
  await op.getByRole('button', { name: 'Try it out' }).click()
  await op.locator('textarea.body-param__text').fill(JSON.stringify(body, null, 2))
  await op.getByRole('button', { name: 'Execute' }).click()
  const live = op.locator('.live-responses-table .response').first()
  await live.waitFor()
  const status = Number((await live.locator('.response-col_status').innerText()).trim())
  const text = await live.locator('.response-col_description pre').first().innerText()
  return { status, body: JSON.parse(text), op }
}

async function main() {
  const browser = await launchChromium()
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1600 } })
    const problems = []
    page.on('pageerror', (err) => problems.push(err.message))

    await page.goto(`${base}/docs`)
    await page.locator('#operations-Auth-adminLogin').waitFor()
    check(await page.locator('.opblock').count() >= 20, 'the console lists every operation')
    step('console loaded')

    const login = await tryItOut(page, 'Auth', 'adminLogin', { username: 'admin', password })
    check(login.status === 200, `admin login answered ${login.status}`)
    check(typeof login.body.accessToken === 'string', 'an access token')
    step('admin logged in through "Try it out"')

    await page.locator('.auth-wrapper .authorize').first().click()
    const dialog = page.locator('.modal-ux')
    await dialog.locator('input').first().fill(login.body.accessToken)
    await dialog.getByRole('button', { name: 'Apply credentials' }).click()
    await dialog.getByRole('button', { name: 'Remove authorization' }).waitFor()
    await dialog.getByRole('button', { name: 'Close' }).click()
    step('authorized with the bearer token')

    const poolId = `console-${randomBytes(6).toString('hex')}`
    const created = await tryItOut(page, 'UserPools', 'createUserPool', {
      name: 'Created in the console',
      id: poolId,
    })
    check(created.status === 201, `pool creation answered ${created.status}`)
    check(created.body.id === poolId, 'the pool has the id typed in')
    check(typeof created.body.secret === 'string' && created.body.secret.length > 0, 'its secret is shown')
    const curl = await created.op.locator('.curl-command').innerText()
    check(curl.includes('Authorization: Bearer'), 'the console sent the bearer token')
    step(`pool ${poolId} created through the console`)

    mkdirSync(artifacts, { recursive: true })
    const shot = join(artifacts, 'console-create-pool.png')
    await created.op.scrollIntoViewIfNeeded()
    await page.screenshot({ path: shot, fullPage: false })
    step(`screenshot saved: ${shot}`)

    const fetched = await fetch(`${base}/api/v1/userpools/${poolId}`, {
      headers: { authorization: `Bearer ${login.body.accessToken}` },
    })
    check(fetched.status === 200, `the API finds the pool (${fetched.status})`)
    const pool = await fetched.json()
    check(pool.name === 'Created in the console', 'with the name typed in')
    check(!('secret' in pool), 'and without its secret')
    step('the pool is there through the API')

    check(problems.length === 0, `no script errors in the page: ${problems.join('; ')}`)
  } finally {
    await browser.close()
  }
}

run('console test', main)
