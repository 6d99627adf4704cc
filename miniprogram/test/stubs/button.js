// Stands in for WeChat's built-in <button> so that tests can read the attributes WeChat acts on
// (open-type, app-parameter), which the simulator's generic button drops.
Component({
  properties: {
    type: String,
    openType: String,
    appParameter: String,
  },
})
