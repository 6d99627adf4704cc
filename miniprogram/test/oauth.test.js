// The mini program's own login: the token request it sends and what it makes of the answers.

const { installWx } = require('./harness.js')
const { signIn, tokenRequest, TOKEN_EXCHANGE, WXAPP_CODE } = require('../app/lib/oauth.js')

const options = { userPoolId: 'acme', clientId: '0123456789abcdef01234567', scope: 'openid offline_access' }
const parse = (body) => Object.fromEntries(new URLSearchParams(body))

test('the code goes to the pool token endpoint as a form-encoded token exchange', async () => {
  const calls = installWx({ server: () => ({ status: 200, body: { access_token: 'at', id_token: 'it', expires_in: 3600 } }) })
  const result = await signIn(wx, 'https://id.example.com/', { ...options, phoneCode: 'p c' })
  expect(result).toEqual({ tokens: { access_token: 'at', id_token: 'it', expires_in: 3600 } })
  expect(calls.login).toBe(1)
  const [request] = calls.requests
  expect(request.url).toBe('https://id.example.com/userpools/acme/oauth/token')
  expect(request.method).toBe('POST')
  expect(request.header['content-type']).toBe('application/x-www-form-urlencoded')
  expect(parse(request.data)).toEqual({
    grant_type: TOKEN_EXCHANGE,
    client_id: options.clientId,
    subject_token: 'code-1',
    subject_token_type: WXAPP_CODE,
    scope: 'openid offline_access',
    phone_code: 'p c',
  })
})

test('OAuth errors, network failures and wx.login failures come back as errors, never thrown', async () => {
  installWx({ server: () => ({ status: 403, body: { error: 'invalid_grant', error_description: 'sign-up is disabled in this user pool' } }) })
  expect(await signIn(wx, 'https://id.example.com', options)).toEqual({
    status: 403, error: 'invalid_grant', description: 'sign-up is disabled in this user pool',
  })
  installWx({})
  const offline = await signIn(wx, 'https://id.example.com', options)
  expect([offline.status, offline.error]).toEqual([503, 'network_error'])
  const calls = installWx({ loginFails: true })
  const noCode = await signIn(wx, 'https://id.example.com', options)
  expect([noCode.status, noCode.error]).toEqual([502, 'wechat_unavailable'])
  expect(calls.requests).toHaveLength(0)
})

test('bad options name the option and send nothing', async () => {
  expect(tokenRequest('c', { clientId: 'x' }).error).toMatch(/^userPoolId:/)
  expect(tokenRequest('c', { userPoolId: 'acme' }).error).toMatch(/^clientId:/)
  expect(tokenRequest('c', { ...options, connection: 'not-an-id' }).error).toMatch(/^connection:/)
  expect(parse(tokenRequest('c', { ...options, connection: 'abcdefabcdefabcdefabcdef' }).body).connection)
    .toBe('abcdefabcdefabcdefabcdef')
  const calls = installWx({ server: () => ({ status: 200, body: {} }) })
  const refused = await signIn(wx, 'https://id.example.com', { clientId: 'x', userPoolId: 'bad pool' })
  expect(refused.error).toBe('invalid_request')
  expect(calls.requests).toHaveLength(0)
})
