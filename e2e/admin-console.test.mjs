// The admin console at /console, driven in a real browser (the system's Chromium, through
// Playwright) against the live server and the WeChat simulator: every screen and action, each
// result checked through the API. Signing in (platform and pool admin, Chinese by default, the
// language switch remembered, every text in both catalogs); user pools (create with the secret
// shown once, a 409, paging and the back button, delete typed to confirm); a pool's settings
// (client-side ranges, the algorithm change, the secret rotated); connections (each kind's
// fields, secrets write-only, enable/disable, delete, the app2wxapp connection); applications
// (the secret once, a 400 shown next to the form, edit, rotate, delete); users (search,
// pre-provision, detail, unlink, block, edit, delete, CSV export with formulas neutralised, CSV
// import of good and bad rows, the row cap); signing keys (rotation seen in the JWKS, a 429 with
// its Retry-After); audit logs (filters checked against the API, CSV and JSON lines exports);
// platform admins (create, revoke, password change, delete) and the platform audit log; an
// expired session returning to its screen, a 403 for a pool admin, a 503 and a network failure.
// Any script error, console error or policy violation fails the test. Saves screenshots.
//
// Environment: TESSERA_URL, WECHAT_SIM_URL, TESSERA_ADMIN_PASSWORD, CHROMIUM (default
// /usr/bin/chromium), ARTIFACTS (folder for the screenshots, default .test-artifacts).

import { mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { call, check, equal, hex, launchChromium, required, run, step } from './support.mjs'

const base = required('TESSERA_URL')
const simUrl = required('WECHAT_SIM_URL')
const password = required('TESSERA_ADMIN_PASSWORD')
const artifacts = process.env.ARTIFACTS || '.test-artifacts'

const SESSION_KEY = 'tessera.console.session'
const EXPORT_COLUMNS = [
  'id', 'username', 'nickname', 'phone', 'email', 'emailVerified', 'company', 'photo', 'appId', 'openid',
  'unionid', 'registerMethod', 'blocked', 'loginsCount', 'lastLogin', 'lastIp', 'signedUp', 'updatedAt', 'metadata',
]
/** Keys the console builds from values (`kind.${kind}`…): each must be in both catalogs. */
const DYNAMIC_KEYS = [
  ...['miniprogram', 'website', 'official_account', 'mobile', 'multiend', 'wecom'].map((k) => `kind.${k}`),
  ...['create', 'linkOnly', 'linkByPhone'].map((k) => `signUp.${k}`),
  ...['snsapi_base', 'snsapi_userinfo'].map((k) => `scope.${k}`),
  ...['release', 'trial', 'develop'].map((k) => `env.${k}`),
  ...['web', 'spa', 'native', 'machine', 'miniprogram'].map((k) => `appType.${k}`),
  ...['active', 'next', 'retired'].map((k) => `keyStatus.${k}`),
  ...['success', 'failure'].map((k) => `outcome.${k}`),
  ...['phone', 'openid', 'unionid'].map((k) => `users.${k}`),
  ...['expired', 'signedOut', 'passwordChanged', 'secretRotated', 'tokensRevoked', 'accountDeleted'].map((k) => `notice.${k}`),
  ...['invalid_request', 'forbidden', 'not_found', 'pool_not_found', 'conflict', 'payload_too_large',
    'request_timeout', 'internal_error', 'unauthorized'].map((k) => `error.${k}`),
]


/** The admin API as the bootstrap admin. */
let adminToken = null
const adminApi = (method, path, body) => call(`${base}/api/v1${path}`, method, body, adminToken)

/** RFC 4180 rows (the test's own reader, independent of the console's). */
function parseCsv(source) {
  const rows = [[]]
  let cell = ''
  let quoted = false
  for (let i = 0; i < source.length; i += 1) {
    const c = source[i]
    if (quoted) {
      if (c === '"' && source[i + 1] === '"') { cell += '"'; i += 1 } else if (c === '"') quoted = false
      else cell += c
    } else if (c === '"') quoted = true
    else if (c === ',') { rows.at(-1).push(cell); cell = '' } else if (c === '\r' && source[i + 1] === '\n') {
      rows.at(-1).push(cell); cell = ''; rows.push([]); i += 1
    } else cell += c
  }
  check(!quoted, 'the CSV closes every quote')
  if (cell !== '' || rows.at(-1).length) rows.at(-1).push(cell)
  else rows.pop()
  return rows
}

/** The text of a downloaded file and its name, once `click` starts the download. */
async function downloaded(page, click) {
  const [download] = await Promise.all([page.waitForEvent('download'), click()])
  const path = await download.path()
  return { name: download.suggestedFilename(), text: readFileSync(path, 'utf8') }
}

/** Every problem the page reports: script errors, console errors, policy violations. HTTP error
 * answers the test provokes on purpose are reported by Chromium as "Failed to load resource" for
 * their API URL: those are expected and left out. */
function watchProblems(page, problems) {
  page.on('pageerror', (err) => problems.push(`page error: ${err.stack || err.message}`))
  page.on('console', (message) => {
    const text = message.text()
    const policy = /Content Security Policy|Trusted Type|CSP violation/i.test(text)
    if (message.type() !== 'error' && !policy) return
    const expectedHttp = text.startsWith('Failed to load resource')
      && (message.location().url ?? '').startsWith(`${base}/api/v1/`)
    if (!expectedHttp || policy) problems.push(`console ${message.type()}: ${text} (${message.location().url})`)
  })
}

// --- The page, as a person uses it -------------------------------------------------------------

const dialogBox = (page) => page.locator('dialog[open]')

/** Waits until the screen titled `title` has drawn what it loads. */
async function loaded(page, title) {
  await page.locator('main h1', { hasText: title }).first().waitFor()
  await page.waitForFunction(() => !document.querySelector('main .loading'))
}

/**
 * Runs `action`, which changes the address, and waits for the screen it leads to: a new `<main>`
 * (the router renders every screen anew), loaded. The old screen is still there for a moment
 * after the address changes, so waiting for the address or for the title alone may read it.
 */
async function navigated(page, title, action) {
  await page.evaluate(() => { document.querySelector('main').dataset.left = 'yes' })
  await action()
  await page.waitForFunction(() => {
    const main = document.querySelector('main')
    return main && !main.dataset.left && !main.querySelector('.loading')
  })
  await loaded(page, title)
}

async function open(page, hash, title) {
  await page.goto(`${base}/console${hash}`)
  await loaded(page, title)
}

async function nav(page, name, title = name) {
  await page.locator('.sidebar').getByRole('link', { name, exact: true }).click()
  await loaded(page, title)
}

async function signInPlatform(page, username, secret) {
  await page.getByRole('tab', { name: 'Platform admin' }).click()
  await page.getByLabel('Username').fill(username)
  await page.getByLabel('Password').fill(secret)
  await page.getByRole('button', { name: 'Sign in' }).click()
}

async function signInPool(page, poolId, secret) {
  await page.getByRole('tab', { name: 'Pool admin' }).click()
  await page.getByLabel('User pool ID').fill(poolId)
  await page.getByLabel('User pool secret').fill(secret)
  await page.getByRole('button', { name: 'Sign in' }).click()
}

async function signOut(page) {
  await page.getByRole('button', { name: 'Sign out' }).click()
  await page.getByRole('heading', { name: 'Sign in to the admin console' }).waitFor()
}

/** Presses a row's button (labelled "Action subject") and confirms in the dialog, typing
 * `typed` when the dialog asks for it. */
async function confirmRow(page, label, confirmLabel, typed = null) {
  await page.getByRole('button', { name: label, exact: true }).click()
  const title = await dialogBox(page).getAttribute('aria-labelledby')
  const box = page.locator(`dialog[aria-labelledby="${title}"]`) // not the dialog that may follow
  if (typed !== null) await box.getByRole('textbox').fill(typed)
  await box.getByRole('button', { name: confirmLabel, exact: true }).click()
  await box.waitFor({ state: 'detached' })
}

/** Reads the secret a dialog shows once, copies it with the button, and closes the dialog. */
async function takeSecret(page) {
  const box = dialogBox(page)
  await box.getByText('shown only now and never again').waitFor()
  const secret = await box.getByLabel('Secret').inputValue()
  await box.getByRole('button', { name: 'Copy' }).click()
  await box.getByRole('button', { name: 'Copied' }).waitFor()
  equal(await page.evaluate(() => navigator.clipboard.readText()), secret, 'the copy button copied the secret')
  await box.getByRole('button', { name: 'I have stored it' }).click()
  await box.waitFor({ state: 'detached' })
  return secret
}

/** Runs `action` and waits for the message `text` it leads to (older messages removed first). */
async function toastAfter(page, text, action) {
  await page.evaluate(() => { for (const el of document.querySelectorAll('.toast')) el.remove() })
  await action()
  await page.locator('.toast', { hasText: text }).waitFor()
}

/** Presses "Filter" and waits for the list of the address that `marker` is part of. */
async function applyFilter(page, title, marker) {
  await navigated(page, title, () => page.getByRole('button', { name: 'Filter', exact: true }).click())
  check(decodeURIComponent(page.url()).includes(marker), `the filter is in the address: ${page.url()}`)
}

/** Presses "Clear" and waits for the unfiltered list. */
async function clearFilters(page, title) {
  await navigated(page, title, () => page.getByRole('button', { name: 'Clear', exact: true }).click())
  check(!/[?&](action|outcome|actor|target|since|until|phone|openid|unionid)=/.test(page.url()), `no filter in the address: ${page.url()}`)
}

async function pagerStatus(page) {
  return (await page.locator('.pager-status').innerText()).trim()
}

// Checks that the pager reads `expected`, waiting up to five seconds for it: a page's table is
// replaced a moment after the address changes, so the first read may still be the old page's.
async function pagerIs(page, expected, what) {
  await page.waitForFunction(
    (text) => document.querySelector('.pager-status')?.innerText.trim() === text,
    expected,
    { timeout: 5000 },
  ).catch(() => {})
  equal(await pagerStatus(page), expected, what)
}

async function columnTexts(page, header) {
  const headers = await page.locator('main table thead th').allInnerTexts()
  const index = headers.indexOf(header)
  check(index >= 0, `a column ${header} in ${headers.join(', ')}`)
  return page.locator(`main table tbody tr td:nth-child(${index + 1})`).allInnerTexts()
}

async function shot(page, name) {
  await page.screenshot({ path: join(artifacts, `admin-console-${name}.png`), fullPage: true })
}

// --- The run -----------------------------------------------------------------------------------

async function main() {
  mkdirSync(artifacts, { recursive: true })
  const login = await call(`${base}/api/v1/auth/admin`, 'POST', { username: 'admin', password })
  equal(login.status, 200, 'the admin logs in through the API')
  adminToken = login.body.accessToken

  const browser = await launchChromium()
  const problems = []
  try {
    const context = await browser.newContext({
      locale: 'zh-CN',
      timezoneId: 'Asia/Shanghai',
      viewport: { width: 1280, height: 900 },
      acceptDownloads: true,
    })
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base })
    await context.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (event) => {
        console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI}`)
      })
    })
    const page = await context.newPage()
    watchProblems(page, problems)
    const state = {}
    await languages(page)
    await platformSignIn(page)
    await pools(page, state)
    await poolSettings(page, state)
    await connections(page, state)
    await applications(page, state)
    await users(page, state)
    await csv(page, state)
    await userDetail(page, state)
    await keys(page, state)
    await poolAudit(page, state)
    await failures(page)
    await expiredSession(page, state)
    await platformAdmins(page, state)
    await platformAudit(page)
    await chinese(page, state)
    await poolAdmin(page, state)
    check(problems.length === 0, `no script error, console error or policy violation:\n${problems.join('\n')}`)
    step('no script error, console error or policy violation in the whole run')
  } catch (err) {
    const pages = browser.contexts().flatMap((context) => context.pages())
    if (pages.length) await shot(pages[0], 'failure').catch(() => {})
    if (problems.length) console.error(`problems seen in the page:\n${problems.join('\n')}`)
    throw err
  } finally {
    await browser.close()
  }
}

/** The sign-in screen in Chinese by default; switching to English; both catalogs complete. */
async function languages(page) {
  await page.goto(`${base}/console`)
  await page.getByRole('heading', { name: '登录管理控制台' }).waitFor()
  equal(await page.locator('html').getAttribute('lang'), 'zh-CN', 'the page is in Chinese by default')
  const zhTabs = await page.getByRole('tab').allInnerTexts()
  await shot(page, 'signin-zh')
  step('the sign-in screen is in Chinese by default')

  const catalogs = await page.evaluate(async () => {
    const script = document.querySelector('script[type="module"]')
    return (await import(script.src)).CATALOGS
  })
  const zh = Object.keys(catalogs['zh-CN'])
  const en = Object.keys(catalogs.en)
  equal(Object.keys(catalogs).sort(), ['en', 'zh-CN'], 'two catalogs')
  equal(zh.filter((key) => !en.includes(key)), [], 'Chinese keys missing in English')
  equal(en.filter((key) => !zh.includes(key)), [], 'English keys missing in Chinese')
  for (const key of en) {
    check(catalogs.en[key].trim() && catalogs['zh-CN'][key].trim(), `${key} has a text in both languages`)
  }
  const source = await (await fetch(await page.locator('script[type="module"]').getAttribute('src').then((src) => `${base}${src}`))).text()
  const literal = [...source.matchAll(/\bt\('([\w.]+)'/g)].map((m) => m[1])
  const used = [...new Set([...literal, ...DYNAMIC_KEYS])]
  equal(used.filter((key) => !en.includes(key)), [], 'keys the script uses but no catalog has')
  check(!/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function/.test(source), 'the script parses no HTML and evaluates no string')
  check(!/localStorage\.setItem\((?!LANG_KEY)/.test(source), 'only the language is kept in localStorage')
  step(`both catalogs hold the same ${en.length} keys, and every key the script uses`)

  await page.getByRole('button', { name: 'English' }).click()
  await page.getByRole('heading', { name: 'Sign in to the admin console' }).waitFor()
  const enTabs = await page.getByRole('tab').allInnerTexts()
  check(zhTabs.every((text, i) => text !== enTabs[i]), `the tabs changed language: ${zhTabs} / ${enTabs}`)
  equal(await page.locator('html').getAttribute('lang'), 'en', 'the page says it is in English')
  await page.reload()
  await page.getByRole('heading', { name: 'Sign in to the admin console' }).waitFor()
  equal(await page.evaluate(() => localStorage.getItem('tessera.console.lang')), 'en', 'the choice is remembered')
  step('switching to English changes the texts and is remembered across a reload')

  await page.getByRole('tab', { name: 'Platform admin' }).focus()
  await page.keyboard.press('ArrowRight')
  equal(await page.getByRole('tab', { name: 'Pool admin' }).getAttribute('aria-selected'), 'true', 'the arrow key moves to the next tab')
  check(await page.getByLabel('User pool secret').isVisible(), 'the pool admin form shows')
  await page.keyboard.press('ArrowLeft')
  check(await page.getByLabel('Password').isVisible(), 'and back to the platform admin form')
  step('the sign-in tabs work with the keyboard')
}

async function platformSignIn(page) {
  await signInPlatform(page, 'admin', password)
  await loaded(page, 'User pools')
  const who = await page.locator('.who').innerText()
  check(who.includes('admin') && who.includes('platform admin'), `who is signed in: ${who}`)
  const stored = await page.evaluate((key) => JSON.parse(sessionStorage.getItem(key)), SESSION_KEY)
  check(typeof stored.token === 'string' && stored.expiresAt > Date.now(), 'the token is in sessionStorage with its expiry')
  const local = await page.evaluate(() => Object.keys(localStorage))
  equal(local, ['tessera.console.lang'], 'localStorage holds only the language')
  equal((await page.context().cookies()).length, 0, 'no cookie')
  check(!page.url().includes(stored.token), 'the token is not in the address')
  await shot(page, 'pools')
  step('signed in as the platform admin: the token only in sessionStorage, no cookie')
}

async function pools(page, state) {
  state.poolId = `console-${hex(5)}`
  await page.getByRole('button', { name: 'Create user pool' }).click()
  let box = dialogBox(page)
  await box.getByLabel('Name').fill('Acme 商城 console')
  await box.getByLabel(/^ID/).fill(state.poolId)
  await box.getByRole('button', { name: 'Create', exact: true }).click()
  state.poolSecret = await takeSecret(page)
  await loaded(page, `${state.poolId} · Overview and settings`)
  const pool = await adminApi('GET', `/userpools/${state.poolId}`)
  equal(pool.body.name, 'Acme 商城 console', 'the pool has the name typed in')
  const poolLogin = await call(`${base}/api/v1/auth/userpool`, 'POST', { userPoolId: state.poolId, secret: state.poolSecret })
  equal(poolLogin.status, 200, 'the secret shown once is the pool\'s')
  step(`pool ${state.poolId} created; its secret shown once, copied, and working`)

  await nav(page, 'User pools')
  await page.getByRole('button', { name: 'Create user pool' }).click()
  box = dialogBox(page)
  await box.getByLabel('Name').fill('Twin')
  await box.getByLabel(/^ID/).fill(state.poolId)
  await box.getByRole('button', { name: 'Create', exact: true }).click()
  const alert = box.getByRole('alert')
  await alert.waitFor()
  const text = await alert.innerText()
  check(text.includes('Conflict') && text.includes('Server message:'), `a 409 is shown in the dialog: ${text}`)
  await box.getByRole('button', { name: 'Cancel' }).click()
  step('creating a pool whose id exists shows the 409 with the server\'s message')

  for (let i = 0; i < 11; i += 1) await adminApi('POST', '/userpools', { name: `Filler ${i}`, id: `filler-${hex(4)}` })
  const total = (await adminApi('GET', '/userpools?limit=1')).body.total
  await navigated(page, 'User pools', () => page.getByLabel('Per page').selectOption('10'))
  const pages = Math.ceil(total / 10)
  await pagerIs(page, `Page 1 of ${pages}, ${total} in all`, 'the pager counts the API\'s total')
  equal(await page.locator('main table tbody tr').count(), 10, 'ten pools on a page')
  await navigated(page, 'User pools', () => page.getByRole('button', { name: 'Next' }).click())
  await pagerIs(page, `Page 2 of ${pages}, ${total} in all`, 'the next page')
  check(page.url().includes('page=2') && page.url().includes('limit=10'), `the page is in the address: ${page.url()}`)
  await navigated(page, 'User pools', () => page.goBack())
  await pagerIs(page, `Page 1 of ${pages}, ${total} in all`, 'the back button returns to page 1')
  step(`pools paged by 10 over ${total}; the back button goes back a page`)

  const doomed = `doomed-${hex(4)}`
  await adminApi('POST', '/userpools', { name: 'Doomed', id: doomed })
  await open(page, `#/pools/${doomed}`, `${doomed} · Overview and settings`)
  await page.getByRole('button', { name: 'Delete user pool' }).click()
  box = dialogBox(page)
  await box.getByRole('textbox').fill('not-the-id')
  await box.getByRole('button', { name: 'Delete', exact: true }).click()
  check(await box.isVisible(), 'a wrong id does not delete')
  equal((await adminApi('GET', `/userpools/${doomed}`)).status, 200, 'the pool is still there')
  await box.getByRole('textbox').fill(doomed)
  await box.getByRole('button', { name: 'Delete', exact: true }).click()
  await loaded(page, 'User pools')
  equal((await adminApi('GET', `/userpools/${doomed}`)).status, 404, 'the pool is deleted')
  step('deleting a pool needs its id typed in; then it is gone')
}

