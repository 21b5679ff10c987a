/* Sortable, searchable, paged tables of the ASPS Living Review (asps.tables).
 * Rows are moved and hidden, never rebuilt, so no cell text passes through innerHTML. */
(function () {
  "use strict";
  var init = function (root) {
  if (!root || root.__aspsReady) return;
  root.__aspsReady = true;
  var table = root.querySelector("table"), body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  rows.forEach(function (r, i) { r.__index = i; r.__text = r.textContent.toLowerCase(); });
  var input = root.querySelector("input[type=search]");
  var status = root.querySelector(".asps-table-status");
  var pager = root.querySelector(".asps-table-pager");
  var prev = pager.querySelector("[data-step='-1']"), next = pager.querySelector("[data-step='1']");
  var where = pager.querySelector(".asps-table-page");
  var empty = root.querySelector(".asps-table-empty");
  var scroller = root.querySelector(".asps-table-scroll");
  var more = root.querySelector(".asps-table-more");
  function hint() { more.hidden = scroller.scrollWidth <= scroller.clientWidth + 2; }
  window.addEventListener("resize", hint);
  var size = parseInt(root.getAttribute("data-page-length"), 10) || 0;
  var order = rows.slice(), shown = rows, page = 0;
  root.querySelector(".asps-table-controls").hidden = false;
  function key(row, col) {
    var cell = row.cells[col];
    if (!cell) return "";
    var k = cell.getAttribute("data-sort");
    return k === null ? cell.textContent.trim() : k;
  }
  var NUM = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
  function compare(a, b) {
    if (a === b) return 0;
    if (a === "") return 1;
    if (b === "") return -1;
    if (NUM.test(a) && NUM.test(b)) return parseFloat(a) - parseFloat(b);
    return a.localeCompare(b, undefined, {numeric: true, sensitivity: "base"});
  }
  function render() {
    var pages = size ? Math.max(1, Math.ceil(shown.length / size)) : 1;
    page = Math.min(page, pages - 1);
    var from = size ? page * size : 0, to = size ? from + size : shown.length;
    var visible = {};
    shown.slice(from, to).forEach(function (r) { visible[r.__index] = true; });
    rows.forEach(function (r) { r.hidden = !visible[r.__index]; });
    var total = rows.length, n = shown.length;
    var text = n === 0 ? "No matching rows" : "Showing " + (from + 1) + "\u2013" +
      Math.min(to, n) + " of " + n + " row" + (n === 1 ? "" : "s");
    if (n !== total) text += " (filtered from " + total + ")";
    status.textContent = text;
    empty.hidden = n !== 0;
    pager.hidden = pages < 2;
    where.textContent = "Page " + (page + 1) + " of " + pages;
    prev.disabled = page === 0;
    next.disabled = page >= pages - 1;
  }
  function filter() {
    var terms = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    shown = order.filter(function (r) {
      return terms.every(function (t) { return r.__text.indexOf(t) !== -1; });
    });
    page = 0;
    render();
  }
  input.addEventListener("input", filter);
  pager.addEventListener("click", function (e) {
    var step = e.target.getAttribute && e.target.getAttribute("data-step");
    if (step) { page += parseInt(step, 10); render(); }
  });
  var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
  heads.forEach(function (th, col) {
    var button = th.querySelector("button");
    if (!button) return;
    button.addEventListener("click", function () {
      var dir = th.getAttribute("aria-sort") === "ascending" ? -1 : 1;
      heads.forEach(function (h) { h.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", dir === 1 ? "ascending" : "descending");
      order = rows.slice().sort(function (a, b) {
        var ka = key(a, col), kb = key(b, col);
        // Empty cells stay last whichever way the column is sorted.
        if (ka === "" || kb === "") return compare(ka, kb) || a.__index - b.__index;
        return dir * compare(ka, kb) || a.__index - b.__index;
      });
      order.forEach(function (r) { body.appendChild(r); });
      filter();
    });
  });
  render();
  hint();
};
  function startAll() {
    Array.prototype.forEach.call(document.querySelectorAll(".asps-table[data-page-length]"), init);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", startAll);
  else startAll();
})();
