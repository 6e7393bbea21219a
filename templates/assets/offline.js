/* Lintas offline reading (docs/offline.md): registers the service worker after the page has loaded,
 * asks it to keep this language's essentials, and drives the "Keep for offline reading" control.
 * Without service workers (or from file://) it does nothing and the page is as it was. */
(function () {
  "use strict";
  var sw = navigator.serviceWorker, me = document.currentScript;
  if (!sw || !me || !/^https?:$/.test(location.protocol) || typeof BroadcastChannel !== "function") { return; }
  var root = new URL("../", me.src), lang = document.documentElement.lang === "en" ? "en" : "id";
  var box = document.querySelector(".lintas-keep");
  function send(msg) { sw.ready.then(function (reg) { msg.lang = lang; reg.active.postMessage(msg); }); }
  function date(iso) {
    return new Date(iso).toLocaleDateString(lang === "en" ? "en-GB" : "id-ID", { day: "numeric", month: "long", year: "numeric" });
  }
  if (box) {
    var bar = box.querySelector("progress"), out = box.querySelector("output"), t = box.dataset;
    box.querySelector("button").addEventListener("click", function () { send({ type: "keep" }); });
    new BroadcastChannel("lintas-offline").onmessage = function (e) {
      var m = e.data;
      if (m.lang !== lang) { return; }
      bar.hidden = !!m.saved || m.failed || !m.total;
      if (m.total) { bar.max = m.total; bar.value = m.done; }
      out.textContent = m.failed ? t.failed : m.saved ? t.saved.replace("{date}", date(m.saved))
        : m.total ? t.progress.replace("{done}", m.done).replace("{total}", m.total) : t.none;
    };
    box.hidden = false;
  }
  addEventListener("load", function () {
    sw.register(new URL("sw.js", root).href, { scope: root.pathname }).then(function () {
      send({ type: "keep", auto: "missing" });
      if (box) { send({ type: "status" }); }
    }, function () { if (box) { box.hidden = true; } });
  });
  /* Back online: look for a newer build (a new worker keeps its pages again). */
  addEventListener("online", function () { sw.ready.then(function (reg) { reg.update(); }); });
})();
