// Where this mini program finds Tessera: the server's public URL (`http.public_url`).
// WeChat only lets a mini program call HTTPS hosts on its request domain list (Mini Program admin
// console → Development → Server Domain), so add this host there too.
//
// `userPoolId` and `qrLoginGetPhone` are for the website QR login (pages/qrlogin/index): the user
// pool whose hosted login page shows this mini program's code (the App login gets its pool from
// the launch path instead), and whether confirming asks for the user's phone number.
module.exports = {
  serverUrl: 'https://id.example.com',
  userPoolId: '',
  qrLoginGetPhone: false,
}
