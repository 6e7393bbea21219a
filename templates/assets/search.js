/* Lintas search page: runs Pagefind for ?q= and renders results with filters. Classic script,
   loaded only on the search page; Pagefind's index chunks download only for the words searched. */
(function () {
  "use strict";
  var cfg = window.lintasSearch, form = document.querySelector(".lintas-search__form");
  var input = document.getElementById("lintas-q"), list = document.getElementById("lintas-results");
  var status = document.getElementById("lintas-status"), box = document.getElementById("lintas-filters");
  var pagefind = null, chosen = {};
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text) node.textContent = text;
    return node;
  }
  function load() {
    if (pagefind) return Promise.resolve(pagefind);
    return import(cfg.bundle + "pagefind.js").then(function (mod) { pagefind = mod; return mod.options({ excerptLength: 24 }).then(function () { return mod; }); });
  }
  function renderFilters(filters) {
    box.textContent = "";
    Object.keys(filters).sort().forEach(function (name) {
      var group = el("div", { "class": "lintas-search__filter" });
      group.appendChild(el("p", {}, name));
      Object.keys(filters[name]).sort().forEach(function (value) {
        var id = "f-" + name + "-" + value.replace(/\W+/g, "-");
        var cb = el("input", { type: "checkbox", id: id });
        cb.checked = !!(chosen[name] && chosen[name].indexOf(value) >= 0);
        cb.addEventListener("change", function () {
          chosen[name] = chosen[name] || [];
          if (cb.checked) chosen[name].push(value); else chosen[name] = chosen[name].filter(function (v) { return v !== value; });
          if (!chosen[name].length) delete chosen[name];
          run(input.value);
        });
        var label = el("label", { "for": id }, value + " (" + filters[name][value] + ")");
        var row = el("div", {}); row.appendChild(cb); row.appendChild(label); group.appendChild(row);
      });
      box.appendChild(group);
    });
    box.parentNode.hidden = !Object.keys(filters).length;
  }
  function run(query) {
    query = (query || "").trim();
    if (!query) return;
    status.textContent = cfg.ui.loading;
    load().then(function (pf) {
      return pf.search(query, { filters: chosen }).then(function (search) {
        renderFilters(search.filters || {});
        return Promise.all(search.results.slice(0, 20).map(function (r) { return r.data(); }));
      });
    }).then(function (items) {
      list.textContent = "";
      items.forEach(function (item) {
        var li = el("li", { "class": "lintas-search__result" });
        var a = el("a", { href: item.url }, (item.meta && item.meta.title) || item.url);
        var p = el("p", {}); p.innerHTML = item.excerpt;  /* Pagefind escapes the text; only <mark> remains */
        li.appendChild(a); li.appendChild(p); list.appendChild(li);
      });
      status.textContent = items.length ? cfg.ui.found.replace("{n}", items.length) : cfg.ui.none;
    }).catch(function (err) { status.textContent = String(err); });
  }
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    history.replaceState(null, "", "?q=" + encodeURIComponent(input.value));
    run(input.value);
  });
  var q = new URLSearchParams(location.search).get("q");
  if (q) { input.value = q; run(q); }
})();
