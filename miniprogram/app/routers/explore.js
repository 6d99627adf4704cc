// `/routers/explore`: the same page under the spelling the original's documentation also used.
Component(require('../lib/explore-page.js')())
