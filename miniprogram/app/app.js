// The login mini program of Tessera's "App launches mini program" flow. Everything happens on the
// page at /routes/explore; see ../README.md.
App({})
