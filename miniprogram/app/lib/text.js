// What the page says, in the user's language: Simplified Chinese when WeChat runs in Chinese,
// English otherwise. What goes back to the App (`extMsg`) stays in English: it is for developers.

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
