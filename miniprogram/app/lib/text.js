// What the pages say, in the user's language: Simplified Chinese when WeChat runs in Chinese,
// English otherwise. What goes back to the App (`extMsg`) stays in English: it is for developers.
// The `qr…` texts are the website QR login's confirm page (pages/qrlogin/index).

const TEXT = {
  zh: {
    title: '登录',
    hint: '登录后将返回 App。',
    hintPhone: 'App 需要你的手机号来完成登录，登录后将返回 App。',
    login: '微信一键登录',
    loginPhone: '使用微信手机号登录',
    cancel: '取消并返回 App',
    working: '正在登录…',
    done: '登录成功，请返回 App。',
    back: '返回 App',
    retry: '重试',
    elsewhere: '此页面用于登录 App：请从 App 中打开它，登录后才能返回 App。',
    launchFailed: '无法返回 App：',
    qrTitle: '网站登录',
    qrChecking: '正在确认二维码…',
    qrQuestion: '要在网站上登录 {app} 吗？',
    qrHint: '请确认是你本人在网站上扫描了这个二维码。',
    qrHintPhone: '请确认是你本人在网站上扫描了这个二维码。网站需要你的手机号来完成登录。',
    qrConfirm: '确认登录',
    qrConfirmPhone: '使用微信手机号确认登录',
    qrCancel: '取消',
    qrWorking: '请稍候…',
    qrDone: '你已在网站上登录，可以关闭此页面。',
    qrExpired: '二维码已过期或已被使用。请在网站上获取新的二维码后重新扫码。',
    qrCancelled: '已取消登录，可以关闭此页面。',
    qrPhoneDeclined: '网站需要你的手机号才能完成登录。',
    qrRetry: '重试',
    qrClose: '关闭',
    noScene: '请在网站的登录页面上用微信扫描二维码来打开此页面。',
    notConfigured: '此小程序尚未配置网站登录（请在 app/config.js 中设置 userPoolId）。',
  },
  en: {
    title: 'Log in',
    hint: 'You will return to the App after logging in.',
    hintPhone: 'The App needs your phone number to log you in. You will return to the App afterwards.',
    login: 'Log in with WeChat',
    loginPhone: 'Log in with my WeChat phone number',
    cancel: 'Cancel and return to the App',
    working: 'Logging in…',
    done: 'You are logged in. Return to the App to continue.',
    back: 'Return to the App',
    retry: 'Try again',
    elsewhere: 'This page logs you in to an App. Open it from that App: only then can it take you back there.',
    launchFailed: 'Could not return to the App: ',
    qrTitle: 'Website login',
    qrChecking: 'Checking the QR code…',
    qrQuestion: 'Log in to {app} on the website?',
    qrHint: 'Confirm only if you scanned this QR code yourself, on the website you are using.',
    qrHintPhone: 'Confirm only if you scanned this QR code yourself, on the website you are using. The website needs your phone number to log you in.',
    qrConfirm: 'Confirm',
    qrConfirmPhone: 'Confirm with my WeChat phone number',
    qrCancel: 'Cancel',
    qrWorking: 'One moment…',
    qrDone: 'You are logged in on the website; you can close this.',
    qrExpired: 'This QR code has expired or was already used. Get a new one on the website and scan it again.',
    qrCancelled: 'Login cancelled; you can close this.',
    qrPhoneDeclined: 'The website needs your phone number to log you in.',
    qrRetry: 'Try again',
    qrClose: 'Close',
    noScene: 'Open this page by scanning the QR code on a website\'s login page with WeChat.',
    notConfigured: 'This mini program is not set up for website login (set userPoolId in app/config.js).',
  },
}

/** The texts for WeChat's language (`zh_CN`, `zh_TW`, `en`, …). */
function texts(language) {
  return String(language || '').toLowerCase().startsWith('zh') ? TEXT.zh : TEXT.en
}

/** WeChat's language, from whichever API this base library has. */
function language(wx) {
  try {
    if (typeof wx.getAppBaseInfo === 'function') return wx.getAppBaseInfo().language
    return wx.getSystemInfoSync().language
  } catch (_) {
    return ''
  }
}

module.exports = { TEXT, texts, language }
