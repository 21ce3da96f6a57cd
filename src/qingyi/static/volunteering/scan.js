/* The check-in scan page: post the scan at once; when the network fails, keep it on the
 * phone (localStorage) with its original time and client id, and send it when the network
 * returns. The server (core.checkin) accepts each client id once, so a scan sent twice
 * counts once. Served from the project's own static files (no CDN). */
(function () {
  "use strict";
  var root = document.getElementById("scan");
  if (!root) return;
  var KEY = "qingyi-pending-scans";
  var result = document.getElementById("scan-result");
  var pendingBox = document.getElementById("scan-pending");

  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return "s-" + Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 12);
  }
  function load() {
    try { return JSON.parse(localStorage.getItem(KEY) || "[]"); } catch (e) { return []; }
  }
  function save(list) {
    try { localStorage.setItem(KEY, JSON.stringify(list)); } catch (e) { /* storage full or off */ }
  }
  function show(text, kind) {
    result.textContent = text;
    result.className = "alert fs-5 alert-" + kind;
  }
  function showPending() {
    var n = load().length;
    pendingBox.textContent = n ? root.dataset.msgPending + " " + n : "";
  }
  function post(scan) {
    var body = new URLSearchParams({ code: scan.code, client_id: scan.client_id, scanned_at: scan.scanned_at });
    return fetch(scan.url, {
      method: "POST",
      headers: { "X-CSRFToken": root.dataset.csrf, "Content-Type": "application/x-www-form-urlencoded" },
      credentials: "same-origin",
      body: body.toString(),
    }).then(function (response) {
      // Any answer from the server settles the scan (accepted or refused); only a network failure keeps it.
      return response.json().catch(function () { return { ok: false, message: response.statusText }; });
    });
  }
  function flush() {
    var list = load();
    if (!list.length || !navigator.onLine) { showPending(); return; }
    var scan = list[0];
    post(scan).then(function (data) {
      save(load().filter(function (s) { return s.client_id !== scan.client_id; }));
      if (scan.url === root.dataset.url && scan.code === root.dataset.code) {
        show(data.message, data.ok ? "success" : "danger");
      } else {
        pendingBox.textContent = root.dataset.msgSent + " " + data.message;
      }
      flush();
    }).catch(showPending);
  }

  var code = root.dataset.code;
  if (!code) {
    show(root.dataset.msgNoscan, "secondary");
  } else {
    // The same code opened twice (a reload) reuses its id: the server answers with the first outcome.
    var doneKey = "qingyi-scan:" + root.dataset.subject + ":" + code;
    var clientId = sessionStorage.getItem(doneKey) || newId();
    sessionStorage.setItem(doneKey, clientId);
    var scan = { url: root.dataset.url, code: code, client_id: clientId, scanned_at: new Date().toISOString() };
    show(root.dataset.msgSending, "secondary");
    post(scan).then(function (data) {
      show(data.message, data.ok ? "success" : "danger");
    }).catch(function () {
      var list = load().filter(function (s) { return s.client_id !== scan.client_id; });
      list.push(scan);
      save(list);
      show(root.dataset.msgOffline, "warning");
      showPending();
    });
  }
  window.addEventListener("online", flush);
  setTimeout(flush, 1500);
})();
