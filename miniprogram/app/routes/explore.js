// `/routes/explore`: the path Apps launch (see lib/explore-page.js).
Component(require('../lib/explore-page.js')())
