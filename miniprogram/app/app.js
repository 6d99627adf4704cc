// The login mini program of Tessera: the "App launches mini program" flow happens on the page at
// /routes/explore, the website QR login's confirmation on /pages/qrlogin/index; see ../README.md.
App({})
