// Kepu staff check-in: camera scanning (BarcodeDetector, else jsQR loaded on demand), typed
// codes and walk-ins kept in a localStorage queue and uploaded in batches to
// POST /api/v1/activities/{series}/checkins when the connection allows; a live verified count.
// Without this script the page's forms post one code or one walk-in each.
(function () {
  'use strict';
  var root = document.getElementById('checkin');
  if (!root || !window.fetch || !window.localStorage || !window.JSON) return;
  var api = root.getAttribute('data-api');
  var qkey = 'kepu-checkin-queue-' + root.getAttribute('data-series');
  var csrf = (document.querySelector('#code-form input[name=csrf]') || {}).value || '';
  var $ = function (id) { return document.getElementById(id); };
  var msg = function (k) { return root.getAttribute('data-msg-' + k) || k; };

  function rid() {
    var a = new Uint8Array(16), s = '', abc = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    (window.crypto || window.msCrypto).getRandomValues(a);
    for (var i = 0; i < a.length; i++) s += abc[a[i] & 63];
    return s + Date.now().toString(36);
  }
  var device = localStorage.getItem('kepu-device');
  if (!device) { device = 'web-' + rid().slice(0, 12); localStorage.setItem('kepu-device', device); }

  function load() { try { return JSON.parse(localStorage.getItem(qkey)) || []; } catch (e) { return []; } }
  function save(q) { localStorage.setItem(qkey, JSON.stringify(q)); showQueue(q); }
  function showQueue(q) {
    $('unsynced-n').textContent = String(q.length);
    $('unsynced').hidden = q.length === 0;
  }
  function show(cls, text) {
    var p = $('live');
    p.className = 'checkin-result checkin-' + cls;
    p.textContent = text;
    p.hidden = false;
  }
  function describe(r) {
    var t = r.status === 'new' ? msg('new') : r.status === 'already' ? msg('already') : msg('refused');
    if (r.name) t += ' · ' + r.name;
    if (r.phone) t += ' · ' + r.phone;
    if (r.reason) t += ' — ' + r.reason;
    return t;
  }
  function enqueue(item) {
    item.scanned_at = new Date().toISOString();
    item.device = device;
    var q = load();
    q.push(item);
    save(q);
    show('already', msg('queued'));
    sync();
  }

  var syncing = false, retry = null;
  function sync() {
    if (syncing) return;
    var q = load();
    if (!q.length) return;
    if (navigator.onLine === false) { $('net').textContent = msg('offline'); schedule(); return; }
    // One batch: the oldest items with the same "admit waitlisted" choice, at most 500.
    var admit = !!q[0].admit, n = 0, body = { scans: [], walk_ins: [], admit_waitlisted: admit };
    while (n < q.length && n < 500 && !!q[n].admit === admit) {
      var it = q[n++];
      if (it.kind === 'walkin') body.walk_ins.push({ key: it.key, name: it.name, phone: it.phone, scanned_at: it.scanned_at, device: it.device });
      else body.scans.push({ code: it.code, scanned_at: it.scanned_at, device: it.device });
    }
    syncing = true;
    fetch(api, { method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf }, body: JSON.stringify(body) })
      .then(function (resp) {
        return resp.json().then(function (data) { return { ok: resp.ok, status: resp.status, data: data }; });
      })
      .then(function (r) {
        syncing = false;
        if (!r.ok) {
          // Keep the queue: nothing is lost; a reload (new token, new sign-in) fixes most.
          show('refused', (r.data && r.data.error && r.data.error.message) || ('HTTP ' + r.status));
          schedule();
          return;
        }
        $('net').textContent = '';
        save(load().slice(n)); // items added meanwhile were appended after these n
        var all = r.data.scans.concat(r.data.walk_ins);
        if (all.length) { var last = all[all.length - 1]; show(last.status, describe(last)); }
        $('verified').textContent = String(r.data.verified);
        if (load().length) sync();
      })
      .catch(function () { syncing = false; $('net').textContent = msg('offline'); schedule(); });
  }
  function schedule() { if (!retry) retry = setTimeout(function () { retry = null; sync(); }, 5000); }
  window.addEventListener('online', sync);

  function poll() {
    if (document.hidden || navigator.onLine === false) return;
    fetch(api, { credentials: 'same-origin' }).then(function (r) { return r.ok ? r.json() : null; })
      .then(function (d) { if (d) $('verified').textContent = String(d.verified); }).catch(function () {});
  }
  setInterval(poll, 5000);

  $('code-form').addEventListener('submit', function (e) {
    var code = $('code').value.trim();
    if (!code) return;
    e.preventDefault();
    enqueue({ kind: 'scan', code: code, admit: $('admit').checked });
    $('code').value = '';
    $('code').focus();
  });
  $('walkin-form').addEventListener('submit', function (e) {
    var f = e.target, name = f.elements.name.value.trim();
    if (!name) return;
    e.preventDefault();
    enqueue({ kind: 'walkin', key: rid(), name: name, phone: f.elements.phone.value.trim() });
    f.reset();
  });

  // Camera scanning.
  var video = $('video'), stream = null, last = '', lastAt = 0, detector = null, canvas = null;
  function found(code) {
    var now = Date.now();
    if (code === last && now - lastAt < 3000) return; // the same ticket still in view
    last = code; lastAt = now;
    if (navigator.vibrate) navigator.vibrate(80);
    enqueue({ kind: 'scan', code: code, admit: $('admit').checked });
  }
  function tick() {
    if (!stream) return;
    if (video.readyState >= 2) {
      if (detector) {
        detector.detect(video).then(function (codes) { if (codes.length) found(codes[0].rawValue); }).catch(function () {});
      } else if (window.jsQR) {
        var w = video.videoWidth, h = video.videoHeight, s = Math.min(1, 640 / Math.max(w, h));
        canvas = canvas || document.createElement('canvas');
        canvas.width = Math.round(w * s); canvas.height = Math.round(h * s);
        var ctx = canvas.getContext('2d');
        ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
        var img = ctx.getImageData(0, 0, canvas.width, canvas.height);
        var c = window.jsQR(img.data, img.width, img.height, { inversionAttempts: 'dontInvert' });
        if (c && c.data) found(c.data);
      }
    }
    setTimeout(tick, 200);
  }
  function loadJsQR() {
    return new Promise(function (ok, fail) {
      if (window.jsQR) return ok();
      var s = document.createElement('script');
      s.src = root.getAttribute('data-jsqr');
      s.onload = ok; s.onerror = fail;
      document.head.appendChild(s);
    });
  }
  function start() {
    var ready = Promise.resolve();
    if ('BarcodeDetector' in window) {
      ready = window.BarcodeDetector.getSupportedFormats().then(function (f) {
        if (f.indexOf('qr_code') >= 0) detector = new window.BarcodeDetector({ formats: ['qr_code'] });
        else return loadJsQR();
      });
    } else {
      ready = loadJsQR();
    }
    ready.then(function () {
      return navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false });
    }).then(function (s) {
      stream = s;
      video.srcObject = s;
      video.play();
      $('camera').hidden = false;
      $('camera-start').hidden = true;
      tick();
    }).catch(function (err) { show('refused', String(err && err.message || err)); });
  }
  function stop() {
    if (stream) stream.getTracks().forEach(function (t) { t.stop(); });
    stream = null;
    $('camera').hidden = true;
    $('camera-start').hidden = false;
  }
  if (navigator.mediaDevices && navigator.mediaDevices.getUserMedia) {
    $('camera-start').hidden = false;
    $('camera-start').addEventListener('click', start);
    $('camera-stop').addEventListener('click', stop);
  }
  showQueue(load());
  sync();
})();
