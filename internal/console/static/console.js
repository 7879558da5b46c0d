// amplifylite console: keeps a page's live region current. The server
// renders every page; when the control plane's event stream reports a
// change this page shows, the script fetches the page's live region again
// (rendered and escaped by the server) and puts it in place.
(function () {
  "use strict";
  var live = document.getElementById("live");
  var state = document.getElementById("live-state");
  if (!live || !live.dataset.live || !window.EventSource) return;
  var base = "/_amplifylite/console/";
  var timer = null, busy = false, again = false;

  function refresh() {
    if (busy) { again = true; return; }
    busy = true;
    fetch(location.href, { headers: { "X-Console-Fragment": "live" }, credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (html !== null && !live.contains(document.activeElement)) live.innerHTML = html;
        else if (html !== null) again = true; // do not pull a form from under the user
      })
      .catch(function () {})
      .then(function () {
        busy = false;
        if (again) { again = false; schedule(600); }
      });
  }

  function schedule(ms) {
    if (timer) return;
    timer = setTimeout(function () { timer = null; refresh(); }, ms || 150);
  }

  var es = new EventSource(base + "events?types=" + encodeURIComponent(live.dataset.live));
  live.dataset.live.split(",").forEach(function (t) { es.addEventListener(t, function () { schedule(); }); });
  es.addEventListener("dropped", function () { schedule(); });
  es.onopen = function () { if (state) { state.className = "live on"; state.textContent = "live"; } schedule(); };
  es.onerror = function () { if (state) { state.className = "live off"; state.textContent = "reconnecting"; } };
  window.addEventListener("pagehide", function () { es.close(); });
})();
