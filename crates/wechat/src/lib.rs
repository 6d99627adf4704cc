//! `tessera-wechat`: everything Tessera says to WeChat will go through this crate (the
//! `jscode2session`, `stable_token` and `getuserphonenumber` client, the legacy phone decryption,
//! the access token cache) together with the simulator that speaks WeChat's HTTP API for tests and
//! `tessera demo`. It holds no code yet: the foundation does not call WeChat.
