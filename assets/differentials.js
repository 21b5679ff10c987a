/* Differential diagnosis of the ASPS Living Review (asps.differentials): the marker matrix's
 * cell details and the observed-profile filter. Text is set with textContent, never innerHTML. */
(function () {
  "use strict";
  // Details of the selected matrix cell, from the cell's data attributes; links only for
  // http(s) addresses.
  var matrix = function (root) {
  if (!root || root.__ddReady) return;
  root.__ddReady = true;
  var panel = root.querySelector(".dd-detail"), current = null;
  var caveats = JSON.parse(root.querySelector("script.dd-caveat-data").textContent);
  function para(text, className) {
    var p = document.createElement("p");
    if (className) p.className = className;
    p.textContent = text;
    panel.appendChild(p);
    return p;
  }
  function parse(text) { try { return JSON.parse(text || "[]"); } catch (e) { return []; } }
  function show(cell) {
    if (current) current.removeAttribute("aria-pressed");
    current = cell;
    cell.setAttribute("aria-pressed", "true");
    panel.textContent = "";
    var head = para(""), strong = document.createElement("strong");
    strong.textContent = cell.getAttribute("data-where") + ": " +
      cell.getAttribute("data-result") + " (" + cell.getAttribute("data-symbol") + ")";
    head.appendChild(strong);
    para("Basis: " + cell.getAttribute("data-basis"));
    var source = para("Source: ");
    parse(cell.getAttribute("data-links")).forEach(function (pair, i) {
      if (i) source.appendChild(document.createTextNode(", "));
      var url = String(pair[1]);
      if (/^https?:\/\//.test(url)) {
        var a = document.createElement("a");
        a.href = url; a.rel = "noopener"; a.textContent = String(pair[0]);
        source.appendChild(a);
      } else {
        source.appendChild(document.createTextNode(String(pair[0])));
      }
    });
    var how = cell.getAttribute("data-verification");
    source.appendChild(document.createTextNode(" (" + how + ")"));
    (cell.getAttribute("data-caveats") || "").split(" ").filter(Boolean).forEach(function (id) {
      if (Object.prototype.hasOwnProperty.call(caveats, id)) {
        para("Caveat: " + caveats[id], "dd-caveat");
      }
    });
    panel.hidden = false;
  }
  function pick(e) {
    var cell = e.target.closest ? e.target.closest("button.dd-cell") : null;
    if (cell && root.contains(cell)) show(cell);
  }
  root.addEventListener("click", pick);
  root.addEventListener("focusin", pick);
};
  // Same rule and order as asps.differentials.rank_entities().
  var filter = function (root) {
  if (!root || root.__ddReady) return;
  root.__ddReady = true;
  var data = JSON.parse(root.querySelector("script.dd-data").textContent);
  var form = root.querySelector("form");
  var selects = Array.prototype.slice.call(root.querySelectorAll("select[data-marker]"));
  var results = root.querySelector("table.dd-results");
  var body = results.querySelector("tbody");
  var summary = root.querySelector(".dd-summary");
  var labels = {};
  data.markers.forEach(function (m) { labels[m.id] = m.label; });
  function observed() {
    var pairs = [];
    selects.forEach(function (s) {
      s.classList.toggle("dd-set", s.value !== "");
      if (s.value === "positive" || s.value === "negative") {
        pairs.push([s.getAttribute("data-marker"), s.value]);
      }
    });
    return pairs;
  }
  function rank(pairs) {
    var rows = data.entities.map(function (entity, position) {
      var expected = data.expected[entity.id] || {};
      var row = {id: entity.id, name: entity.name, full: entity.full, score: 0, matches: 0,
                 half: 0, noData: 0, against: [], position: position};
      pairs.forEach(function (pair) {
        var marker = pair[0], value = pair[1];
        var want = Object.prototype.hasOwnProperty.call(expected, marker) ? expected[marker] : null;
        if (want === "positive" || want === "negative") {
          if (want === value) { row.matches += 1; row.score += 1; }
          else row.against.push(labels[marker] + ": expected " + data.labels[want] +
                                ", observed " + value);
        } else if (want === "variable" || want === "focal_or_weak") {
          row.half += 1; row.score += 0.5;
        } else {
          row.noData += 1;
        }
      });
      return row;
    });
    rows.sort(function (a, b) {
      var ea = a.against.length > 0, eb = b.against.length > 0;
      if (ea !== eb) return ea ? 1 : -1;
      if (a.against.length !== b.against.length) return a.against.length - b.against.length;
      if (a.score !== b.score) return b.score - a.score;
      return a.position - b.position;
    });
    return rows;
  }
  function render() {
    var pairs = observed(), rows = rank(pairs), rank_ = 0, excluded = 0;
    body.textContent = "";
    results.setAttribute("data-entered", pairs.length ? "true" : "false");
    rows.forEach(function (r) {
      var out = r.against.length > 0, tr = document.createElement("tr");
      if (out) excluded += 1;
      tr.className = out ? "dd-excluded" : "dd-compatible";
      tr.setAttribute("data-entity", r.id);
      tr.setAttribute("data-status", out ? "excluded" : "compatible");
      tr.setAttribute("data-score", String(r.score));
      var rankCell = document.createElement("td");
      // With nothing entered there is no ranking to show, only the list.
      rankCell.textContent = out || !pairs.length ? "\u2014" : String(++rank_);
      var name = document.createElement("th");
      name.setAttribute("scope", "row");
      name.title = r.full;
      var strong = document.createElement("strong");
      strong.textContent = r.name;
      name.appendChild(strong);
      if (out) {
        var why = document.createElement("div");
        why.className = "dd-why";
        why.textContent = "Excluded by " + r.against.join("; ");
        name.appendChild(why);
      }
      var score = document.createElement("td");
      score.textContent = String(r.score);
      var fit = document.createElement("td");
      fit.textContent = r.matches + " / " + r.half + " / " + r.noData;
      [rankCell, name, score, fit].forEach(function (cell) { tr.appendChild(cell); });
      body.appendChild(tr);
    });
    if (!pairs.length) {
      summary.textContent = "No result entered yet: every entity is compatible. " +
        "Choose positive or negative for the markers you have.";
    } else {
      var best = rows[0];
      summary.textContent = pairs.length + " result" + (pairs.length === 1 ? "" : "s") +
        " entered: " + (rows.length - excluded) + " compatible, " + excluded + " excluded. " +
        (excluded === rows.length ? "No entity fits every result." :
         "Best fit: " + best.name + " (score " + best.score + ").");
    }
  }
  form.addEventListener("change", render);
  form.addEventListener("reset", function () { setTimeout(render, 0); });
  var examples = root.querySelector(".dd-examples");
  examples.hidden = false;
  examples.addEventListener("click", function (e) {
    var name = e.target.getAttribute && e.target.getAttribute("data-example");
    if (!name || !data.examples[name]) return;
    var profile = data.examples[name];
    selects.forEach(function (s) { s.value = profile[s.getAttribute("data-marker")] || ""; });
    render();
  });
  render();
};
  function startAll() {
    Array.prototype.forEach.call(document.querySelectorAll(".dd-matrix"), matrix);
    Array.prototype.forEach.call(document.querySelectorAll(".dd-filter"), filter);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", startAll);
  else startAll();
})();
