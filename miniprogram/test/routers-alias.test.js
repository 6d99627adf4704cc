// In a file of its own: miniprogram-simulate registers a page's components once per test file.
const { installWx, openPage, settle, find, button } = require('./harness.js')

const POOL = '5e4cdd055df3df65dc58b97d'
const SERVER_EXT = 'code=200&message=ok&ticket=T1cket_-x'
const issuing = () => ({
  status: 200,
  body: { code: 200, message: 'ok', ticket: 'T1cket_-x', expiresIn: 120, extMsg: SERVER_EXT },
})

describe('/routers/explore, the spelling the original\'s documentation also used', () => {
  test('is the same page', async () => {
    const calls = installWx({ server: issuing })
    const page = await openPage('routers/explore', { userPoolId: POOL, getPhone: '0' })

    find(page, 'login').dispatchEvent('tap')
    await settle()

    expect(calls.requests).toHaveLength(1)
    expect(button(page, 'return').appParameter).toBe(SERVER_EXT)
  })
})