async function poolSettings(page, state) {
  await open(page, `#/pools/${state.poolId}`, `${state.poolId} · Overview and settings`)
  const form = page.locator('form.settings-form')
  const patches = []
  const onRequest = (request) => { if (request.method() === 'PATCH') patches.push(request.url()) }
  page.on('request', onRequest)
  await form.getByLabel('Ticket lifetime (seconds)').first().fill('5')
  await form.getByRole('button', { name: 'Save' }).click()
  const underflow = await form.getByLabel('Ticket lifetime (seconds)').first().evaluate((el) => el.validity.rangeUnderflow)
  check(underflow, 'a ticket lifetime of 5 s is refused in the browser')
  equal(patches.length, 0, 'nothing was sent')
  step('client-side validation mirrors the schema\'s ranges (ticket lifetime 10..600)')

  await form.getByLabel('Name').fill('Acme 商城 renamed')
  await form.getByLabel('Token lifetime (seconds)').fill('7200')
  await form.getByLabel('Ticket lifetime (seconds)').first().fill('300')
  await form.getByLabel('Allow plain http redirect URIs').check()
  await form.getByLabel('QR code lifetime (seconds)').fill('200')
  await form.getByLabel('The status check answers the whole user').check()
  await toastAfter(page, 'Saved.', () => form.getByRole('button', { name: 'Save' }).click())
  page.off('request', onRequest)
  equal(patches.length, 1, 'one PATCH')
  const pool = (await adminApi('GET', `/userpools/${state.poolId}`)).body
  equal([pool.name, pool.settings.tokenTtlSeconds, pool.settings.app2wxapp.ticketTtlSeconds, pool.settings.allowHttpRedirectUris,
    pool.settings.qrcodeLoginStrategy.qrcodeExpiresAfter, pool.settings.qrcodeLoginStrategy.returnFullUserInfo],
  ['Acme 商城 renamed', 7200, 300, true, 200, true], 'the settings saved')
  equal(pool.settings.app2wxapp.requireSecret, true, 'an untouched setting is kept')
  step('name and settings saved with one PATCH of what changed')

  await loaded(page, `${state.poolId} · Overview and settings`)
  await form.getByLabel('Signature algorithm').selectOption('EdDSA')
  await form.getByRole('button', { name: 'Save' }).click()
  await toastAfter(page, 'Saved.', () => dialogBox(page).getByRole('button', { name: 'Save' }).click())
  const keys = (await adminApi('GET', `/userpools/${state.poolId}/keys`)).body.items
  equal(keys[0].status, 'active', 'an active key first')
  equal(keys[0].algorithm, 'EdDSA', 'the active key is of the new algorithm')
  step('the signature algorithm changed after a confirmation: an EdDSA key signs')

  await loaded(page, `${state.poolId} · Overview and settings`)
  await page.getByRole('button', { name: 'Replace secret' }).click()
  await dialogBox(page).getByRole('button', { name: 'Replace secret' }).click()
  state.poolSecret = await takeSecret(page)
  const poolLogin = await call(`${base}/api/v1/auth/userpool`, 'POST', { userPoolId: state.poolId, secret: state.poolSecret })
  equal(poolLogin.status, 200, 'the new secret works')
  await shot(page, 'pool-settings')
  step('the pool secret replaced by the platform admin; the new one shown once and working')
}

