// `/pages/qrlogin/index`: the page a website's mini program code opens (see lib/qrlogin-page.js).
Component(require('../../lib/qrlogin-page.js')())
