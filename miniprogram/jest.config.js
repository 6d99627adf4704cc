// Unit tests of the mini program: its pages rendered by miniprogram-simulate (WeChat's own
// WXML compiler, a DOM from jsdom) with `wx` replaced by test doubles.
module.exports = {
  testEnvironment: 'jsdom',
  testMatch: ['<rootDir>/test/**/*.test.js'],
}
