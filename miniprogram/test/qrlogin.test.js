// The website QR login's confirm page, /pages/qrlogin/index, against a scripted Tessera.
const config = require('../app/config.js')
const { installWx, openPage, settle, find, button, text } = require('./harness.js')

const PAGE = 'pages/qrlogin/index'
const POOL = '5e4cdd055df3df65dc58b97d'
const SCENE = 'q=Ab3-_~!x'
const BASE = `${config.serverUrl}/oauth/wxapp-qrcode/${POOL}`

/** A Tessera answering each step (`scan`, `confirm`, `cancel`) with `answers[step](body)`. */
function tessera(answers) {
  const defaults = {
    scan: () => ({ status: 200, body: { applicationName: 'Acme Shop', expiresIn: 120 } }),
    confirm: () => ({ status: 200, body: { confirmed: true } }),
    cancel: () => ({ status: 200, body: { cancelled: true } }),
  }
  const steps = { ...defaults, ...answers }
  return (options) => {
    const step = options.url.slice(BASE.length + 1)
    if (!options.url.startsWith(`${BASE}/`) || !steps[step]) {
      return { status: 404, body: { code: 404, error: 'not_found', message: 'no such path' } }
    }
    return steps[step](options.data)
  }
}

const refusing = (status, error, message) => () => ({ status, body: { code: status, error, message } })

/** The steps and bodies the page sent, in order. */
const sent = (calls) => calls.requests.map((r) => [r.url.slice(BASE.length + 1), r.data])

beforeEach(() => {
  config.userPoolId = POOL
  config.qrLoginGetPhone = false
})

describe('opened by scanning the website\'s code', () => {
  test('asks to log in to the application, confirms with a wx.login code, and says so', async () => {
    const calls = installWx({ scene: 1047, server: tessera() })
    const page = await openPage(PAGE, { scene: encodeURIComponent(SCENE) })

    expect(calls.titles).toEqual(['Website login'])
    expect(text(page, 'question')).toBe('Log in to Acme Shop on the website?')
    expect(button(page, 'confirm').label).toBe('Confirm')
    expect(button(page, 'cancel').label).toBe('Cancel')
    expect(find(page, 'phone')).toBeNull()
    expect(sent(calls)).toEqual([['scan', { scene: SCENE }]])
    expect(calls.requests[0].method).toBe('POST')

    find(page, 'confirm').dispatchEvent('tap')
    await settle()

    expect(sent(calls)).toEqual([
      ['scan', { scene: SCENE }],
      ['confirm', { scene: SCENE, code: 'code-1' }],
    ])
    expect(calls.login).toBe(1)
    expect(text(page, 'message')).toBe('You are logged in on the website; you can close this.')
    expect(find(page, 'confirm')).toBeNull()
    expect(find(page, 'retry')).toBeNull()

    find(page, 'close').dispatchEvent('tap')
    await settle()
    expect(calls.exits).toBe(1)
  })

  test('a scene WeChat passes unencoded is used as it is', async () => {
    const calls = installWx({ scene: 1047, server: tessera() })
    await openPage(PAGE, { scene: 'abc123' })
    expect(sent(calls)).toEqual([['scan', { scene: 'abc123' }]])
  })

  test('double taps send one confirmation', async () => {
    const calls = installWx({ server: tessera() })
    const page = await openPage(PAGE, { scene: SCENE })

    find(page, 'confirm').dispatchEvent('tap')
    page.instance.onConfirm()
    page.instance.onCancel()
    await settle()

    expect(sent(calls).map(([step]) => step)).toEqual(['scan', 'confirm'])
  })
})

describe('an expired or used code', () => {
  test('at the scan: says so, offers to close, and never confirms', async () => {
    const calls = installWx({
      server: tessera({ scan: refusing(410, 'qr_expired', 'The QR code expired.') }),
    })
    const page = await openPage(PAGE, { scene: SCENE })

    expect(text(page, 'message')).toBe(
      'This QR code has expired or was already used. Get a new one on the website and scan it again.',
    )
    expect(find(page, 'confirm')).toBeNull()
    expect(find(page, 'retry')).toBeNull()
    expect(button(page, 'close').label).toBe('Close')
    expect(calls.login).toBe(0)
    expect(sent(calls).map(([step]) => step)).toEqual(['scan'])
  })

  test('at the confirmation: says so instead of a generic error', async () => {
    const calls = installWx({
      server: tessera({ confirm: refusing(410, 'qr_expired', 'The QR code expired.') }),
    })
    const page = await openPage(PAGE, { scene: SCENE })

    find(page, 'confirm').dispatchEvent('tap')
    await settle()

    expect(sent(calls).map(([step]) => step)).toEqual(['scan', 'confirm'])
    expect(find(page, 'message').dom.className).toContain('expired')
    expect(text(page, 'message')).toContain('expired or was already used')
    expect(find(page, 'retry')).toBeNull()
  })
})

