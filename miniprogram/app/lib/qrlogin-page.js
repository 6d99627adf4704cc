// The QR login's confirm page, `/pages/qrlogin/index`: opened by scanning the mini program code
// that a website's login page shows (see lib/qrlogin.js). Built with `Component`, like the App
// login page, so that it can be tested outside WeChat.
//
// States: `checking` (telling Tessera the code was scanned), `confirm` (asking the user),
// `working`, `done` (the website continues), `expired` (the code expired or was used),
// `cancelled`, `failed` (an error, with "Try again"), `invalid` (not opened from a code, or the
// mini program is not set up).

const config = require('../config.js')
const flow = require('./login.js')
const qr = require('./qrlogin.js')
const { texts, language } = require('./text.js')

/** "Log in to {app} on the website?" with the application's name. */
function question(text, applicationName) {
  return text.qrQuestion.replace('{app}', applicationName)
}

function qrLoginPage() {
  return {
    data: {
      state: 'checking',
      getPhone: false,
      text: texts(''),
      question: '',
      message: '',
      retryable: false,
    },

    methods: {
      onLoad(options) {
        const text = texts(language(wx))
        wx.setNavigationBarTitle({ title: text.qrTitle })
        const parsed = qr.parseScan(options, config)
        if (parsed.problem) {
          this.scan = null
          this.setData({ state: 'invalid', text, message: text[parsed.problem] })
          return undefined
        }
        this.scan = parsed.scan
        this.setData({ text, getPhone: Boolean(config.qrLoginGetPhone) })
        return this.check()
      },

      /** Tells Tessera the code was scanned, and learns which application asks. */
      async check() {
        this.setData({ state: 'checking', message: '', retryable: false })
        const answer = await qr.scanned(wx, config.serverUrl, this.scan)
        if (answer.code !== 200) {
          this.fail(answer, 'checking')
          return
        }
        this.setData({
          state: 'confirm',
          question: question(this.data.text, answer.data.applicationName),
        })
        this.prefetchCode()
      },

      /**
       * Gets a `wx.login` code before the tap: an older base library's encrypted phone payload is
       * encrypted with the session key of the login that precedes it. A failure is retried at
       * the tap.
       */
      prefetchCode() {
        this.code = null
        return flow.wxLogin(wx).then(
          (login) => { this.code = login },
          () => { this.code = null },
        )
      },

      onConfirm() {
        return this.confirmWith(null)
      },

      onPhoneNumber(event) {
        const detail = (event && event.detail) || {}
        if (detail.code || (detail.encryptedData && detail.iv)) return this.confirmWith(detail)
        if (this.data.state !== 'confirm') return undefined
        this.fail({ code: 403, error: 'access_denied', message: this.data.text.qrPhoneDeclined }, 'confirm')
        return undefined
      },

      async confirmWith(phone) {
        if (this.data.state !== 'confirm' || !this.scan) return
        this.setData({ state: 'working', message: '' })
        let login = this.code
        this.code = null // a code is single use: never send it twice
        if (!flow.fresh(login, Date.now())) {
          try {
            login = await flow.wxLogin(wx)
          } catch (err) {
            this.fail({ code: 502, error: 'wechat_unavailable', message: err.message }, 'confirm')
            return
          }
        }
        const body = qr.confirmBody(this.scan.scene, login.code, phone)
        const answer = await qr.confirm(wx, config.serverUrl, this.scan, body)
        if (answer.code === 200) {
          this.setData({ state: 'done', message: this.data.text.qrDone })
        } else {
          this.fail(answer, 'confirm')
        }
      },

      async onCancel() {
        if (this.data.state !== 'confirm' || !this.scan) return
        this.setData({ state: 'working', message: '' })
        const answer = await qr.cancel(wx, config.serverUrl, this.scan)
        if (answer.code === 200 || !qr.expired(answer)) {
          // Whatever else went wrong, the user said no: the code expires unconfirmed.
          this.setData({ state: 'cancelled', message: this.data.text.qrCancelled })
        } else {
          this.fail(answer, 'confirm')
        }
      },

      /**
       * Shows an error of `stage` (`checking` or `confirm`): an expired code cannot be retried,
       * anything else can, from that stage.
       */
      fail(answer, stage) {
        if (qr.expired(answer)) {
          this.setData({ state: 'expired', message: this.data.text.qrExpired, retryable: false })
          return
        }
        this.failedAt = stage
        this.setData({ state: 'failed', message: answer.message, retryable: true })
      },

      /** After an error: back to the question with a new `wx.login` code, or a new check. */
      onRetry() {
        if (this.data.state !== 'failed') return undefined
        if (this.failedAt === 'confirm') {
          this.setData({ state: 'confirm', message: '' })
          return this.prefetchCode()
        }
        return this.check()
      },

      onClose() {
        if (typeof wx.exitMiniProgram === 'function') {
          wx.exitMiniProgram({ fail: () => wx.navigateBack({ fail: () => {} }) })
        } else {
          wx.navigateBack({ fail: () => {} })
        }
      },
    },
  }
}

module.exports = qrLoginPage