async function connections(page, state) {
  await nav(page, 'Connections', `${state.poolId} · Connections`)
  state.miniAppId = `wx${hex(8)}`
  state.miniSecret = hex(16)
  await page.getByRole('button', { name: 'Add connection' }).click()
  let box = dialogBox(page)
  equal(await box.getByLabel('Kind').inputValue(), 'miniprogram', 'a mini program by default')
  check(await box.getByLabel('Mini program version QR codes open').isVisible(), 'a mini program has its version')
  check(!(await box.getByLabel('AgentId').isVisible()), 'but no AgentId')
  await box.getByLabel('Kind').selectOption('wecom')
  check(await box.getByLabel('AgentId').isVisible(), 'WeCom has an AgentId')
  check(!(await box.getByLabel('Mini program version QR codes open').isVisible()), 'and no version')
  await box.getByLabel('Kind').selectOption('official_account')
  check(await box.getByLabel('Scope').isVisible(), 'an official account has its scope')
  await box.getByLabel('Kind').selectOption('miniprogram')
  await box.getByLabel(/^Name/).fill('Shop mini program')
  await box.getByLabel('AppID', { exact: true }).fill(state.miniAppId)
  await box.getByLabel('AppSecret').fill(state.miniSecret)
  await box.getByLabel('Mini program version QR codes open').selectOption('trial')
  await navigated(page, `${state.poolId} · Connections`, async () => {
    await box.getByRole('button', { name: 'Create', exact: true }).click()
    await box.waitFor({ state: 'detached' })
  })

  await page.getByRole('button', { name: 'Add connection' }).click()
  box = dialogBox(page)
  await box.getByLabel('Kind').selectOption('website')
  await box.getByLabel('AppID', { exact: true }).fill(`wx${hex(8)}`)
  await box.getByLabel('AppSecret').fill(hex(16))
  await box.getByLabel('When an unknown person logs in').selectOption('linkOnly')
  await navigated(page, `${state.poolId} · Connections`, async () => {
    await box.getByRole('button', { name: 'Create', exact: true }).click()
    await box.waitFor({ state: 'detached' })
  })
  let list = (await adminApi('GET', `/userpools/${state.poolId}/connections`)).body.items
  const mini = list.find((c) => c.kind === 'miniprogram')
  const website = list.find((c) => c.kind === 'website')
  equal([mini.name, mini.appId, mini.envVersion, mini.secretHint], ['Shop mini program', state.miniAppId, 'trial', `****${state.miniSecret.slice(-4)}`], 'the mini program connection')
  equal([website.signUp, website.envVersion ?? null, website.scope ?? null], ['linkOnly', null, null], 'the website connection, without the fields of other kinds')
  check((await page.locator('main').innerText()).includes(`****${state.miniSecret.slice(-4)}`), 'the table shows the secret hint only')
  state.miniConnection = mini.id
  step('mini program and website connections added, each with its kind\'s fields only')

  await page.getByRole('button', { name: 'Edit Shop mini program' }).click()
  box = dialogBox(page)
  check((await box.innerText()).includes(`Now: ****${state.miniSecret.slice(-4)}`), 'the form shows the secret hint')
  equal(await box.getByLabel('AppSecret').inputValue(), '', 'and an empty secret field')
  await box.getByLabel('AppID', { exact: true }).fill(`wx${hex(8)}`)
  await box.getByRole('button', { name: 'Save' }).click()
  check(await box.getByLabel('AppSecret').evaluate((el) => !el.validity.valid), 'a new AppID without its secret is refused')
  await box.getByLabel('AppID', { exact: true }).fill(state.miniAppId)
  await box.getByLabel(/^Name/).fill('Shop')
  await box.getByLabel('Position').fill('5')
  await navigated(page, `${state.poolId} · Connections`, async () => {
    await box.getByRole('button', { name: 'Save' }).click()
    await box.waitFor({ state: 'detached' })
  })
  const edited = (await adminApi('GET', `/userpools/${state.poolId}/connections/${mini.id}`)).body
  equal([edited.name, edited.position, edited.secretHint], ['Shop', 5, mini.secretHint], 'renamed and moved, the secret kept')
  step('a connection edited with its secret left empty: the secret is kept')

  await loaded(page, `${state.poolId} · Connections`)
  await page.getByRole('button', { name: 'Disable Shop', exact: true }).click()
  await page.getByRole('button', { name: 'Enable Shop', exact: true }).waitFor()
  equal((await adminApi('GET', `/userpools/${state.poolId}/connections/${mini.id}`)).body.enabled, false, 'disabled')
  await page.getByRole('button', { name: 'Enable Shop', exact: true }).click()
  await page.getByRole('button', { name: 'Disable Shop', exact: true }).waitFor()
  equal((await adminApi('GET', `/userpools/${state.poolId}/connections/${mini.id}`)).body.enabled, true, 'enabled again')
  await navigated(page, `${state.poolId} · Connections`, () => confirmRow(page, `Delete Website app ${website.appId}`, 'Delete'))
  list = (await adminApi('GET', `/userpools/${state.poolId}/connections`)).body.items
  equal(list.map((c) => c.id), [mini.id], 'the website connection is deleted')
  step('a connection disabled, enabled again, and another deleted after a confirmation')

  const legacy = page.locator('form[aria-label="app2wxapp mini program connection"]')
  await legacy.getByLabel('AppID').fill(state.miniAppId)
  await legacy.getByLabel('AppSecret').fill(state.miniSecret)
  await legacy.getByRole('button', { name: 'Save app2wxapp connection' }).click()
  const conflict = legacy.getByRole('alert')
  await conflict.waitFor()
  check((await conflict.innerText()).includes('Conflict'), 'the AppID of another mini program connection is a 409, shown in the form')
  const appId = `wx${hex(8)}`
  const appSecret = hex(16)
  equal((await call(`${simUrl}/__sim/apps`, 'POST', { appId, secret: appSecret })).status, 204, 'the mini program is known to WeChat')
  await legacy.getByLabel('AppID').fill(appId)
  await legacy.getByLabel('AppSecret').fill(appSecret)
  await toastAfter(page, 'Saved.', () => legacy.getByRole('button', { name: 'Save app2wxapp connection' }).click())
  await loaded(page, `${state.poolId} · Connections`)
  const app2wxapp = (await adminApi('GET', `/userpools/${state.poolId}/connections/app2wxapp`)).body
  equal([app2wxapp.appId, app2wxapp.appSecretHint], [appId, `****${appSecret.slice(-4)}`], 'the app2wxapp connection through the API')
  await page.locator('main .badge', { hasText: 'app2wxapp' }).first().waitFor()
  await shot(page, 'connections')
  step('the app2wxapp connection configured in its form (a 409 first); the list marks it')

  state.openid = `o${hex(12)}`
  state.unionid = `u${hex(12)}`
  const code = (await call(`${simUrl}/__sim/login-codes`, 'POST', { appId, openid: state.openid, unionid: state.unionid })).body.code
  const wxLogin = await call(`${base}/oauth/app2wxapp/login/${state.poolId}`, 'POST', { code })
  equal(wxLogin.status, 200, 'a mini program login through the connection')
  state.wechatUser = (await adminApi('GET', `/userpools/${state.poolId}/users?openid=${state.openid}`)).body.items[0].id
  step('a WeChat user signed up through the mini program (the simulator)')
}

