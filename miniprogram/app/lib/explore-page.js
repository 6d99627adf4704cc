// The login page, served at `/routes/explore` (the original's path) and at `/routers/explore`
// (the spelling its documentation also used). Built with `Component` so that it can be tested
// outside WeChat; its lifecycle methods live in `methods`, as WeChat requires for such pages.
//
// States: `invalid` (the launch path is wrong), `elsewhere` (not opened from an App: nothing to
// return to), `ready`, `working`, `done` (a ticket is ready for the App), `failed`.

const config = require('../config.js')
const flow = require('./login.js')
const { texts, language } = require('./text.js')

function explorePage() {
  return {
    data: {
      state: 'ready',
      canReturn: false,
      getPhone: false,
      text: texts(''),
      message: '',
      extMsg: '',
      cancelMsg: flow.extMsg(flow.cancelled('The user cancelled the login.')),
      launchError: '',
    },

    methods: {
      onLoad(query) {
        const text = texts(language(wx))
        const canReturn = flow.openedFromApp(wx)
        wx.setNavigationBarTitle({ title: text.title })
        const parsed = flow.parseLaunch(query)
        if (parsed.error) {
          this.launch = null
          this.setData({
            state: 'invalid',
            canReturn,
            text,
            message: parsed.error,
            extMsg: flow.extMsg({ code: 400, error: 'invalid_request', message: parsed.error }),
          })
          return
        }
        this.launch = parsed.launch
        this.setData({
          state: canReturn ? 'ready' : 'elsewhere',
          canReturn,
          getPhone: parsed.launch.getPhone,
          text,
        })
        if (canReturn) this.prefetchCode()
      },

      /**
       * Gets a `wx.login` code before the tap: a legacy phone payload is encrypted with the session
       * key of the login that precedes it, and the tap answers sooner. A failure here is retried
       * at the tap.
       */
      prefetchCode() {
        this.code = null
        return flow.wxLogin(wx).then(
          (login) => { this.code = login },
          () => { this.code = null },
        )
      },

      onLogin() {
        return this.signIn(null)
      },

      onPhoneNumber(event) {
        const detail = (event && event.detail) || {}
        if (detail.code || (detail.encryptedData && detail.iv)) return this.signIn(detail)
        const reason = detail.errMsg ? ` (${detail.errMsg})` : ''
        return this.fail(flow.cancelled(`The user did not share the phone number${reason}.`))
      },

      async signIn(phone) {
        if (this.data.state !== 'ready' || !this.launch) return
        this.setData({ state: 'working', launchError: '' })
        let login = this.code
        this.code = null // a code is single use: never send it twice
        if (!flow.fresh(login, Date.now())) {
          try {
            login = await flow.wxLogin(wx)
          } catch (err) {
            this.fail({ code: 502, error: 'wechat_unavailable', message: err.message })
            return
          }
        }
        const body = flow.loginBody(this.launch, login.code, phone)
        const answer = await flow.login(wx, config.serverUrl, this.launch, body)
        if (answer.code === 200) {
          this.setData({ state: 'done', message: this.data.text.done, extMsg: answer.extMsg })
        } else {
          this.fail(answer)
        }
      },

      fail(answer) {
        this.setData({
          state: 'failed',
          message: answer.message,
          extMsg: flow.extMsg({ code: answer.code, error: answer.error, message: answer.message }),
        })
      },

      onRetry() {
        if (this.data.state !== 'failed') return undefined
        this.setData({ state: 'ready', message: '', extMsg: '', launchError: '' })
        return this.prefetchCode()
      },

      onLaunchAppError(event) {
        const reason = (event && event.detail && event.detail.errMsg) || 'unknown error'
        this.setData({ launchError: this.data.text.launchFailed + reason })
      },
    },
  }
}

module.exports = explorePage
