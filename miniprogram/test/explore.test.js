const config = require('../app/config.js')
const { installWx, openPage, settle, find, button, text, parseExtMsg } = require('./harness.js')

const POOL = '5e4cdd055df3df65dc58b97d'
const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM'
const SERVER_EXT = 'code=200&message=ok&ticket=T1cket_-x'

/** A Tessera that issues a ticket for every login. */
const issuing = () => ({
  status: 200,
  body: { code: 200, message: 'ok', ticket: 'T1cket_-x', expiresIn: 120, extMsg: SERVER_EXT },
})

/** A Tessera that refuses every login with this documented error. */
const refusing = (status, error, message) => () => ({
  status,
  body: { code: status, error, message },
})

describe('opened from an App (scene 1069)', () => {
  test('without getPhone: logs in on tap and returns the server\'s extMsg to the App', async () => {
    const calls = installWx({ server: issuing })
    const page = await openPage('routes/explore', {
      userPoolId: POOL, getPhone: '0', fromApp: '1', useSelfWxapp: '0',
    })

    expect(find(page, 'phone')).toBeNull()
    expect(button(page, 'login').label).toBe('Log in with WeChat')
    expect(button(page, 'cancel').openType).toBe('launchApp')
    expect(calls.login).toBe(1) // the code is fetched before the tap

    find(page, 'login').dispatchEvent('tap')
    await settle()

    expect(calls.requests).toHaveLength(1)
    const request = calls.requests[0]
    expect(request.url).toBe(`${config.serverUrl}/oauth/app2wxapp/login/${POOL}`)
    expect(request.method).toBe('POST')
    expect(request.data).toEqual({ code: 'code-1' })
    expect(calls.login).toBe(1)

    const back = button(page, 'return')
    expect(back.openType).toBe('launchApp')
    expect(back.appParameter).toBe(SERVER_EXT)
    expect(text(page, 'message')).toBe('You are logged in. Return to the App to continue.')
    expect(find(page, 'login')).toBeNull()
    expect(find(page, 'retry')).toBeNull()
  })

  test('with getPhone=1: the phone button sends the phone code with the login code', async () => {
    const calls = installWx({ server: issuing })
    const page = await openPage('routes/explore', {
      userPoolId: POOL, getPhone: '1', fromApp: '1', useSelfWxapp: '0', codeChallenge: CHALLENGE,
    })

    expect(find(page, 'login')).toBeNull()
    const phone = button(page, 'phone')
    expect(phone.openType).toBe('getPhoneNumber')
    expect(phone.label).toBe('Log in with my WeChat phone number')

    find(page, 'phone').dispatchEvent('getphonenumber', {
      detail: { errMsg: 'getPhoneNumber:ok', code: 'phone-code-1', encryptedData: 'x', iv: 'y' },
    })
    await settle()

    expect(calls.requests.map((r) => r.data)).toEqual([{
      code: 'code-1',
      getPhone: true,
      phoneCode: 'phone-code-1',
      codeChallenge: CHALLENGE,
      codeChallengeMethod: 'S256',
    }])
    expect(button(page, 'return').appParameter).toBe(SERVER_EXT)
  })

  test('an older base library\'s encrypted phone payload is sent for legacy decryption', async () => {
    const calls = installWx({ server: issuing })
    const page = await openPage('routes/explore', { userPoolId: POOL, getPhone: '1' })

    find(page, 'phone').dispatchEvent('getphonenumber', {
      detail: { errMsg: 'getPhoneNumber:ok', encryptedData: 'ENC', iv: 'IV' },
    })
    await settle()

    expect(calls.requests[0].data).toEqual({
      code: 'code-1', getPhone: true, encryptedData: 'ENC', iv: 'IV',
    })
  })

  test('declining the phone number answers the App code=403 access_denied, and allows a retry', async () => {
    const calls = installWx({ server: issuing })
    const page = await openPage('routes/explore', { userPoolId: POOL, getPhone: '1' })

    find(page, 'phone').dispatchEvent('getphonenumber', {
      detail: { errMsg: 'getPhoneNumber:fail user deny' },
    })
    await settle()

    expect(calls.requests).toHaveLength(0)
    const answer = parseExtMsg(button(page, 'return').appParameter)
    expect(answer).toEqual({
      code: '403',
      error: 'access_denied',
      message: 'The user did not share the phone number (getPhoneNumber:fail user deny).',
    })

    find(page, 'retry').dispatchEvent('tap')
    await settle()
    expect(find(page, 'phone')).not.toBeNull()
    expect(calls.login).toBe(2) // a new code for the new attempt
  })

  test('the cancel button hands the App a cancellation in the same form', async () => {
    installWx({ server: issuing })
    const page = await openPage('routes/explore', { userPoolId: POOL })

    const cancel = button(page, 'cancel')
    expect(cancel.openType).toBe('launchApp')
    expect(parseExtMsg(cancel.appParameter)).toEqual({
      code: '403', error: 'access_denied', message: 'The user cancelled the login.',
    })
  })

  test('a server error reaches the App URL-encoded, with its status and error code', async () => {
    const message = 'User is blocked & cannot log in: 用户已被禁用'
    const calls = installWx({ server: refusing(403, 'user_blocked', message) })
    const page = await openPage('routes/explore', { userPoolId: POOL })

    find(page, 'login').dispatchEvent('tap')
    await settle()

    expect(calls.requests).toHaveLength(1)
    const ext = button(page, 'return').appParameter
    expect(ext).not.toContain(' ')
    expect(ext.split('&')).toHaveLength(3) // the message's own '&' is encoded
    expect(parseExtMsg(ext)).toEqual({ code: '403', error: 'user_blocked', message })
    expect(text(page, 'message')).toBe(message)
    expect(find(page, 'retry')).not.toBeNull()
  })

  test('a retry after an error never resends the used code', async () => {
    let answers = 0
    const calls = installWx({
      server: () => {
        answers += 1
        return answers === 1 ? refusing(502, 'wechat_unavailable', 'WeChat is busy')() : issuing()
      },
    })
    const page = await openPage('routes/explore', { userPoolId: POOL })

    find(page, 'login').dispatchEvent('tap')
    await settle()
    expect(parseExtMsg(button(page, 'return').appParameter).code).toBe('502')

    find(page, 'retry').dispatchEvent('tap')
    await settle()
    find(page, 'login').dispatchEvent('tap')
    await settle()

    expect(calls.requests.map((r) => r.data.code)).toEqual(['code-1', 'code-2'])
    expect(button(page, 'return').appParameter).toBe(SERVER_EXT)
  })

  test('double taps send one login', async () => {
    const calls = installWx({ server: issuing })
    const page = await openPage('routes/explore', { userPoolId: POOL })

    find(page, 'login').dispatchEvent('tap')
    page.instance.onLogin()
    await settle()

    expect(calls.requests).toHaveLength(1)
  })

  test('an unreachable server is reported as 503 network_error', async () => {
    installWx({ server: () => ({ fail: { errMsg: 'request:fail url not in domain list' } }) })
    const page = await openPage('routes/explore', { userPoolId: POOL })

    find(page, 'login').dispatchEvent('tap')
    await settle()

    expect(parseExtMsg(button(page, 'return').appParameter)).toEqual({
      code: '503',
      error: 'network_error',
      message: 'Could not reach the login server: request:fail url not in domain list',
    })
  })

  test('wx.login failing is reported as 502 wechat_unavailable', async () => {
    const calls = installWx({ server: issuing, loginFails: true })
    const page = await openPage('routes/explore', { userPoolId: POOL })

    find(page, 'login').dispatchEvent('tap')
    await settle()

    expect(calls.requests).toHaveLength(0)
    expect(parseExtMsg(button(page, 'return').appParameter)).toEqual({
      code: '502', error: 'wechat_unavailable', message: 'wx.login failed: login:fail timeout',
    })
  })

  test('a server answer that is not the documented shape is still reported by status', async () => {
    installWx({ server: () => ({ status: 500, body: '<html>oops</html>' }) })
    const page = await openPage('routes/explore', { userPoolId: POOL })

    find(page, 'login').dispatchEvent('tap')
    await settle()

    expect(parseExtMsg(button(page, 'return').appParameter)).toEqual({
      code: '500', error: 'server_error', message: 'The server answered 500.',
    })
  })

  test('a launch path without userPoolId explains itself and answers code=400', async () => {
    const calls = installWx({ server: issuing })
    const page = await openPage('routes/explore', { getPhone: '1', fromApp: '1' })

    expect(find(page, 'login')).toBeNull()
    expect(find(page, 'phone')).toBeNull()
    expect(calls.login).toBe(0)
    const message = 'The launch path has no userPoolId: the App must pass its user pool id.'
    expect(text(page, 'message')).toBe(message)
    expect(parseExtMsg(button(page, 'return').appParameter)).toEqual({
      code: '400', error: 'invalid_request', message,
    })
  })

  test.each([
    [{ userPoolId: 'pool id with spaces' }, 'userPoolId'],
    [{ userPoolId: POOL, codeChallenge: 'short' }, 'codeChallenge'],
    [{ userPoolId: POOL, codeChallenge: CHALLENGE, codeChallengeMethod: 'plain' }, 'codeChallengeMethod'],
  ])('a bad launch parameter is named: %j', async (query, name) => {
    installWx({ server: issuing })
    const page = await openPage('routes/explore', query)

    const answer = parseExtMsg(button(page, 'return').appParameter)
    expect(answer.code).toBe('400')
    expect(answer.message).toContain(name)
  })

  test('URL-encoded launch values are decoded', async () => {
    const calls = installWx({ server: issuing })
    const page = await openPage('routes/explore', {
      userPoolId: encodeURIComponent('pool_1-a'), getPhone: '0',
    })

    find(page, 'login').dispatchEvent('tap')
    await settle()
    expect(calls.requests[0].url).toBe(`${config.serverUrl}/oauth/app2wxapp/login/pool_1-a`)
  })

  test('a failed return to the App is shown', async () => {
    installWx({ server: issuing })
    const page = await openPage('routes/explore', { userPoolId: POOL })

    find(page, 'cancel').dispatchEvent('error', { detail: { errMsg: 'launchApp:fail app not installed' } })
    await settle()

    expect(text(page, 'launch-error')).toBe('Could not return to the App: launchApp:fail app not installed')
  })
})

describe('not opened from an App', () => {
  test('explains why it cannot return, and logs nobody in', async () => {
    const calls = installWx({ scene: 1001, server: issuing })
    const page = await openPage('routes/explore', { userPoolId: POOL, getPhone: '1' })

    expect(text(page, 'elsewhere')).toBe(
      'This page logs you in to an App. Open it from that App: only then can it take you back there.',
    )
    expect(find(page, 'login')).toBeNull()
    expect(find(page, 'phone')).toBeNull()
    expect(find(page, 'cancel')).toBeNull()
    expect(find(page, 'return')).toBeNull()
    expect(calls.login).toBe(0)
    expect(calls.requests).toHaveLength(0)
  })
})

describe('language', () => {
  test('speaks Chinese when WeChat does', async () => {
    const calls = installWx({ language: 'zh_CN', server: issuing })
    const page = await openPage('routes/explore', { userPoolId: POOL, getPhone: '1' })

    expect(button(page, 'phone').label).toBe('使用微信手机号登录')
    expect(button(page, 'cancel').label).toBe('取消并返回 App')
    expect(calls.titles).toEqual(['登录'])
  })
})