async function applications(page, state) {
  await nav(page, 'Applications', `${state.poolId} · Applications`)
  await page.getByRole('button', { name: 'Create application' }).click()
  let box = dialogBox(page)
  await box.getByLabel('Name').fill('Shop web')
  equal(await box.getByLabel('Type').inputValue(), 'web', 'web by default')
  await box.getByLabel('Redirect URIs', { exact: true }).fill('https://shop.example.com/cb\nhttps://shop.example.com/cb2')
  await box.getByLabel('Only these connections').check()
  await box.getByLabel(/^Shop \(Mini program/).check()
  await box.getByRole('button', { name: 'Create', exact: true }).click()
  let firstSecret
  await navigated(page, `${state.poolId} · Applications`, async () => { firstSecret = await takeSecret(page) })
  let apps = (await adminApi('GET', `/userpools/${state.poolId}/applications`)).body.items
  const web = apps.find((a) => a.name === 'Shop web')
  equal([web.type, web.redirectUris, web.connections, web.grantTypes.length], ['web', ['https://shop.example.com/cb', 'https://shop.example.com/cb2'], [state.miniConnection], 3], 'the web application')
  check(firstSecret.length >= 32, 'a client secret shown once')
  step('a web application created with its redirect URIs and connection; its secret shown once')

  await page.getByRole('button', { name: 'Create application' }).click()
  box = dialogBox(page)
  await box.getByLabel('Name').fill('Shop SPA')
  await box.getByLabel('Type').selectOption('spa')
  const grantBoxes = await box.locator('fieldset.checks').first().getByRole('checkbox').count()
  equal(grantBoxes, 2, 'a SPA offers its two grants')
  await box.getByLabel('Redirect URIs', { exact: true }).fill('http://spa.example.com/cb')
  await box.getByRole('button', { name: 'Create', exact: true }).click()
  const alert = box.getByRole('alert')
  await alert.waitFor()
  const text = await alert.innerText()
  check(text.includes('The server refused a value.') && text.includes('redirectUris[0]'), `the 400 names the field: ${text}`)
  equal(await box.getByLabel('Redirect URIs', { exact: true }).getAttribute('aria-invalid'), 'true', 'the field it names is marked')
  await box.getByLabel('Redirect URIs', { exact: true }).fill('https://spa.example.com/cb')
  await navigated(page, `${state.poolId} · Applications`, async () => {
    await box.getByRole('button', { name: 'Create', exact: true }).click()
    await box.waitFor({ state: 'detached' })
  })
  apps = (await adminApi('GET', `/userpools/${state.poolId}/applications`)).body.items
  const spa = apps.find((a) => a.name === 'Shop SPA')
  equal([spa.type, spa.tokenEndpointAuthMethod], ['spa', 'none'], 'the SPA, public, without a secret dialog')
  step('the server\'s 400 (an http redirect URI for a SPA) shown next to the form, then fixed')

  await page.getByRole('button', { name: 'Edit Shop web' }).click()
  box = dialogBox(page)
  await box.getByLabel('Name').fill('Shop website')
  await box.getByLabel(/^Access token lifetime/).fill('900')
  await box.getByLabel(/Every enabled connection/).check()
  await navigated(page, `${state.poolId} · Applications`, async () => {
    await box.getByRole('button', { name: 'Save' }).click()
    await box.waitFor({ state: 'detached' })
  })
  const edited = (await adminApi('GET', `/userpools/${state.poolId}/applications/${web.clientId}`)).body
  equal([edited.name, edited.accessTokenTtlSeconds, edited.connections ?? null, edited.redirectUris.length], ['Shop website', 900, null, 2], 'the application edited')
  step('an application renamed, its token lifetime and connections changed')

  await loaded(page, `${state.poolId} · Applications`)
  await confirmRow(page, 'Replace secret Shop website', 'Replace secret')
  const secondSecret = await takeSecret(page)
  check(secondSecret !== firstSecret, 'a new client secret')
  await navigated(page, `${state.poolId} · Applications`, () => confirmRow(page, 'Delete Shop SPA', 'Delete'))
  equal((await adminApi('GET', `/userpools/${state.poolId}/applications/${spa.clientId}`)).status, 404, 'the SPA is deleted')
  await shot(page, 'applications')
  step('a client secret replaced (shown once) and an application deleted')
}

async function users(page, state) {
  await nav(page, 'Users', `${state.poolId} · Users`)
  state.phone = `+86138${String(Date.now()).slice(-8)}`
  await page.getByRole('button', { name: 'Pre-provision user' }).click()
  let box = dialogBox(page)
  await box.getByRole('button', { name: 'Create', exact: true }).click()
  check(await box.getByLabel('Phone').evaluate((el) => !el.validity.valid), 'a user needs a phone, email or username')
  await box.getByLabel('Phone').fill(state.phone)
  await box.getByLabel('Nickname').fill('=HYPERLINK("http://evil.example")')
  await box.getByLabel('Company').fill('@Acme')
  await box.getByLabel('Metadata').fill('{"tier": "gold", "note": "a, \\"quoted\\" text"}')
  await box.getByRole('button', { name: 'Create', exact: true }).click()
  await loaded(page, 'User:')
  const found = (await adminApi('GET', `/userpools/${state.poolId}/users?phone=${encodeURIComponent(state.phone)}`)).body.items
  equal(found.length, 1, 'the user is there')
  state.provisioned = found[0]
  equal(state.provisioned.metadata, { tier: 'gold', note: 'a, "quoted" text' }, 'with its metadata')
  step('a user pre-provisioned by phone, with metadata')

  await nav(page, 'Users', `${state.poolId} · Users`)
  await page.getByLabel('Search by').selectOption('phone')
  await page.getByLabel('Value').fill(state.phone)
  await navigated(page, `${state.poolId} · Users`, () => page.getByRole('button', { name: 'Search' }).click())
  check(page.url().includes('phone='), `the search is in the address: ${page.url()}`)
  equal(await page.locator('main table tbody tr').count(), 1, 'one user with that phone')
  await page.getByLabel('Search by').selectOption('openid')
  await page.getByLabel('Value').fill(state.openid)
  await navigated(page, `${state.poolId} · Users`, () => page.getByRole('button', { name: 'Search' }).click())
  check(page.url().includes('openid='), `the search is in the address: ${page.url()}`)
  equal(await columnTexts(page, 'openid'), [state.openid], 'the WeChat user by openid')
  await page.getByLabel('Value').fill('nobody')
  await page.getByRole('button', { name: 'Search' }).click()
  await page.locator('main .empty', { hasText: 'No user matches.' }).waitFor()
  await clearFilters(page, `${state.poolId} · Users`)
  check(await page.locator('main table tbody tr').count() >= 2, 'every user again')
  await shot(page, 'users')
  step('users searched by phone and by openid; an empty result; the search cleared')
}

async function csv(page, state) {
  const listed = (await adminApi('GET', `/userpools/${state.poolId}/users?limit=100`)).body
  let file = await downloaded(page, () => page.getByRole('button', { name: 'Export CSV' }).click())
  check(file.name.startsWith(`users-${state.poolId}-`) && file.name.endsWith('.csv'), `the file name: ${file.name}`)
  check(file.text.startsWith('\uFEFF'), 'a byte order mark for spreadsheets')
  let rows = parseCsv(file.text.slice(1))
  equal(rows[0], EXPORT_COLUMNS, 'the header row')
  equal(rows.length - 1, listed.total, 'one row per user')
  const byId = new Map(rows.slice(1).map((row) => [row[0], Object.fromEntries(EXPORT_COLUMNS.map((c, i) => [c, row[i]]))]))
  const mine = byId.get(state.provisioned.id)
  equal(mine.nickname, '\'=HYPERLINK("http://evil.example")', 'a formula is neutralised')
  equal(mine.company, '\'@Acme', 'so is a cell starting with @')
  equal(mine.phone, `'${state.phone}`, 'and one starting with +')
  equal(JSON.parse(mine.metadata), state.provisioned.metadata, 'the metadata as JSON, quoted')
  equal(byId.get(state.wechatUser).openid, state.openid, 'the WeChat user with its openid')
  step(`users exported as CSV: ${listed.total} rows, RFC 4180 quoting, formulas neutralised`)

  await page.getByLabel('Search by').selectOption('unionid')
  await page.getByLabel('Value').fill(state.unionid)
  await navigated(page, `${state.poolId} · Users`, () => page.getByRole('button', { name: 'Search' }).click())
  check(page.url().includes('unionid='), `the search is in the address: ${page.url()}`)
  file = await downloaded(page, () => page.getByRole('button', { name: 'Export CSV' }).click())
  rows = parseCsv(file.text.slice(1))
  equal(rows.slice(1).map((row) => row[0]), [state.wechatUser], 'the export follows the search')
  await clearFilters(page, `${state.poolId} · Users`)
  step('an export of a search holds only what matches')

  const phones = [1, 2, 3].map((i) => `+86139${String(Date.now() + i).slice(-8)}`)
  const good = [
    'phone,email,nickname,metadata',
    `${phones[0]},first@example.com,First,`,
    `${phones[1]},,"Second, with comma","{""source"": ""import""}"`,
    'not-a-phone,,Bad phone,',
    `${state.phone},,Taken phone,`,
    `${phones[2]},,'=SUM(1),`,
    `+8613700000009,,Bad metadata,{oops`,
  ].join('\r\n')
  await page.getByRole('button', { name: 'Import CSV' }).click()
  let box = dialogBox(page)
  await box.getByLabel('CSV file').setInputFiles({ name: 'users.csv', mimeType: 'text/csv', buffer: Buffer.from(good) })
  await box.getByRole('button', { name: 'Import', exact: true }).click()
  await box.getByText('Import finished: 3 created, 3 failed.').waitFor()
  const results = await box.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.cells].map((td) => td.innerText.trim())))
  equal(results.map((r) => [r[0], r[1]]), [['2', 'Created'], ['3', 'Created'], ['4', 'Failed'], ['5', 'Failed'], ['6', 'Created'], ['7', 'Failed']], 'each row\'s result')
  check(results[2][2].includes('phone'), `the bad phone's message names the field: ${results[2][2]}`)
  check(results[3][2].includes('Conflict'), `the taken phone is a conflict: ${results[3][2]}`)
  check(results[5][2].includes('Metadata must be a JSON object'), `bad metadata: ${results[5][2]}`)
  await shot(page, 'users-import')
  await box.getByRole('button', { name: 'Close' }).click()
  for (const [i, phone] of phones.entries()) {
    const items = (await adminApi('GET', `/userpools/${state.poolId}/users?phone=${encodeURIComponent(phone)}`)).body.items
    equal(items.length, 1, `imported user ${i + 1} is there`)
    if (i === 1) equal([items[0].nickname, items[0].metadata], ['Second, with comma', { source: 'import' }], 'quoted cells read back')
    if (i === 2) equal(items[0].nickname, '=SUM(1)', 'the export\'s guard is undone on import')
  }
  step('CSV import: 3 good rows created, 3 bad rows reported with the server\'s message')

  const before = (await adminApi('GET', `/userpools/${state.poolId}/users?limit=1`)).body.total
  const big = ['phone', ...Array.from({ length: 10_001 }, (_, i) => `+861500${String(i).padStart(7, '0')}`)].join('\n')
  await page.getByRole('button', { name: 'Import CSV' }).click()
  box = dialogBox(page)
  await box.getByLabel('CSV file').setInputFiles({ name: 'big.csv', mimeType: 'text/csv', buffer: Buffer.from(big) })
  await box.getByRole('button', { name: 'Import', exact: true }).click()
  await box.getByText('The file has 10001 rows, more than the 10000 allowed').waitFor()
  await box.getByLabel('CSV file').setInputFiles({ name: 'odd.csv', mimeType: 'text/csv', buffer: Buffer.from('phone,password\n+8613000000000,x\n') })
  await box.getByRole('button', { name: 'Import', exact: true }).click()
  await box.getByText('Unknown columns in the header: password').waitFor()
  await box.getByRole('button', { name: 'Close' }).click()
  equal((await adminApi('GET', `/userpools/${state.poolId}/users?limit=1`)).body.total, before, 'nothing imported')
  step('a file over 10,000 rows, and one with an unknown column, are refused whole')
}

