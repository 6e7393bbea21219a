/* Lintas search page: runs Pagefind for ?q= and renders results with filters. Classic script,
   loaded only by the search page (a file: the CSP allows no inline script); pagefind.js and the index chunks for the words searched are
   fetched only once someone searches. */
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("lintas-search-config").textContent), form = document.querySelector(".lintas-search__form");
  var input = document.getElementById("lintas-q"), list = document.getElementById("lintas-results");
  var status = document.getElementById("lintas-status"), box = document.getElementById("lintas-filters");
  var more = document.getElementById("lintas-more"), PAGE = 10;
  var pagefind = null, chosen = {}, latest = 0;
  // The bundle path is relative to this page; the folder above it is the site root, which Pagefind
  // puts before every result URL (so the site works under a sub-path such as /lintas/).
  var bundle = new URL(cfg.bundle, location.href);
  var baseUrl = bundle.pathname.replace(/[^/]*\/?$/, "");
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text) node.textContent = text;
    return node;
  }
  function load() {
    if (pagefind) return Promise.resolve(pagefind);
    return import(bundle.href + "pagefind.js").then(function (mod) {
      // filters() loads the filter chunks; without it a search reports no filter counts.
      return mod.options({ baseUrl: baseUrl, excerptLength: 24, ranking: cfg.ranking })
        .then(function () { return mod.filters(); })
        .then(function () { pagefind = mod; return mod; });
    });
  }
  function ordered(names) {
    var known = cfg.filters.filter(function (n) { return names.indexOf(n) >= 0; });
    return known.concat(names.filter(function (n) { return known.indexOf(n) < 0; }).sort());
  }
  function renderFilters(counts, totals) {
    var focused = document.activeElement && box.contains(document.activeElement) ? document.activeElement.id : null;
    box.textContent = "";
    ordered(Object.keys(totals)).forEach(function (name, g) {
      var values = Object.keys(totals[name]).filter(function (v) {
        return totals[name][v] > 0 || (chosen[name] && chosen[name].indexOf(v) >= 0);
      }).sort();
      if (!values.length) return;
      var group = el("fieldset", { "class": "lintas-search__filter" });
      group.appendChild(el("legend", {}, name));
      values.forEach(function (value, i) {
        var id = "lintas-f" + g + "-" + i + "-" + value.replace(/[^A-Za-z0-9]+/g, "-");
        var cb = el("input", { type: "checkbox", id: id, value: value });
        cb.checked = !!(chosen[name] && chosen[name].indexOf(value) >= 0);
        cb.addEventListener("change", function () {
          var now = (chosen[name] || []).filter(function (v) { return v !== value; });
          if (cb.checked) now.push(value);
          if (now.length) chosen[name] = now; else delete chosen[name];
          run(input.value);
        });
        var count = counts[name] && counts[name][value] !== undefined ? counts[name][value] : 0;
        var row = el("div", {});
        row.appendChild(cb);
        row.appendChild(el("label", { "for": id }, " " + value + " (" + count + ")"));
        group.appendChild(row);
      });
      box.appendChild(group);
    });
    box.parentNode.hidden = !box.children.length;
    if (focused && document.getElementById(focused)) document.getElementById(focused).focus();
  }
  function filterSpec() {
    var spec = {};
    Object.keys(chosen).forEach(function (name) { spec[name] = { any: chosen[name] }; });
    return spec;
  }
  function kindOf(item) {
    var kinds = item.filters && item.filters[cfg.filters[0]];
    return kinds && kinds.length ? kinds[0] : "";
  }
  function run(query) {
    query = (query || "").trim();
    if (!query) return;
    var ticket = ++latest;
    status.textContent = cfg.ui.loading;
    load().then(function (pf) {
      return pf.search(query, { filters: filterSpec() });
    }).then(function (search) {
      if (ticket !== latest) return;
      renderFilters(search.filters || {}, search.totalFilters || search.filters || {});
      list.textContent = "";
      more.hidden = true;
      status.textContent = search.results.length ? cfg.ui.found.replace("{n}", search.results.length) : cfg.ui.none;
      return show(search.results, 0, ticket);
    }).catch(function () { if (ticket === latest) status.textContent = cfg.ui.failed; });
  }
  // Results come PAGE at a time: each shown result costs one fragment request.
  function show(results, from, ticket) {
    var slice = results.slice(from, from + PAGE);
    return Promise.all(slice.map(function (r) { return r.data(); })).then(function (items) {
      if (ticket !== latest) return;
      items.forEach(function (item) {
        var li = el("li", { "class": "lintas-search__result" });
        var heading = el("p", {});
        heading.appendChild(el("a", { href: item.url }, (item.meta && item.meta.title) || item.url));
        var kind = kindOf(item);
        if (kind) heading.appendChild(el("span", { "class": "lintas-muted" }, " · " + kind));
        var excerpt = el("p", { "class": "lintas-search__excerpt" });
        excerpt.innerHTML = item.excerpt;  /* Pagefind escapes the page text; only its <mark> is markup */
        li.appendChild(heading); li.appendChild(excerpt); list.appendChild(li);
      });
      var next = from + PAGE;
      more.hidden = next >= results.length;
      more.onclick = function () { more.hidden = true; show(results, next, ticket); };
    });
  }
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    history.replaceState(null, "", "?q=" + encodeURIComponent(input.value));
    run(input.value);
  });
  var q = new URLSearchParams(location.search).get("q");
  if (q) { input.value = q; run(q); }
})();
