/* Lintas service worker (docs/offline.md, decision 0009). Our own, no library.
 *
 * Keeps, per language, the essentials the build lists below (pages and the files they load) in a
 * cache named after the build's content hash; other pages are kept as they are visited. Pages come
 * from the network first (so an online reader always gets the current build) and from the cache
 * when the network fails or is too slow; a page served from the cache says when it was saved, and
 * that it may be out of date when a notice on it has ended since or it is older than the limit.
 * A new build is a new worker: it fetches the essentials of the languages kept before, then the
 * old caches are deleted. The build fills in LINTAS below; nothing else is generated. */
"use strict";
var LINTAS = /*LINTAS_CONFIG*/;
var PREFIX = "lintas-";
var VISITED = PREFIX + LINTAS.version + "-visited";
var SCOPE = self.registration.scope;  /* ends with '/' */
var STATE = "offline-state.json";  /* per language cache: when its essentials were saved */
var channel = typeof BroadcastChannel === "function" ? new BroadcastChannel("lintas-offline") : null;
var running = {};

function langOf(url) { return url.slice(SCOPE.length).indexOf("en/") === 0 ? "en" : "id"; }
function cacheName(lang) { return PREFIX + LINTAS.version + "-" + lang; }
function post(msg) { if (channel) { channel.postMessage(msg); } }
function today() { return new Date().toISOString().slice(0, 10); }

/* A copy of a response with the time it was saved, as a header the cache keeps. */
function stamped(response, when) {
  return response.clone().blob().then(function (body) {
    var headers = new Headers(response.headers);
    headers.set("x-lintas-saved", when || new Date().toISOString());
    return new Response(body, { status: response.status, statusText: response.statusText, headers: headers });
  });
}

function state(lang) {
  return caches.open(cacheName(lang)).then(function (cache) {
    return cache.match(SCOPE + STATE);
  }).then(function (r) { return r ? r.json() : null; });
}

/* Fetch every essential of `lang` into its cache (4 at a time), reporting progress. */
function keep(lang) {
  if (running[lang]) { return running[lang]; }
  var list = LINTAS.essentials[lang] || [];
  var done = 0;
  var job = caches.open(cacheName(lang)).then(function (cache) {
    var queue = list.slice();
    function next() {
      var path = queue.shift();
      if (path === undefined) { return Promise.resolve(); }
      return fetch(new Request(SCOPE + path, { cache: "no-cache", credentials: "same-origin" })).then(function (r) {
        if (!r.ok) { throw new Error(r.status + " " + path); }
        return stamped(r).then(function (copy) { return cache.put(SCOPE + path, copy); });
      }).then(function () {
        done += 1;
        post({ lang: lang, done: done, total: list.length });
        return next();
      });
    }
    return Promise.all([next(), next(), next(), next()]).then(function () {
      var saved = { saved: new Date().toISOString(), version: LINTAS.version, pages: list.length };
      post({ lang: lang, done: done, total: list.length, saved: saved.saved });
      return cache.put(SCOPE + STATE, new Response(JSON.stringify(saved), { headers: { "content-type": "application/json" } }));
    });
  });
  running[lang] = job;
  return job.then(function () { delete running[lang]; }, function (err) {
    delete running[lang];
    post({ lang: lang, failed: true });
    throw err;
  });
}

self.addEventListener("install", function (event) {
  /* A new build: keep again the languages an earlier build kept, before taking over (if that
   * fails the old worker and its caches stay); pages kept as visited are fetched again too. */
  self.skipWaiting();  /* take over as soon as installed: caches are per build, pages network first */
  event.waitUntil(caches.keys().then(function (names) {
    var langs = {}, visited = [];
    names.forEach(function (name) {
      var m = /^lintas-[0-9a-f]+-(\w+)$/.exec(name);
      if (!m || name.indexOf(LINTAS.version) >= 0) { return; }
      if (m[1] === "visited") { visited.push(name); } else if (LINTAS.essentials[m[1]]) { langs[m[1]] = true; }
    });
    return Promise.all(Object.keys(langs).map(keep)).then(function () {
      return Promise.all(visited.map(function (name) {
        return caches.open(name).then(function (c) { return c.keys(); }).then(function (requests) {
          return caches.open(VISITED).then(function (cache) {
            return Promise.all(requests.map(function (req) {
              return fetch(req.url, { cache: "no-cache" }).then(function (r) {
                return r.ok ? stamped(r).then(function (copy) { return cache.put(req.url, copy); }) : null;
              }).catch(function () { return null; });
            }));
          });
        });
      }));
    });
  }));
});