async function userDetail(page, state) {
  await open(page, `#/pools/${state.poolId}/users/${state.wechatUser}`, 'User:')
  const path = `/userpools/${state.poolId}/users/${state.wechatUser}`
  const identities = await columnTexts(page, 'openid')
  equal(identities, [state.openid], 'the WeChat identity')
  const identity = (await adminApi('GET', `${path}/identities`)).body.items[0]
  await shot(page, 'user')
  await confirmRow(page, `Unlink ${state.openid}`, 'Unlink')
  await page.locator('main .empty', { hasText: 'No WeChat identity.' }).waitFor()
  equal((await adminApi('GET', `${path}/identities`)).body.items, [], `identity ${identity.id} unlinked`)
  step('a WeChat identity unlinked after a confirmation')

  await page.getByRole('button', { name: 'Block', exact: true }).click()
  await dialogBox(page).getByRole('button', { name: 'Block', exact: true }).click()
  await page.getByRole('button', { name: 'Unblock', exact: true }).waitFor()
  equal((await adminApi('GET', path)).body.blocked, true, 'blocked')
  await page.getByRole('button', { name: 'Unblock', exact: true }).click()
  await page.getByRole('button', { name: 'Block', exact: true }).waitFor()
  equal((await adminApi('GET', path)).body.blocked, false, 'unblocked')
  step('the user blocked (confirmed) and unblocked, through PATCH {blocked}')

  await page.getByRole('button', { name: 'Edit', exact: true }).click()
  let box = dialogBox(page)
  await box.getByLabel('Metadata').fill('[1, 2]')
  await box.getByRole('button', { name: 'Save' }).click()
  check(await box.getByLabel('Metadata').evaluate((el) => !el.validity.valid), 'metadata must be an object')
  await box.getByLabel('Metadata').fill('{"vip": true}')
  await box.getByLabel('Nickname').fill('小明')
  await box.getByLabel('Email', { exact: true }).fill('xiaoming@example.com')
  await box.getByLabel('Company').fill('Acme')
  await navigated(page, 'User:', async () => {
    await box.getByRole('button', { name: 'Save' }).click()
    await box.waitFor({ state: 'detached' })
  })
  let user = (await adminApi('GET', path)).body
  equal([user.nickname, user.email, user.company, user.metadata], ['小明', 'xiaoming@example.com', 'Acme', { vip: true }], 'the profile edited')
  await loaded(page, 'User:')
  await page.getByRole('button', { name: 'Edit', exact: true }).click()
  box = dialogBox(page)
  await box.getByLabel('Company').fill('')
  await navigated(page, 'User:', async () => {
    await box.getByRole('button', { name: 'Save' }).click()
    await box.waitFor({ state: 'detached' })
  })
  user = (await adminApi('GET', path)).body
  equal([user.company ?? null, user.nickname], [null, '小明'], 'an emptied field is cleared, others kept')
  step('the profile edited (metadata checked as a JSON object); an emptied field cleared')

  await loaded(page, 'User:')
  await page.getByRole('button', { name: 'Delete', exact: true }).click()
  await dialogBox(page).getByRole('textbox').fill(state.wechatUser)
  await dialogBox(page).getByRole('button', { name: 'Delete', exact: true }).click()
  await loaded(page, `${state.poolId} · Users`)
  equal((await adminApi('GET', path)).status, 404, 'the user is deleted')
  step('the user deleted after typing its id')
}

async function keys(page, state) {
  await nav(page, 'Signing keys', `${state.poolId} · Signing keys`)
  const before = (await adminApi('GET', `/userpools/${state.poolId}/keys`)).body.items
  equal(await columnTexts(page, 'kid'), before.map((k) => k.kid), 'the keys the API lists')
  check((await page.locator('main .explain').innerText()).includes('published until'), 'the retirement dates are explained')
  const next = before.find((k) => k.status === 'next')
  await page.getByRole('button', { name: 'Rotate key' }).click()
  await toastAfter(page, `the active key is now ${next.kid}`, () => dialogBox(page).getByRole('button', { name: 'Rotate key' }).click())
  await loaded(page, `${state.poolId} · Signing keys`)
  const after = (await adminApi('GET', `/userpools/${state.poolId}/keys`)).body.items
  equal(after[0].kid, next.kid, 'the next key signs')
  const jwks = (await call(`${base}/userpools/${state.poolId}/.well-known/jwks.json`, 'GET')).body
  equal(jwks.keys[0].kid, next.kid, 'the JWKS lists the new active key first')
  const retired = after.find((k) => k.kid === before[0].kid)
  equal(retired.status, 'retired', 'the old key is retired')
  check(retired.publishedUntil, 'with the date it stays published until')
  const statuses = await columnTexts(page, 'Status')
  equal(statuses[0], 'Active', 'the table shows the new active key first')
  await shot(page, 'keys')
  step('the signing key rotated after a confirmation: the active kid changed, in the JWKS too')

  const busy = `busy-${hex(4)}`
  await adminApi('POST', '/userpools', { name: 'Busy', id: busy })
  let limited = null
  for (let i = 0; i < 12 && !limited; i += 1) {
    const answer = await adminApi('POST', `/userpools/${busy}/keys/rotate`)
    if (answer.status === 429) limited = Number(answer.headers.get('retry-after'))
  }
  check(limited > 0, 'the API limits key rotations')
  await open(page, `#/pools/${busy}/keys`, `${busy} · Signing keys`)
  await page.getByRole('button', { name: 'Rotate key' }).click()
  await dialogBox(page).getByRole('button', { name: 'Rotate key' }).click()
  const alert = page.locator('main .alert-error')
  await alert.waitFor()
  const text = await alert.innerText()
  const seconds = Number(/try again in (\d+) s/.exec(text)?.[1])
  check(seconds > 0 && seconds <= limited, `a 429 with its Retry-After (${limited} s): ${text}`)
  await shot(page, 'keys-429')
  step(`past 10 rotations a minute the API answers 429: "try again in ${seconds} s" shown`)
}

