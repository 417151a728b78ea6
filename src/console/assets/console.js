// Operator console: sign-in, sign-out, live views over server-sent events, relative times.
// Served as a file (the Content-Security-Policy allows no inline script). The HTML it puts
// into the page comes from the server's views, which escape every value.
(function () {
  'use strict';

  function relative(ms) {
    var s = Math.max(0, Math.round((Date.now() - ms) / 1000));
    if (s < 60) return s + ' s ago';
    if (s < 3600) return Math.floor(s / 60) + ' min ago';
    return Math.floor(s / 3600) + ' h ago';
  }

  function refreshTimes(root) {
    var times = (root || document).querySelectorAll('time[data-at]');
    for (var i = 0; i < times.length; i++) {
      var t = times[i];
      var at = Number(t.getAttribute('data-at'));
      if (!t.hasAttribute('data-clock')) t.setAttribute('data-clock', t.textContent);
      t.textContent = t.getAttribute('data-clock') + ' · ' + relative(at);
    }
  }

  function setLive(state, text) {
    var live = document.getElementById('live');
    if (!live) return;
    live.setAttribute('data-state', state);
    live.textContent = text;
  }

  function postJson(url, body) {
    return fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body || {}),
    });
  }

  function setupLogin() {
    var form = document.getElementById('login-form');
    if (!form) return;
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      var body = {};
      var token = form.elements.namedItem('token');
      var user = form.elements.namedItem('username');
      var password = form.elements.namedItem('password');
      if (token && token.value) body.token = token.value;
      else if (user) {
        body.username = user.value;
        body.password = password ? password.value : '';
      }
      var error = document.getElementById('login-error');
      postJson('/console/login', body).then(function (res) {
        if (res.status === 204) {
          window.location.assign('/console');
          return;
        }
        return res.json().then(function (j) {
          error.textContent = (j && j.message) || 'Sign-in failed';
          error.hidden = false;
        });
      }).catch(function () {
        error.textContent = 'The server could not be reached';
        error.hidden = false;
      });
    });
  }

  function setupLogout() {
    var button = document.getElementById('logout');
    if (!button) return;
    button.addEventListener('click', function () {
      postJson('/console/logout').finally(function () {
        window.location.assign('/console/login');
      });
    });
  }

  var source = null;

  function connect(target, query) {
    if (source) source.close();
    var url = target.getAttribute('data-stream') + (query ? '?q=' + encodeURIComponent(query) : '');
    var event = target.id === 'session-rows' ? 'sessions' : 'timeline';
    setLive('connecting', 'connecting…');
    source = new EventSource(url);
    source.addEventListener('open', function () {
      setLive('live', 'live');
    });
    source.addEventListener(event, function (e) {
      target.innerHTML = e.data;
      target.setAttribute('data-updates', String(Number(target.getAttribute('data-updates') || '0') + 1));
      refreshTimes(target);
    });
    source.addEventListener('error', function () {
      // EventSource retries by itself; CLOSED means it gave up (e.g. the sign-in expired: 401).
      if (source.readyState === EventSource.CLOSED) setLive('closed', 'disconnected — reload to sign in again');
      else setLive('connecting', 'reconnecting…');
    });
  }

  function setupLive() {
    var target = document.querySelector('[data-stream]');
    if (!target) return;
    var input = document.getElementById('q');
    connect(target, input ? input.value : '');
    if (!input) return;
    var timer = null;
    input.addEventListener('input', function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var q = input.value.trim();
        history.replaceState(null, '', q ? '?q=' + encodeURIComponent(q) : window.location.pathname);
        connect(target, q);
      }, 250);
    });
  }

  document.addEventListener('DOMContentLoaded', function () {
    setupLogin();
    setupLogout();
    setupLive();
    refreshTimes();
    setInterval(refreshTimes, 1000);
  });
})();
