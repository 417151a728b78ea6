/*
 * activity-copilot browser snippet, served at /sdk/widget.js. No framework, no build step.
 *
 *   <script src="https://copilot.example.com/sdk/widget.js" async
 *     data-product-id="acme" data-user-id="u_42" data-user-token="<hex HMAC from your backend>"></script>
 *
 * (a) Captures page views, clicks, form submits and SPA route changes (never what is typed),
 *     batched and posted to /v1/browser/events (fetch with keepalive, so a batch survives navigation).
 * (b) Renders a chat that posts to /v1/browser/chat and listens to /v1/browser/events-stream,
 *     showing nudges with their quick replies as buttons.
 * The user token is the only credential here: it proves this one user id and nothing else.
 */
(function () {
  'use strict';
  var script = document.currentScript;
  if (!script || window.ActivityCopilot) return;
  var cfg = script.dataset;
  var endpoint = (cfg.endpoint || new URL(script.src, location.href).origin).replace(/\/+$/, '');
  var userId = cfg.userId;
  var token = cfg.userToken;
  var productId = cfg.productId || 'default';
  if (!userId || !token) return;

  var FLUSH_MS = 1000;
  var MAX_BATCH = 20;
  // Per tab and per user: another user signing in in the same tab starts a session (and conversation) of their own.
  var memory = {};
  var storage = (function () {
    try { return window.sessionStorage; } catch (_) { return null; } // sandboxed frames may refuse storage
  })();
  var store = {
    getItem: function (k) { k += ':' + userId; return storage ? storage.getItem(k) : memory[k] || null; },
    setItem: function (k, v) { k += ':' + userId; if (storage) storage.setItem(k, v); else memory[k] = v; },
  };
  var sessionId = store.getItem('ac_session') || 'bs_' + Math.random().toString(36).slice(2, 12);
  store.setItem('ac_session', sessionId);
  var queue = [];
  var timer = null;

  function nextIndex() {
    var n = Number(store.getItem('ac_index') || '0');
    store.setItem('ac_index', String(n + 1));
    return n;
  }

  function clip(s, n) {
    s = String(s || '').replace(/\s+/g, ' ').trim();
    return s.length > n ? s.slice(0, n - 1) + '…' : s;
  }

  function headers() {
    return { 'Content-Type': 'application/json', 'X-User-Id': userId, 'X-User-Token': token };
  }

  function track(type, title) {
    queue.push({ type: type, title: clip(title, 300), url: location.href.slice(0, 2000), at: Date.now(), index: nextIndex() });
    if (queue.length >= MAX_BATCH) flush();
    else if (!timer) timer = setTimeout(flush, FLUSH_MS);
  }

  function flush() {
    clearTimeout(timer);
    timer = null;
    if (!queue.length) return;
    var body = JSON.stringify({ productId: productId, sessionId: sessionId, actions: queue.splice(0, MAX_BATCH) });
    // keepalive lets the request outlive the page (a link click that navigates away), like sendBeacon,
    // and unlike sendBeacon it can carry the token in a header, so it never sits in a URL.
    fetch(endpoint + '/v1/browser/events', { method: 'POST', headers: headers(), body: body, keepalive: true, credentials: 'omit' }).catch(function () {});
    if (queue.length) flush();
  }

  // Page views, including SPA route changes (history API and hash routes).
  var lastUrl = null;
  function pageview() {
    if (location.href === lastUrl) return;
    lastUrl = location.href;
    track('pageview', 'Viewed ' + (clip(document.title, 120) || location.pathname));
  }
  ['pushState', 'replaceState'].forEach(function (name) {
    var original = history[name];
    history[name] = function () {
      var result = original.apply(this, arguments);
      setTimeout(pageview, 0);
      return result;
    };
  });
  window.addEventListener('popstate', pageview);
  window.addEventListener('hashchange', pageview);

  // The label a person sees: aria-label, then the text, then name/title/value (as the PostHog extraction reads elements).
  function labelOf(el) {
    return clip(el.getAttribute('aria-label') || el.getAttribute('data-ac-label') || el.innerText || el.textContent || el.getAttribute('name') || el.getAttribute('title') || el.value || el.tagName.toLowerCase(), 80);
  }
  var root = null;
  document.addEventListener('click', function (e) {
    var el = e.target && e.target.closest && e.target.closest('a,button,[role=button],input[type=submit],input[type=button],summary,[data-ac-label]');
    if (!el || (root && root.contains(el))) return;
    track('click', "Clicked '" + labelOf(el) + "'");
  }, true);
  document.addEventListener('submit', function (e) {
    var form = e.target;
    if (!form || (root && root.contains(form))) return;
    var button = e.submitter || form.querySelector('[type=submit]');
    // The button a person pressed says what they did ("Save changes"); the form's own name is the fallback.
    var label = (button ? labelOf(button) : '') || form.getAttribute('aria-label') || form.getAttribute('name') || form.id || 'form';
    track('submit', "Submitted '" + clip(label, 80) + "'");
  }, true);
  window.addEventListener('pagehide', flush);
  document.addEventListener('visibilitychange', function () { if (document.visibilityState === 'hidden') flush(); });

  // ---- chat widget (in a shadow root, so the page's CSS and ours never meet) ----
  var css =
    ':host{all:initial;position:fixed;right:20px;bottom:20px;z-index:2147483000;font:14px/1.4 system-ui,sans-serif;color:#1f2937}' +
    'button{font:inherit;cursor:pointer}.w{display:flex;flex-direction:column;align-items:flex-end}' +
    '.fab{background:#4f46e5;color:#fff;border:0;border-radius:24px;padding:10px 18px;box-shadow:0 4px 14px rgba(0,0,0,.2)}' +
    '.panel{display:none;flex-direction:column;width:340px;height:440px;background:#fff;border:1px solid #e5e7eb;border-radius:12px;box-shadow:0 8px 30px rgba(0,0,0,.2);overflow:hidden;margin-bottom:10px}' +
    '.open .panel{display:flex}.head{background:#4f46e5;color:#fff;padding:10px 14px;font-weight:600;display:flex;justify-content:space-between}' +
    '.head button{background:none;border:0;color:#fff;font-size:16px}.log{flex:1;overflow-y:auto;padding:10px;display:flex;flex-direction:column;gap:8px}' +
    '.msg{max-width:85%;padding:8px 11px;border-radius:10px;white-space:pre-wrap;word-wrap:break-word}.user{align-self:flex-end;background:#4f46e5;color:#fff}' +
    '.bot{align-self:flex-start;background:#f3f4f6}.nudge{border-left:3px solid #f59e0b}.quick{display:flex;flex-wrap:wrap;gap:6px;margin-top:6px}' +
    '.quick button{background:#fff;border:1px solid #4f46e5;color:#4f46e5;border-radius:14px;padding:3px 10px}' +
    'form{display:flex;border-top:1px solid #e5e7eb}input{flex:1;border:0;padding:10px;font:inherit;outline:none}form button{border:0;background:none;color:#4f46e5;padding:0 14px;font-weight:600}';
  var host = document.createElement('div');
  host.id = 'activity-copilot';
  var shadow = host.attachShadow({ mode: 'open' });
  shadow.innerHTML =
    '<style>' + css + '</style><div class="w"><div class="panel" role="dialog" aria-label="Chat with the copilot">' +
    '<div class="head"><span>Need a hand?</span><button class="close" aria-label="Close chat">×</button></div>' +
    '<div class="log" aria-live="polite"></div>' +
    '<form><input name="message" autocomplete="off" placeholder="Ask anything…" aria-label="Your message" maxlength="4000"><button type="submit">Send</button></form>' +
    '</div><button class="fab" aria-label="Open chat">Chat</button></div>';
  root = host;
  var w = shadow.querySelector('.w');
  var log = shadow.querySelector('.log');
  var input = shadow.querySelector('input');
  var conversationId = store.getItem('ac_conversation') || undefined;

  function toggle(open) {
    w.classList.toggle('open', open === undefined ? !w.classList.contains('open') : open);
    if (w.classList.contains('open')) input.focus();
  }
  shadow.querySelector('.fab').addEventListener('click', function () { toggle(); });
  shadow.querySelector('.close').addEventListener('click', function () { toggle(false); });

  function say(who, text, extra) {
    var m = document.createElement('div');
    m.className = 'msg ' + who + (extra ? ' ' + extra : '');
    m.textContent = text;
    log.appendChild(m);
    log.scrollTop = log.scrollHeight;
    return m;
  }

  function send(text) {
    text = clip(text, 4000);
    if (!text) return;
    say('user', text);
    var pending = say('bot', '…', 'pending');
    flush();
    fetch(endpoint + '/v1/browser/chat', {
      method: 'POST',
      headers: headers(),
      credentials: 'omit',
      body: JSON.stringify({ message: text, conversationId: conversationId, sessionId: sessionId, productId: productId }),
    })
      .then(function (r) { return r.json().then(function (b) { return { ok: r.ok, body: b }; }); })
      .then(function (r) {
        if (!r.ok) throw new Error(r.body && r.body.message);
        conversationId = r.body.conversationId;
        store.setItem('ac_conversation', conversationId);
        pending.textContent = r.body.reply;
        pending.classList.remove('pending');
      })
      .catch(function () {
        pending.textContent = 'Sorry, I could not reach the assistant. Please try again.';
        pending.classList.remove('pending');
      });
  }
  shadow.querySelector('form').addEventListener('submit', function (e) {
    e.preventDefault();
    var text = input.value;
    input.value = '';
    send(text);
  });

  var seen = {};
  function showNudge(data) {
    if (!data || !data.message || seen[data.nudgeId]) return;
    seen[data.nudgeId] = true;
    // The server recorded the nudge as the assistant's turn of conversation <nudgeId>: answering there continues from it.
    if (typeof data.nudgeId === 'string' && data.channel === 'rest') {
      conversationId = data.nudgeId;
      store.setItem('ac_conversation', conversationId);
    }
    var m = say('bot', data.message, 'nudge');
    var replies = Array.isArray(data.quickReplies) ? data.quickReplies : [];
    if (replies.length) {
      var row = document.createElement('div');
      row.className = 'quick';
      replies.forEach(function (label) {
        var b = document.createElement('button');
        b.type = 'button';
        b.textContent = clip(label, 40);
        b.addEventListener('click', function () { row.remove(); send(label); });
        row.appendChild(b);
      });
      m.appendChild(row);
    }
    toggle(true);
    log.scrollTop = log.scrollHeight;
  }

  if (window.EventSource) {
    var q = '?userId=' + encodeURIComponent(userId) + '&token=' + encodeURIComponent(token);
    var events = new EventSource(endpoint + '/v1/browser/events-stream' + q);
    events.addEventListener('nudge', function (e) {
      try { showNudge(JSON.parse(e.data)); } catch (_) { /* a malformed event is skipped */ }
    });
  }

  function mount() {
    document.body.appendChild(host);
    pageview();
  }
  if (document.body) mount();
  else document.addEventListener('DOMContentLoaded', mount);

  window.ActivityCopilot = { track: track, flush: flush, open: function () { toggle(true); }, send: send };
})();