describe('errors', () => {
  test('WeChat refusing the code is shown, and a retry sends a new code, never the used one', async () => {
    let confirms = 0
    const calls = installWx({
      server: tessera({
        confirm: () => {
          confirms += 1
          return confirms === 1
            ? refusing(400, 'wechat_code_invalid', 'The WeChat login code is invalid.')()
            : { status: 200, body: { confirmed: true } }
        },
      }),
    })
    const page = await openPage(PAGE, { scene: SCENE })

    find(page, 'confirm').dispatchEvent('tap')
    await settle()
    expect(text(page, 'message')).toBe('The WeChat login code is invalid.')
    expect(find(page, 'message').dom.className).toContain('failed')

    find(page, 'retry').dispatchEvent('tap')
    await settle()
    expect(text(page, 'question')).toBe('Log in to Acme Shop on the website?')
    find(page, 'confirm').dispatchEvent('tap')
    await settle()

    const codes = sent(calls).filter(([step]) => step === 'confirm').map(([, body]) => body.code)
    expect(codes).toEqual(['code-1', 'code-2'])
    expect(text(page, 'message')).toBe('You are logged in on the website; you can close this.')
  })

  test('an unreachable server at the scan can be retried by scanning again', async () => {
    let scans = 0
    const calls = installWx({
      server: tessera({
        scan: () => {
          scans += 1
          return scans === 1
            ? { fail: { errMsg: 'request:fail url not in domain list' } }
            : { status: 200, body: { applicationName: 'Acme Shop', expiresIn: 100 } }
        },
      }),
    })
    const page = await openPage(PAGE, { scene: SCENE })

    expect(text(page, 'message')).toBe('Could not reach the login server: request:fail url not in domain list')
    find(page, 'retry').dispatchEvent('tap')
    await settle()

    expect(text(page, 'question')).toBe('Log in to Acme Shop on the website?')
    expect(sent(calls).map(([step]) => step)).toEqual(['scan', 'scan'])
  })

  test('wx.login failing is shown without calling the server', async () => {
    const calls = installWx({ server: tessera(), loginFails: true })
    const page = await openPage(PAGE, { scene: SCENE })

    find(page, 'confirm').dispatchEvent('tap')
    await settle()

    expect(sent(calls).map(([step]) => step)).toEqual(['scan'])
    expect(text(page, 'message')).toBe('wx.login failed: login:fail timeout')
  })

  test('an answer that is not the documented shape is reported by status', async () => {
    installWx({ server: tessera({ confirm: () => ({ status: 500, body: '<html>oops</html>' }) }) })
    const page = await openPage(PAGE, { scene: SCENE })

    find(page, 'confirm').dispatchEvent('tap')
    await settle()

    expect(text(page, 'message')).toBe('The server answered 500.')
  })
})

describe('cancel', () => {
  test('tells the server and says the login was cancelled', async () => {
    const calls = installWx({ server: tessera() })
    const page = await openPage(PAGE, { scene: SCENE })

    find(page, 'cancel').dispatchEvent('tap')
    await settle()

    expect(sent(calls)).toEqual([['scan', { scene: SCENE }], ['cancel', { scene: SCENE }]])
    expect(text(page, 'message')).toBe('Login cancelled; you can close this.')
    expect(find(page, 'confirm')).toBeNull()
    expect(find(page, 'close')).not.toBeNull()
  })

  test('of a code that expired meanwhile says it expired', async () => {
    installWx({ server: tessera({ cancel: refusing(410, 'qr_expired', 'The QR code expired.') }) })
    const page = await openPage(PAGE, { scene: SCENE })

    find(page, 'cancel').dispatchEvent('tap')
    await settle()

    expect(text(page, 'message')).toContain('expired or was already used')
  })
})

