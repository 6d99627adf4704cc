// Where this mini program finds Tessera: the server's public URL (`http.public_url`).
// WeChat only lets a mini program call HTTPS hosts on its request domain list (Mini Program admin
// console → Development → Server Domain), so add this host there too.
module.exports = {
  serverUrl: 'https://id.example.com',
}
