// The hosted login page's script (plain ES2017, no build step). Every text is on the page,
// rendered by the server in the reader's language: this script only fetches the QR code, polls
// its state, and shows the element of the current state (the `data-state` children of #status).
//
//   POST {base}/login/wxapp-qrcode         {interaction, connection} -> {scene, image, expiresIn}
//   POST {base}/login/wxapp-qrcode/status  {interaction, scene} -> {status[, redirectTo]}
//
// Errors answer {code, error, message}; 410 means the whole authorization request expired.
(function () {
  'use strict'

  var POLL_MS = 1500
  var BACKOFF_MAX_MS = 30000
  var HIDDEN_PAUSE_MS = 60000
  var WITH_IMAGE = ['pending', 'scanned', 'confirmed', 'offline']
  var WITH_RENEW = ['cancelled', 'expired', 'failed']

  var root = document.getElementById('login')
  var image = document.getElementById('qr-image')
  // Without a mini program among the page's methods there is no code to show.
  if (!root || !image) return
  var base = root.getAttribute('data-base') || ''
  var interaction = root.getAttribute('data-interaction') || ''
  var connection = root.getAttribute('data-connection') || null
  var status = document.getElementById('status')
  var renew = document.getElementById('renew')

  // Each QR code is one generation: answers about an older one are ignored.
  var generation = 0
  var scene = null
  var expiresAt = 0
  var timer = null
  var expiryTimer = null
  var failures = 0
  var hiddenSince = document.hidden ? Date.now() : null
  var paused = null // the step to resume when the tab is visible again

  function show(state) {
    root.setAttribute('data-state', state)
    var items = status.querySelectorAll('[data-state]')
    for (var i = 0; i < items.length; i += 1) {
      items[i].hidden = items[i].getAttribute('data-state') !== state
    }
    image.hidden = !(scene && WITH_IMAGE.indexOf(state) >= 0)
    renew.hidden = WITH_RENEW.indexOf(state) < 0
  }

  function clearTimers() {
    clearTimeout(timer)
    clearTimeout(expiryTimer)
    timer = null
    expiryTimer = null
    paused = null
  }

  /** Ends the current code: nothing scheduled for it runs, no answer about it counts. */
  function stop() {
    generation += 1
    clearTimers()
    scene = null
    image.removeAttribute('src')
  }

  function hiddenTooLong() {
    return document.hidden && hiddenSince !== null && Date.now() - hiddenSince >= HIDDEN_PAUSE_MS
  }

  /** Runs `step(mine)` after `delay`, unless the code changed or the tab has been hidden long. */
  function schedule(mine, step, delay) {
    clearTimeout(timer)
    timer = setTimeout(function () {
      timer = null
      if (mine !== generation) return
      if (hiddenTooLong()) {
        paused = step
        return
      }
      step(mine)
    }, delay)
  }

  /** A same-origin JSON POST; resolves with the status and the parsed body (or {}). */
  function post(path, body) {
    return fetch(base + path, {
      method: 'POST',
      credentials: 'same-origin',
      cache: 'no-store',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify(body),
    }).then(function (response) {
      return response.json().then(
        function (data) { return data },
        function () { return null }
      ).then(function (data) {
        return {
          ok: response.ok && data !== null && typeof data === 'object',
          status: response.status,
          data: data || {},
          retryAfter: Number(response.headers.get('Retry-After')) || 0,
        }
      })
    })
  }

  /** The server cannot be reached or is busy: say so and try `step` again, later each time. */
  function retryLater(mine, step, retryAfterSeconds) {
    if (mine !== generation) return
    failures += 1
    var delay = Math.min(BACKOFF_MAX_MS, POLL_MS * Math.pow(2, failures - 1))
    delay = Math.max(delay, (retryAfterSeconds || 0) * 1000)
    delay = Math.round(delay * (0.8 + Math.random() * 0.4))
    show('offline')
    schedule(mine, step, delay)
  }

  /** An error answer: 410 ends the sign-in; busy or failing servers are retried; the rest fail. */
  function refused(mine, answer, step) {
    if (mine !== generation) return
    if (answer.status === 410) {
      stop()
      show('login_expired')
    } else if (answer.status === 408 || answer.status === 429 || answer.status >= 500) {
      retryLater(mine, step, answer.retryAfter)
    } else {
      stop()
      show('failed')
    }
  }

  function newCode() {
    stop()
    failures = 0
    show('loading')
    fetchCode(generation)
  }

  function fetchCode(mine) {
    post('/login/wxapp-qrcode', { interaction: interaction, connection: connection }).then(function (answer) {
      if (mine !== generation) return
      var data = answer.data
      if (!answer.ok) return refused(mine, answer, fetchCode)
      if (typeof data.scene !== 'string' || typeof data.image !== 'string' ||
          data.image.indexOf('data:image/') !== 0) {
        stop()
        return show('failed')
      }
      failures = 0
      scene = data.scene
      var seconds = Number(data.expiresIn) > 0 ? Number(data.expiresIn) : 60
      expiresAt = Date.now() + seconds * 1000
      expiryTimer = setTimeout(function () { lastCheck(mine) }, seconds * 1000)
      image.src = data.image
      show('pending')
      schedule(mine, poll, POLL_MS)
    }, function () {
      retryLater(mine, fetchCode)
    })
  }

  /** The code's lifetime is over: one last look (it may have been confirmed just now). */
  function lastCheck(mine) {
    if (mine !== generation) return
    clearTimeout(timer)
    paused = null
    poll(mine, true)
  }

  function expire() {
    stop()
    show('expired')
  }

  function poll(mine, last) {
    var asked = { interaction: interaction, scene: scene }
    post('/login/wxapp-qrcode/status', asked).then(function (answer) {
      if (mine !== generation) return
      if (!answer.ok) {
        if (last && answer.status !== 410) return expire()
        return refused(mine, answer, poll)
      }
      failures = 0
      var state = answer.data.status
      if (state === 'confirmed') return proceed(answer.data.redirectTo)
      if (state === 'cancelled') {
        stop()
        return show('cancelled')
      }
      if (state === 'expired' || last || Date.now() >= expiresAt) return expire()
      if (state === 'pending' || state === 'scanned') {
        show(state)
        return schedule(mine, poll, POLL_MS)
      }
      stop()
      show('failed')
    }, function () {
      if (mine !== generation) return
      if (last) return expire()
      retryLater(mine, poll)
    })
  }

  /** Confirmed: on to the application (never to a script URL). */
  function proceed(redirectTo) {
    var target = null
    try {
      target = new URL(String(redirectTo), window.location.href)
    } catch (e) {
      target = null
    }
    stop()
    if (!target || /^(javascript|data|vbscript|blob):$/i.test(target.protocol)) {
      return show('failed')
    }
    show('confirmed')
    window.location.assign(target.href)
  }

  document.addEventListener('visibilitychange', function () {
    if (document.hidden) {
      hiddenSince = Date.now()
      return
    }
    hiddenSince = null
    if (paused) {
      var step = paused
      paused = null
      if (scene && Date.now() >= expiresAt) return lastCheck(generation)
      step(generation)
    }
  })

  renew.addEventListener('click', function () {
    newCode()
    status.focus()
  })

  newCode()
})()