describe('with the phone number (qrLoginGetPhone)', () => {
  test('the phone button sends the phone code with the login code', async () => {
    config.qrLoginGetPhone = true
    const calls = installWx({ server: tessera() })
    const page = await openPage(PAGE, { scene: SCENE })

    expect(find(page, 'confirm')).toBeNull()
    const phone = button(page, 'phone')
    expect(phone.openType).toBe('getPhoneNumber')
    expect(phone.label).toBe('Confirm with my WeChat phone number')
    expect(calls.login).toBe(1) // fetched before the tap, for a legacy payload's session key

    find(page, 'phone').dispatchEvent('getphonenumber', {
      detail: { errMsg: 'getPhoneNumber:ok', code: 'phone-code-1', encryptedData: 'x', iv: 'y' },
    })
    await settle()

    expect(sent(calls)[1]).toEqual(['confirm', { scene: SCENE, code: 'code-1', phoneCode: 'phone-code-1' }])
    expect(calls.login).toBe(1)
    expect(text(page, 'message')).toBe('You are logged in on the website; you can close this.')
  })

  test('an older base library\'s encrypted payload is sent for legacy decryption', async () => {
    config.qrLoginGetPhone = true
    const calls = installWx({ server: tessera() })
    const page = await openPage(PAGE, { scene: SCENE })

    find(page, 'phone').dispatchEvent('getphonenumber', {
      detail: { errMsg: 'getPhoneNumber:ok', encryptedData: 'ENC', iv: 'IV' },
    })
    await settle()

    expect(sent(calls)[1]).toEqual(['confirm', { scene: SCENE, code: 'code-1', encryptedData: 'ENC', iv: 'IV' }])
  })

  test('declining the phone number confirms nothing and allows a retry', async () => {
    config.qrLoginGetPhone = true
    const calls = installWx({ server: tessera() })
    const page = await openPage(PAGE, { scene: SCENE })

    find(page, 'phone').dispatchEvent('getphonenumber', { detail: { errMsg: 'getPhoneNumber:fail user deny' } })
    await settle()

    expect(sent(calls).map(([step]) => step)).toEqual(['scan'])
    expect(text(page, 'message')).toBe('The website needs your phone number to log you in.')
    find(page, 'retry').dispatchEvent('tap')
    await settle()
    expect(find(page, 'phone')).not.toBeNull()
  })

  test('phone_required from the server is shown', async () => {
    config.qrLoginGetPhone = true
    installWx({
      server: tessera({ confirm: refusing(400, 'phone_required', 'This login needs the phone number.') }),
    })
    const page = await openPage(PAGE, { scene: SCENE })

    find(page, 'phone').dispatchEvent('getphonenumber', { detail: { errMsg: 'getPhoneNumber:ok', code: 'p-1' } })
    await settle()

    expect(text(page, 'message')).toBe('This login needs the phone number.')
    expect(find(page, 'retry')).not.toBeNull()
  })
})

describe('not opened from a code, or not set up', () => {
  test.each([
    [{}, 'Open this page by scanning the QR code on a website\'s login page with WeChat.'],
    [{ scene: encodeURIComponent('has space') }, 'Open this page by scanning the QR code on a website\'s login page with WeChat.'],
    [{ scene: 'a'.repeat(33) }, 'Open this page by scanning the QR code on a website\'s login page with WeChat.'],
  ])('%j explains itself and calls nobody', async (options, message) => {
    const calls = installWx({ server: tessera() })
    const page = await openPage(PAGE, options)

    expect(text(page, 'message')).toBe(message)
    expect(calls.requests).toHaveLength(0)
    expect(calls.login).toBe(0)
    expect(find(page, 'close')).not.toBeNull()
  })

  test('without a userPoolId in the config', async () => {
    config.userPoolId = ''
    const calls = installWx({ server: tessera() })
    const page = await openPage(PAGE, { scene: SCENE })

    expect(text(page, 'message')).toBe(
      'This mini program is not set up for website login (set userPoolId in app/config.js).',
    )
    expect(calls.requests).toHaveLength(0)
  })
})

describe('language', () => {
  test('speaks Chinese when WeChat does', async () => {
    const calls = installWx({ language: 'zh_CN', server: tessera() })
    const page = await openPage(PAGE, { scene: SCENE })

    expect(calls.titles).toEqual(['网站登录'])
    expect(text(page, 'question')).toBe('要在网站上登录 Acme Shop 吗？')
    expect(button(page, 'confirm').label).toBe('确认登录')

    find(page, 'confirm').dispatchEvent('tap')
    await settle()
    expect(text(page, 'message')).toBe('你已在网站上登录，可以关闭此页面。')
  })
})