async function poolAudit(page, state) {
  await open(page, `#/pools/${state.poolId}/audit`, `${state.poolId} · Audit log`)
  const apiTotal = async (query) => (await adminApi('GET', `/userpools/${state.poolId}/audit-events?limit=1&${query}`)).body.total
  const all = await apiTotal('')
  check((await pagerStatus(page)).endsWith(`${all} in all`), 'every event of the pool')
  await page.getByLabel('Action').selectOption('user.block')
  await applyFilter(page, `${state.poolId} · Audit log`, 'action=user.block')
  const blocks = await apiTotal('action=user.block')
  check(blocks >= 1 && blocks < all, 'the filter narrows')
  check((await pagerStatus(page)).endsWith(`${blocks} in all`), 'as the API counts')
  equal([...new Set(await columnTexts(page, 'Action'))], ['user.block'], 'only user.block events')
  step(`audit filtered by action: ${blocks} of ${all} events, as the API counts`)

  await page.getByLabel('Action').selectOption('')
  await page.getByLabel('Target').fill(state.wechatUser)
  await page.getByLabel('Outcome').selectOption('success')
  await applyFilter(page, `${state.poolId} · Audit log`, 'target=')
  const aboutUser = await apiTotal(`target=${state.wechatUser}&outcome=success`)
  check((await pagerStatus(page)).endsWith(`${aboutUser} in all`), 'events about the user, as the API counts')
  equal([...new Set(await columnTexts(page, 'Target'))], [state.wechatUser], 'only that target')
  const actions = new Set(await columnTexts(page, 'Action'))
  check(['user.block', 'user.unblock', 'user.identity.unlink', 'user.delete'].every((a) => actions.has(a)), `the user's story: ${[...actions]}`)
  step(`audit filtered by target and outcome: ${aboutUser} events about the user`)

  const localNow = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 16) // Asia/Shanghai
  await clearFilters(page, `${state.poolId} · Audit log`)
  await page.getByLabel('From (inclusive)').fill('2000-01-01T08:00')
  await page.getByLabel('To (exclusive)').fill(localNow)
  await applyFilter(page, `${state.poolId} · Audit log`, 'since=')
  const query = new URLSearchParams(new URL(page.url()).hash.split('?')[1])
  equal(query.get('since'), '2000-01-01T00:00:00.000Z', 'the start converted to UTC')
  equal(query.get('until'), `${new Date(`${localNow}:00+08:00`).toISOString()}`, 'the end converted to UTC')
  const window = await apiTotal(`since=${query.get('since')}&until=${encodeURIComponent(query.get('until'))}`)
  check((await pagerStatus(page)).endsWith(`${window} in all`), 'the time window, as the API counts')
  await page.getByLabel('From (inclusive)').fill(new Date(Date.now() + 8 * 3600_000 + 86_400_000).toISOString().slice(0, 16))
  await page.getByLabel('To (exclusive)').fill('')
  await page.getByRole('button', { name: 'Filter', exact: true }).click()
  await page.locator('main .empty', { hasText: 'No event matches.' }).waitFor()
  step('audit filtered by time (datetime-local in Asia/Shanghai sent as RFC 3339 UTC); a future start finds nothing')

  await clearFilters(page, `${state.poolId} · Audit log`)
  await page.getByLabel('Action').selectOption('user.block')
  await applyFilter(page, `${state.poolId} · Audit log`, 'action=user.block')
  const csvFile = await downloaded(page, () => page.getByRole('button', { name: 'Export CSV' }).click())
  const rows = parseCsv(csvFile.text.replace(/^\uFEFF/, ''))
  equal(rows[0], ['createdAt', 'actor', 'action', 'target', 'outcome', 'reason', 'ip', 'id'], 'the CSV header')
  equal(rows.length - 1, blocks, 'one row per matching event')
  check(rows.slice(1).every((row) => row[2] === 'user.block'), 'only the filtered action')
  const jsonFile = await downloaded(page, () => page.getByRole('button', { name: 'Export JSON lines' }).click())
  check(jsonFile.name.endsWith('.jsonl'), `a .jsonl file: ${jsonFile.name}`)
  const events = jsonFile.text.trim().split('\n').map((line) => JSON.parse(line))
  equal(events.length, blocks, 'one line per matching event')
  check(events.every((e) => e.action === 'user.block' && e.id && e.createdAt), 'each line an event')
  await shot(page, 'audit')
  step('the filtered audit log exported as CSV and as JSON lines, every matching event once')
}

/** A 503 and a network failure, made in the browser (the live server stays up), then a retry. */
async function failures(page) {
  const poolList = (url) => url.pathname === '/api/v1/userpools'
  await open(page, '#/pools?limit=10', 'User pools')
  await page.route(poolList, (route) => route.fulfill({
    status: 503,
    headers: { 'content-type': 'application/json', 'retry-after': '7' },
    body: JSON.stringify({ code: 503, error: 'unavailable', message: 'the database cannot be reached' }),
  }))
  await page.getByRole('button', { name: 'Next' }).click()
  let alert = page.locator('main .alert-error')
  await alert.waitFor()
  let text = await alert.innerText()
  check(text.includes('The service is unavailable: try again in 7 s.') && text.includes('the database cannot be reached'), `503: ${text}`)
  await page.unroute(poolList)
  await page.route(poolList, (route) => route.abort('internetdisconnected'))
  await alert.getByRole('button', { name: 'Try again' }).click()
  alert = page.locator('main .alert-error')
  await alert.getByText('The server cannot be reached').waitFor()
  await page.unroute(poolList)
  await alert.getByRole('button', { name: 'Try again' }).click()
  await page.locator('main table').waitFor()
  check((await pagerStatus(page)).startsWith('Page 2'), 'the page loads once the server answers')
  step('a 503 shows its Retry-After, a network failure its message, and "Try again" recovers')
}

async function expiredSession(page, state) {
  await open(page, `#/pools/${state.poolId}/users`, `${state.poolId} · Users`)
  await page.evaluate((key) => {
    const stored = JSON.parse(sessionStorage.getItem(key))
    sessionStorage.setItem(key, JSON.stringify({ ...stored, token: 'not-a-valid-token' }))
  }, SESSION_KEY)
  await page.getByLabel('Value').fill(state.phone)
  await page.getByRole('button', { name: 'Search' }).click()
  await page.getByText('Your session has expired.').waitFor()
  check(!(await page.evaluate((key) => sessionStorage.getItem(key), SESSION_KEY)), 'the bad token is dropped')
  const hash = new URL(page.url()).hash
  check(hash.includes(`/pools/${state.poolId}/users`) && hash.includes('phone='), `the address is kept: ${hash}`)
  await shot(page, 'session-expired')
  await signInPlatform(page, 'admin', password)
  await loaded(page, `${state.poolId} · Users`)
  equal(await page.locator('main table tbody tr').count(), 1, 'back on the same search')
  step('a rejected token (401) shows sign-in with "session expired", then returns to the same screen')

  await page.evaluate((key) => {
    const stored = JSON.parse(sessionStorage.getItem(key))
    sessionStorage.setItem(key, JSON.stringify({ ...stored, expiresAt: Date.now() - 1000 }))
  }, SESSION_KEY)
  await page.locator('.sidebar').getByRole('link', { name: 'Signing keys' }).click()
  await page.getByText('Your session has expired.').waitFor()
  await signInPlatform(page, 'admin', password)
  await loaded(page, `${state.poolId} · Signing keys`)
  step('an expired token is not even sent: sign-in, then the screen asked for')
}

