// The login page against a live Tessera and the WeChat simulator (TESSERA_URL, WECHAT_SIM_URL,
// TESSERA_ADMIN_PASSWORD; scripts/check-integration starts both and runs this).
module.exports = {
  testEnvironment: 'jsdom',
  testMatch: ['<rootDir>/live/**/*.test.js'],
  testTimeout: 30000,
}