self.addEventListener("activate", function (event) {
  var mine = [VISITED].concat(Object.keys(LINTAS.essentials).map(cacheName));
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (n) { return n.indexOf(PREFIX) === 0 && mine.indexOf(n) < 0; })
      .map(function (n) { return caches.delete(n); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("message", function (event) {
  var msg = event.data || {};
  var lang = LINTAS.essentials[msg.lang] ? msg.lang : null;
  if (!lang) { return; }
  if (msg.type === "keep") {
    /* 'auto' (first visit, back online): only when this build's copy is missing or old. */
    event.waitUntil(state(lang).then(function (s) {
      var fresh = s && s.version === LINTAS.version;
      if (msg.auto === "missing" && fresh) { return post({ lang: lang, saved: s.saved, done: s.pages, total: s.pages }); }
      return keep(lang);
    }).catch(function () { return null; }));
  } else if (msg.type === "status") {
    event.waitUntil(state(lang).then(function (s) {
      post(s ? { lang: lang, saved: s.saved, done: s.pages, total: s.pages } : { lang: lang, saved: null });
    }));
  }
});

/* ------------------------------------------------------------------ serving */

function fromCache(request) {
  return caches.keys().then(function (names) {
    var own = names.filter(function (n) { return n.indexOf(PREFIX + LINTAS.version) === 0; });
    var i = 0;
    function next() {
      if (i >= own.length) { return undefined; }
      return caches.open(own[i++]).then(function (c) {
        return c.match(request, { ignoreSearch: request.mode === "navigate" });
      }).then(function (r) { return r || next(); });
    }
    return next();
  });
}

var KEPT_TYPES = /^(text\/html|text\/css|text\/javascript|application\/javascript|image\/|application\/manifest\+json)/;

/* Replaced by a newer build's worker: that worker deleted this build's caches when it took over, and
 * a copy stored now would bring one back (it would stay until the next build's worker). */
function replaced() { return !!(self.serviceWorker && self.serviceWorker.state === "redundant"); }

function store(request, response) {
  /* A fresh copy replaces the kept one where it is, else goes to the visited pages. */
  if (replaced() || !KEPT_TYPES.test(response.headers.get("content-type") || "")) { return Promise.resolve(); }
  var url = request.url.split("#")[0].split("?")[0];
  var lang = langOf(url);
  var path = url.slice(SCOPE.length);
  var name = (LINTAS.essentials[lang] || []).indexOf(path) >= 0 ? cacheName(lang) : VISITED;
  return stamped(response).then(function (copy) {
    return replaced() ? null : caches.open(name).then(function (c) { return c.put(url, copy); });
  });
}

function esc(s) {
  return String(s).replace(/[&<>"]/g, function (c) { return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c]; });
}
function longDate(iso, lang) {
  var d = new Date(iso.length === 10 ? iso + "T00:00:00Z" : iso);
  try {
    return d.toLocaleDateString(lang === "en" ? "en-GB" : "id-ID",
      { day: "numeric", month: "long", year: "numeric", timeZone: iso.length === 10 ? "UTC" : undefined });
  } catch (e) { return iso.slice(0, 10); }
}

function textOf(html) {
  return html.replace(/<script[\s\S]*?<\/script>|<style[\s\S]*?<\/style>/gi, " ").replace(/<[^>]+>/g, " ")
    .replace(/&nbsp;/g, " ").replace(/&amp;/g, "&").replace(/\s+/g, " ").toLowerCase();
}

/* Offline search: the kept pages of this language that contain every word (titles first). */
function searchKept(lang, query) {
  var words = query.toLowerCase().split(/\s+/).filter(Boolean);
  return caches.keys().then(function (names) {
    var own = names.filter(function (n) { return n.indexOf(PREFIX + LINTAS.version) === 0; });
    return Promise.all(own.map(function (n) {
      return caches.open(n).then(function (c) {
        return c.keys().then(function (reqs) {
          return Promise.all(reqs.filter(function (r) {
            return r.url.slice(-1) === "/" && langOf(r.url) === lang && !/^(en\/)?search\/$/.test(r.url.slice(SCOPE.length));
          }).map(function (r) {
            return c.match(r).then(function (resp) { return resp.text(); }).then(function (html) {
              var t = /<title>([^<]*)<\/title>/i.exec(html);
              return { url: r.url, title: t ? t[1].replace(/&amp;/g, "&") : r.url, text: textOf(html) };
            });
          }));
        });
      });
    }));
  }).then(function (lists) {
    var seen = {}, hits = [];
    [].concat.apply([], lists).forEach(function (p) {
      if (seen[p.url]) { return; }
      seen[p.url] = true;
      var title = p.title.toLowerCase();
      if (words.every(function (w) { return p.text.indexOf(w) >= 0 || title.indexOf(w) >= 0; })) {
        p.score = words.filter(function (w) { return title.indexOf(w) >= 0; }).length;
        hits.push(p);
      }
    });
    return hits.sort(function (a, b) { return b.score - a.score || (a.title < b.title ? -1 : 1); }).slice(0, 20);
  });
}

/* What a page served from the cache gets: the saved line, ended notices hidden, and on the search
 * page the kept pages that match the query. */
function annotate(request, response) {
  var lang = langOf(request.url);
  var s = LINTAS.strings[lang];
  var saved = response.headers.get("x-lintas-saved") || "";
  return response.text().then(function (html) {
    var now = today();
    var ended = [];
    html = html.replace(/(<[^>]*data-lintas-until="(\d{4}-\d{2}-\d{2})")/g, function (all, tag, until) {
      if (until >= now) { return all; }
      if (ended.indexOf(until) < 0) { ended.push(until); }
      return /class="lintas-banner/.test(tag) ? tag + " hidden" : tag;
    });
    var old = saved && (Date.now() - Date.parse(saved)) > LINTAS.staleAfterDays * 864e5;
    var endedSince = ended.some(function (d) { return !saved || d >= saved.slice(0, 10); });
    var line = s.saved.replace("{date}", esc(longDate(saved || new Date().toISOString(), lang)));
    if (old || endedSince) { line += " " + s.stale; }
    ended.forEach(function (d) { line += " " + s.ended.replace("{date}", esc(longDate(d, lang))); });
    var parts = ['<div class="lintas-saved" role="status" data-lintas-saved="' + esc(saved) + '"><p>' + line + "</p></div>"];
    var query = new URL(request.url).searchParams.get("q");
    var isSearch = request.url.split("?")[0].slice(SCOPE.length) === (lang === "en" ? "en/" : "") + "search/";
    var extra = isSearch && query ? searchKept(lang, query) : Promise.resolve(null);
    return extra.then(function (hits) {
      if (hits) {
        parts.push('<section class="lintas-offline-search"><p>' + esc(s.search_offline) + "</p>");
        parts.push(hits.length ? "<ol>" + hits.map(function (h) {
          return '<li><a href="' + esc(h.url) + '">' + esc(h.title) + "</a></li>";
        }).join("") + "</ol>" : "<p>" + esc(s.search_none) + "</p>");
        parts.push("</section>");
      }
      var block = parts.join("");
      var marker = "<!--lintas-saved-->";
      html = html.indexOf(marker) >= 0 ? html.replace(marker, block) : html.replace(/(<body[^>]*>)/i, "$1" + block);
      var headers = new Headers(response.headers);
      headers.delete("content-length");
      return new Response(html, { status: 200, headers: headers });
    });
  });
}

function offlinePage(request) {
  var lang = langOf(request.url);
  var s = LINTAS.strings[lang];
  var home = SCOPE + (lang === "en" ? "en/" : "");
  var html = '<!doctype html><html lang="' + lang + '"><head><meta charset="utf-8">'
    + '<meta name="viewport" content="width=device-width,initial-scale=1"><title>' + esc(s.not_kept_title)
    + '</title></head><body><main style="font-family:system-ui,sans-serif;max-width:40em;margin:1em auto;padding:0 1em">'
    + "<h1>" + esc(s.not_kept_title) + "</h1><p>" + esc(s.not_kept_text) + '</p><p><a href="' + esc(home) + '">'
    + esc(s.home) + "</a></p></main></body></html>";
  return new Response(html, { status: 503, headers: { "content-type": "text/html; charset=utf-8" } });
}

function handled(url) {
  if (url.indexOf(SCOPE) !== 0) { return false; }
  var path = url.slice(SCOPE.length);
  /* Search index, downloads, data files and the API: always from the network. */
  return !/^(en\/)?(pagefind|downloads|api|feeds)\//.test(path) && path !== "sw.js";
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET" || !handled(request.url)) { return; }
  if (request.mode === "navigate") {
    event.respondWith(new Promise(function (resolve) {
      var settled = false;
      function fallback() {
        if (settled) { return; }
        settled = true;
        resolve(fromCache(request).then(function (r) { return r ? annotate(request, r) : offlinePage(request); }));
      }
      var timer = setTimeout(fallback, LINTAS.timeoutMs);
      /* Revalidated, never a copy the browser's HTTP cache still holds: what the reader sees is
       * either this build from the server or a kept copy that says when it was saved. */
      var network = fetch(request.url, { cache: "no-cache", credentials: "same-origin", redirect: "manual" }).then(function (response) {
        clearTimeout(timer);
        if (response.ok && response.type === "basic") {
          store(request, response.clone()).catch(function () { return null; });
        }
        if (!settled) { settled = true; resolve(response); }
      }, function () { clearTimeout(timer); fallback(); });
      /* When the cache answered first, the fetch still refreshes the kept copy (best effort: the
       * event is not extended for it, so a hanging connection never holds back a new worker). */
      network.catch(function () { return null; });
    }));
    return;
  }
  event.respondWith(fromCache(request).then(function (hit) {
    return hit || fetch(request).then(function (response) {
      if (response.ok && response.type === "basic") {
        event.waitUntil(store(request, response.clone()).catch(function () { return null; }));
      }
      return response;
    });
  }));
});
