/* Lintas travel checker: optional enhancement of a flow's start page into a one-page form,
 * loaded when the reader presses "Answer on one page" (see templates/checker/app.html).
 * Without this script every question is its own page with plain links; the form reaches the same
 * outcome pages. Classic script (no modules, no fetch): it works from file:// too. The rules mirror
 * lintas/content/flows/rules.py; a browser test compares both on edge-case dates. */
(function () {
  "use strict";

  function parse(s) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s || "");
    return m ? { y: +m[1], m: +m[2], d: +m[3] } : null;
  }
  function daysInMonth(y, m) { return new Date(Date.UTC(y, m, 0)).getUTCDate(); }
  function cmp(a, b) { return (a.y - b.y) || (a.m - b.m) || (a.d - b.d); }
  function addMonths(a, n) {
    var idx = a.m - 1 + n, y = a.y + Math.floor(idx / 12), m = ((idx % 12) + 12) % 12 + 1;
    return { y: y, m: m, d: Math.min(a.d, daysInMonth(y, m)) };
  }
  var RULES = {
    passport_valid_6_months: function (travel, expiry) { return cmp(expiry, addMonths(travel, 6)) >= 0; },
    aged_17_or_over: function (birth, on) {
      var b17 = { y: birth.y + 17, m: birth.m, d: birth.d };
      if (b17.d > daysInMonth(b17.y, b17.m)) { b17 = { y: b17.y, m: 3, d: 1 }; }
      return cmp(on, b17) >= 0;
    }
  };
  /* String API ("YYYY-MM-DD" in, "yes"/"no" out), used by the form and by tests. */
  window.LintasRules = {};
  Object.keys(RULES).forEach(function (name) {
    window.LintasRules[name] = function () {
      var args = Array.prototype.map.call(arguments, parse);
      if (args.some(function (a) { return a === null; })) { return null; }
      return RULES[name].apply(null, args) ? "yes" : "no";
    };
  });

  var dataEl = document.getElementById("lintas-checker-data");
  var app = document.getElementById("lintas-checker-app");
  var staticPart = document.querySelector(".lintas-checker-static");
  if (!dataEl || !app || !staticPart) { return; }
  var flow = JSON.parse(dataEl.textContent);
  var s = flow.strings;

  /* Page addresses: learn the URL form (folder or index.html) from a link the site generator wrote. */
  var first = flow.questions[flow.start].options[0];
  var sample = staticPart.querySelector(".lintas-options a");
  if (!sample) { return; }
  var href = sample.getAttribute("href");
  var at = href.lastIndexOf(first.next);
  if (at < 0) { return; }
  var prefix = href.slice(0, at), suffix = href.slice(at + first.next.length);
  function urlOf(node) { return prefix + node + suffix; }

  var answers = {};  /* question id -> option index */
  var dates = {};    /* date field id -> value, kept when the form is redrawn */

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text) { e.textContent = text; }
    return e;
  }
  function today() {
    var d = new Date();
    function p(n) { return (n < 10 ? "0" : "") + n; }
    return d.getFullYear() + "-" + p(d.getMonth() + 1) + "-" + p(d.getDate());
  }

  function ruleHelper(qid, q) {
    var box = el("div", { "class": "lintas-rule" });
    box.appendChild(el("p", {}, s.app_rule_intro));
    var inputs = q.params.map(function (p) {
      var id = "lintas-" + qid + "-" + p.name;
      var label = el("label", { "for": id }, p.label + " ");
      var input = el("input", { type: "date", id: id, name: p.name });
      input.value = dates[id] || (p.name === "on_date" ? today() : "");
      input.addEventListener("input", function () { dates[id] = input.value; });
      label.appendChild(input);
      box.appendChild(label);
      return input;
    });
    var msg = el("p", { "class": "lintas-muted", "aria-live": "polite" });
    var button = el("button", { type: "button", "class": "md-button" }, s.app_check);
    button.addEventListener("click", function () {
      inputs.forEach(function (i) { dates[i.id] = i.value; });
      var result = window.LintasRules[q.rule].apply(null, inputs.map(function (i) { return i.value; }));
      if (result === null) { msg.textContent = s.app_rule_missing; return; }
      msg.textContent = "";
      q.options.forEach(function (o, i) { if (o.result === result) { choose(qid, i); } });
    });
    box.appendChild(button);
    box.appendChild(msg);
    return box;
  }

  function choose(qid, index) {
    answers[qid] = index;
    render(qid + "-" + index);
  }

  function render(focusId) {
    app.textContent = "";
    app.appendChild(el("h2", {}, s.app_title));
    var form = el("form", { "class": "lintas-checker-form", novalidate: "" });
    form.addEventListener("submit", function (e) { e.preventDefault(); });
    app.appendChild(form);
    var node = flow.start, seen = {};
    while (flow.questions[node] && !seen[node]) {
      seen[node] = true;
      var q = flow.questions[node], qid = node;
      var fs = el("fieldset", { id: "lintas-q-" + qid });
      fs.appendChild(el("legend", {}, q.text));
      if (q.hint) { fs.appendChild(el("p", { "class": "lintas-muted" }, q.hint)); }
      q.options.forEach(function (o, i) {
        var id = "lintas-" + qid + "-" + i;
        var label = el("label", { "for": id });
        var radio = el("input", { type: "radio", id: id, name: "lintas-" + qid, value: o.next });
        if (answers[qid] === i) { radio.checked = true; }
        radio.addEventListener("change", (function (qq, ii) {
          return function () { choose(qq, ii); };
        })(qid, i));
        label.appendChild(radio);
        label.appendChild(document.createTextNode(" " + o.label));
        fs.appendChild(label);
      });
      if (q.rule && window.LintasRules[q.rule]) { fs.appendChild(ruleHelper(qid, q)); }
      form.appendChild(fs);
      if (answers[qid] === undefined) { node = null; break; }
      node = q.options[answers[qid]].next;
    }
    Object.keys(answers).forEach(function (k) { if (!seen[k]) { delete answers[k]; } });
    var live = el("div", { "aria-live": "polite" });
    app.appendChild(live);
    if (node && flow.outcomes[node]) {
      var out = flow.outcomes[node];
      var box = el("div", { "class": "lintas-result-box", id: "lintas-result" });
      box.appendChild(el("p", {}, s.app_result + ":"));
      box.appendChild(el("p", { "class": "lintas-result lintas-result--" + out.level }, out.level_text));
      box.appendChild(el("p", {}, out.title));
      var a = el("a", { href: urlOf(node), "class": "md-button md-button--primary" }, s.app_open);
      box.appendChild(a);
      live.appendChild(box);
    }
    var restart = el("button", { type: "button", "class": "md-button" }, s.app_restart);
    restart.addEventListener("click", function () { answers = {}; render("lintas-" + flow.start + "-0"); });
    app.appendChild(restart);
    var f = focusId && document.getElementById(focusId.indexOf("lintas-") === 0 ? focusId : "lintas-" + focusId);
    if (f) { f.focus(); }
  }

  staticPart.hidden = true;
  app.hidden = false;
  render(null);
  var legend = app.querySelector("legend");
  if (legend) { legend.setAttribute("tabindex", "-1"); legend.focus(); }
})();