async function platformAdmins(page, state) {
  await nav(page, 'Platform admins')
  const username = `ops-${hex(4)}`
  const first = `pw-${hex(8)}`
  await page.getByRole('button', { name: 'Add admin' }).click()
  const box = dialogBox(page)
  await box.getByLabel('Username').fill(username)
  await box.getByLabel('Password', { exact: true }).fill(first)
  await box.getByLabel('Password again').fill(`${first}x`)
  await box.getByRole('button', { name: 'Create', exact: true }).click()
  check(await box.getByLabel('Password again').evaluate((el) => !el.validity.valid), 'two different passwords are refused')
  await box.getByLabel('Password again').fill(first)
  await navigated(page, 'Platform admins', async () => {
    await box.getByRole('button', { name: 'Create', exact: true }).click()
    await box.waitFor({ state: 'detached' })
  })
  const admins = (await adminApi('GET', '/admins?limit=100')).body.items
  const ops = admins.find((a) => a.username === username)
  check(ops, 'the admin is created')
  check((await page.locator('main table').innerText()).includes(username), 'and listed')
  await page.locator('main .badge', { hasText: 'you' }).waitFor()
  step(`platform admin ${username} added (the repeated password checked)`)

  const opsToken = (await call(`${base}/api/v1/auth/admin`, 'POST', { username, password: first })).body.accessToken
  equal((await call(`${base}/api/v1/admins`, 'GET', undefined, opsToken)).status, 200, 'its token works')
  await toastAfter(page, `Tokens of ${username} revoked.`, () => confirmRow(page, `Revoke tokens ${username}`, 'Revoke tokens'))
  equal((await call(`${base}/api/v1/admins`, 'GET', undefined, opsToken)).status, 401, 'its token is revoked')
  step('its tokens revoked after a confirmation')

  await signOut(page)
  await page.getByText('You have signed out.').waitFor()
  await signInPlatform(page, username, first)
  await loaded(page, 'User pools')
  await nav(page, 'Change password')
  const second = `pw-${hex(8)}`
  await page.getByLabel('Current password').fill(`${first}-wrong`)
  await page.getByLabel('New password', { exact: true }).fill(second)
  await page.getByLabel('New password again').fill(second)
  await page.getByRole('button', { name: 'Change password' }).click()
  await page.getByText('The current password is wrong.').waitFor()
  await page.getByLabel('Current password').fill(first)
  await page.getByRole('button', { name: 'Change password' }).click()
  await page.getByText('Your password was changed: sign in with the new one.').waitFor()
  await signInPlatform(page, username, second)
  await loaded(page, 'User pools')
  step('the new admin changed its own password (a wrong current one told apart), then signed in with it')

  await signOut(page)
  await signInPlatform(page, 'admin', password)
  await loaded(page, 'User pools')
  await nav(page, 'Platform admins')
  await navigated(page, 'Platform admins', () => confirmRow(page, `Delete ${username}`, 'Delete', username))
  const left = (await adminApi('GET', '/admins?limit=100')).body.items
  check(!left.some((a) => a.username === username), 'the admin is deleted')
  await shot(page, 'admins')
  step('the admin deleted after typing its username')
}

async function platformAudit(page) {
  await nav(page, 'Platform audit log')
  const apiTotal = async (query) => (await adminApi('GET', `/audit-events?limit=1&${query}`)).body.total
  await page.getByLabel('Action').selectOption('admin.password.change')
  await applyFilter(page, 'Platform audit log', 'action=admin.password.change')
  const changes = await apiTotal('action=admin.password.change')
  check(changes >= 1, 'a password change was recorded')
  check((await pagerStatus(page)).endsWith(`${changes} in all`), 'as the API counts')
  const outcomes = new Set(await columnTexts(page, 'Outcome'))
  check(outcomes.has('Success'), 'the change succeeded')
  const file = await downloaded(page, () => page.getByRole('button', { name: 'Export JSON lines' }).click())
  const events = file.text.trim().split('\n').map((line) => JSON.parse(line))
  equal(events.length, changes, 'the JSON lines export has each event')
  check(events.every((e) => e.action === 'admin.password.change'), 'of that action')
  await page.getByLabel('Outcome').selectOption('failure')
  await applyFilter(page, 'Platform audit log', 'outcome=failure')
  const failed = await apiTotal('action=admin.password.change&outcome=failure')
  check((await pagerStatus(page)).endsWith(`${failed} in all`), 'failed changes, as the API counts')
  await shot(page, 'platform-audit')
  step(`platform audit filtered by action and outcome (${changes} changes, ${failed} failed) and exported`)
}

/** A pass over every screen in Chinese: each title is the Chinese catalog's. */
async function chinese(page, state) {
  await nav(page, 'User pools')
  const enNav = await page.locator('.sidebar').innerText()
  await page.getByRole('button', { name: '中文' }).click()
  await loaded(page, '用户池')
  const zhNav = await page.locator('.sidebar').innerText()
  check(enNav !== zhNav && zhNav.includes('用户池') && zhNav.includes('平台审计日志'), `the menu changed language: ${zhNav}`)
  check((await page.locator('.who').innerText()).includes('平台管理员'), 'so did who is signed in')
  const screens = [
    [`#/pools/${state.poolId}`, `${state.poolId} · 概览与设置`],
    [`#/pools/${state.poolId}/connections`, `${state.poolId} · 身份源连接`],
    [`#/pools/${state.poolId}/applications`, `${state.poolId} · 应用`],
    [`#/pools/${state.poolId}/users`, `${state.poolId} · 用户`],
    [`#/pools/${state.poolId}/keys`, `${state.poolId} · 签名密钥`],
    [`#/pools/${state.poolId}/audit`, `${state.poolId} · 审计日志`],
    ['#/platform/admins', '平台管理员'],
    ['#/platform/audit', '平台审计日志'],
    ['#/platform/password', '修改密码'],
  ]
  for (const [hash, title] of screens) {
    await open(page, hash, title)
    const body = await page.locator('main').innerText()
    check(!/\b(Loading|Actions|Created|Previous|Next)\b/.test(body), `no English left on ${hash}`)
  }
  await open(page, `#/pools/${state.poolId}/users`, `${state.poolId} · 用户`)
  await shot(page, 'users-zh')
  await page.getByRole('button', { name: 'English' }).click()
  await loaded(page, `${state.poolId} · Users`)
  step('every screen in Chinese, with its Chinese title and no English text; back to English')
}

async function poolAdmin(page, state) {
  await signOut(page)
  await signInPool(page, state.poolId, state.poolSecret)
  await loaded(page, `${state.poolId} · Overview and settings`)
  const who = await page.locator('.who').innerText()
  check(who.includes(state.poolId) && who.includes('pool admin'), `who is signed in: ${who}`)
  const menu = await page.locator('.sidebar').innerText()
  check(!menu.includes('User pools') && !menu.includes('Platform'), `no pools list nor platform menu: ${menu}`)
  check(!(await page.getByRole('button', { name: 'Delete user pool' }).isVisible()), 'no pool deletion')
  step('signed in as the pool admin: only the pool\'s screens')

  await open(page, '#/platform/admins', 'Platform admins')
  const alert = page.locator('main .alert-error')
  await alert.waitFor()
  const text = await alert.innerText()
  check(text.includes('Not allowed') && text.includes('platform admin token'), `a 403: ${text}`)
  await shot(page, 'pool-admin-403')
  step('the platform screen opened by its address answers 403, shown as such')

  await open(page, `#/pools/${state.poolId}`, `${state.poolId} · Overview and settings`)
  const form = page.locator('form.settings-form')
  await form.getByLabel('The ticket exchange requires the pool secret').uncheck()
  await form.getByRole('button', { name: 'Save' }).click()
  const refused = form.getByRole('alert')
  await refused.waitFor()
  check((await refused.innerText()).includes('currentSecret'), 'the 403 says the current secret is needed')
  await form.getByLabel('Current pool secret').fill(state.poolSecret)
  await toastAfter(page, 'Saved.', () => form.getByRole('button', { name: 'Save' }).click())
  equal((await adminApi('GET', `/userpools/${state.poolId}`)).body.settings.app2wxapp.requireSecret, false, 'saved with the current secret')
  step('a pool admin turns the secret requirement off only with the current secret')

  await loaded(page, `${state.poolId} · Overview and settings`)
  await page.getByRole('button', { name: 'Replace secret' }).click()
  const box = dialogBox(page)
  await box.getByLabel('Current pool secret').fill(state.poolSecret)
  await box.getByRole('button', { name: 'Replace secret' }).click()
  const secret = await takeSecret(page)
  await page.getByText('The pool secret was replaced: sign in with the new one.').waitFor()
  equal(await page.getByRole('tab', { name: 'Pool admin' }).getAttribute('aria-selected'), 'true', 'the sign-in screen opens on the pool admin tab')
  equal((await call(`${base}/api/v1/auth/userpool`, 'POST', { userPoolId: state.poolId, secret })).status, 200, 'the new secret works')
  await signInPool(page, state.poolId, secret)
  await loaded(page, `${state.poolId} · Overview and settings`)
  step('the pool admin replaced the secret with the current one, then signed in with the new one')
}

run('admin console test', main)
