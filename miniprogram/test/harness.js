// Renders the mini program's pages with miniprogram-simulate (WeChat's WXML compiler, a jsdom DOM) and
// replaces the `wx` APIs it uses with test doubles that record their calls.

const path = require('path')
const simulate = require('miniprogram-simulate')

const ROOT = path.join(__dirname, '..')

/**
 * Builds the doubles: `wx.login` hands out `code-1`, `code-2`, … (or what `issueCode` resolves
 * to); `wx.request` asks `server`, which answers `{ status, body }` or `{ fail }`.
 */
function installWx({ scene = 1069, language = 'en', server, issueCode, loginFails = false } = {}) {
  let issued = 0
  const calls = { login: 0, requests: [], titles: [], exits: 0 }
  wx.getEnterOptionsSync = () => ({ scene, path: 'routes/explore', query: {} })
  wx.exitMiniProgram = () => { calls.exits += 1 }
  wx.getAppBaseInfo = () => ({ language })
  wx.setNavigationBarTitle = ({ title }) => calls.titles.push(title)
  wx.login = ({ success, fail }) => {
    calls.login += 1
    if (loginFails) {
      fail({ errMsg: 'login:fail timeout' })
      return
    }
    issued += 1
    Promise.resolve(issueCode ? issueCode() : `code-${issued}`)
      .then((code) => success({ code, errMsg: 'login:ok' }), (err) => fail({ errMsg: String(err) }))
  }
  wx.request = (options) => {
    calls.requests.push(options)
    Promise.resolve(server ? server(options) : { fail: { errMsg: 'request:fail no server' } })
      .then((answer) => {
        if (answer.fail) options.fail(answer.fail)
        else options.success({ statusCode: answer.status, data: answer.body, header: {} })
      })
  }
  return calls
}

const loaded = {}

/** Registers a page once per test file: its JS runs once, as module code does. */
function load(page) {
  if (!loaded[page]) {
    // WeChat's own <button> is replaced by a stub that keeps open-type and app-parameter readable.
    loaded[page] = simulate.load(path.join(ROOT, 'app', page), {
      rootPath: ROOT,
      usingComponents: { button: '/test/stubs/button' },
    })
  }
  return loaded[page]
}

/**
 * Renders the page at `page` (`routes/explore`, `routers/explore`, `pages/qrlogin/index`) and
 * calls its `onLoad` with `query`, as WeChat does when the App launches that path (or a scanned
 * code opens it).
 */
async function openPage(page, query) {
  const rendered = simulate.render(load(page))
  rendered.attach(document.createElement('parent-wrapper'))
  rendered.instance.onLoad(query)
  await settle()
  return rendered
}

/** Lets pending promises (wx.login, wx.request) finish. */
async function settle(until) {
  for (let i = 0; i < 5; i += 1) await simulate.sleep(0)
  // Against a live server, answers take real time: wait (up to 10 s) for the awaited state.
  for (let waited = 0; until && !until() && waited < 10000; waited += 20) await simulate.sleep(20)
}

/** The element with this id, or null. */
function find(page, id) {
  return page.querySelector(`#${id}`) || null
}

/** The button's attributes as WeChat sees them, and its label. */
function button(page, id) {
  const found = find(page, id)
  if (!found) return null
  return { ...found.data, label: found.dom.textContent.trim() }
}

/** The text of the element with this id, or null. */
function text(page, id) {
  const found = find(page, id)
  return found ? found.dom.textContent.trim() : null
}

/** Parses an `extMsg` the way the integration guide tells Apps to: URL-decoding each value. */
function parseExtMsg(ext) {
  return Object.fromEntries(new URLSearchParams(ext))
}

module.exports = { installWx, openPage, settle, find, button, text, parseExtMsg }
