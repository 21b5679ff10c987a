/* Charts of the ASPS Living Review: draw each .asps-chart at the width of its column.
 *
 * Each chart holds its Vega-Lite layouts as JSON (written by asps.render.chart_html):
 *   {"datasets": {...}, "layouts": [{"min": 0, "spec": {...}}, {"min": 560, "spec": {...}}]}
 * The widest layout whose "min" the chart's box reaches is drawn. In it, every view whose
 * width is "container" gets the box width minus what its axes and legends need beside it
 * ("reserve", measured after drawing); a top-level param "asps_width" receives the box width,
 * so a spec can show fewer ticks or wrap a note on a narrow screen. A ResizeObserver redraws
 * when the box changes. The site's Vega bundle is loaded once, on the first page with a chart.
 *
 * A drawn chart has data-asps-chart="ready", data-asps-width (the box width it was fitted to)
 * and its Vega view as el.__aspsView: the browser tests and benchmarks use them.
 */
(function () {
  "use strict";
  var BUNDLE = "assets/vega-bundle.js";
  var OPTIONS = {
    renderer: "svg",
    actions: { export: true, source: false, compiled: false, editor: false },
  };
  var bundle = null;

  function loadBundle(el) {
    if (bundle) return bundle;
    bundle = new Promise(function (resolve, reject) {
      if (window.vegaEmbed) return resolve(window.vegaEmbed);
      var meta = document.querySelector('meta[name="quarto:offset"]');
      var offset = meta ? meta.getAttribute("content") : el.getAttribute("data-offset");
      if (offset && offset.slice(-1) !== "/") offset += "/";
      var script = document.createElement("script");
      script.src = (offset || "./") + BUNDLE;
      script.onload = function () {
        if (window.vegaEmbed) resolve(window.vegaEmbed);
        else reject(new Error("no vegaEmbed in " + script.src));
      };
      script.onerror = function () { reject(new Error("could not load " + script.src)); };
      document.head.appendChild(script);
    });
    return bundle;
  }

  /* Copy of spec with every "container" width set to w, and asps_width / bound params set. */
  function prepare(spec, width, plotWidth, keep) {
    var out = JSON.parse(JSON.stringify(spec));
    (function walk(node) {
      if (!node || typeof node !== "object") return;
      if (Array.isArray(node)) { node.forEach(walk); return; }
      if (node.width === "container") node.width = plotWidth;
      ["layer", "hconcat", "vconcat", "concat"].forEach(function (key) {
        if (node[key]) walk(node[key]);
      });
      if (node.spec) walk(node.spec);
    })(out);
    (out.params || []).forEach(function (p) {
      if (p.name === "asps_width") p.value = width;
      else if (keep && Object.prototype.hasOwnProperty.call(keep, p.name)) p.value = keep[p.name];
    });
    return out;
  }

  function boundParams(el, spec) {
    var view = el.__aspsView, keep = {};
    if (!view) return keep;
    (spec.params || []).forEach(function (p) {
      if (p.bind && !p.select) {
        try { keep[p.name] = view.signal(p.name); } catch (e) { /* not in this layout */ }
      }
    });
    return keep;
  }

  function drawnWidth(el) {
    var svg = el.querySelector(".asps-chart-view svg");
    return svg ? svg.getBoundingClientRect().width : 0;
  }

  function layoutFor(payload, width) {
    var chosen = payload.layouts[0];
    payload.layouts.forEach(function (l) { if (width >= l.min) chosen = l; });
    return chosen;
  }

  /* Set the plot width of a drawn view, in place where Vega allows it (one view, or views
   * stacked with one shared width: a top-level width signal), otherwise by drawing anew. */
  function resize(el, plot, width, redraw) {
    var r = el.__aspsResult;
    if (r && el.__aspsInPlace) {
      if (hasSignal(r.view, "asps_width")) r.view.signal("asps_width", width);
      r.view.width(plot);
      return r.view.runAsync();
    }
    return redraw(plot);
  }

  function hasSignal(view, name) {
    try { view.signal(name); return true; } catch (e) { return false; }
  }

  function fit(el, vegaEmbed) {
    var payload = el.__aspsPayload;
    var width = Math.floor(el.getBoundingClientRect().width);
    if (!width) return Promise.resolve();
    if (el.__aspsFitted === width) return Promise.resolve();
    var layout = layoutFor(payload, width);
    var spec = Object.assign({}, layout.spec, { datasets: payload.datasets });
    var min = layout.minPlot || 120;
    if (layout.stretch === undefined) {
      layout.stretch = JSON.stringify(layout.spec).indexOf('"width":"container"') >= 0;
      layout.reserve = 0;
    }
    function embed(plot) {
      var target = el.querySelector(".asps-chart-view");
      var keep = boundParams(el, spec);
      if (el.__aspsResult) el.__aspsResult.finalize();
      return vegaEmbed(target, prepare(spec, width, plot, keep), OPTIONS).then(function (r) {
        el.__aspsResult = r;
        el.__aspsView = r.view;
        el.__aspsLayout = layout;
        el.__aspsInPlace = layout.stretch && !!r.vgSpec && r.vgSpec.width === plot;
      });
    }
    var attempt = 0;
    function refine(plot) {
      if (!layout.stretch) return null;
      // What the axes and legends take beside the stretched views is known only once drawn:
      // adjust (at most four times) so that the drawing fills the box.
      var over = drawnWidth(el) - width;
      var next = Math.max(min, plot - Math.ceil(over));
      if (next === plot || (over <= 0.5 && over > -2) || attempt >= 4) return null;
      attempt += 1;
      layout.reserve = width - next;
      return resize(el, next, width, embed).then(function () { return refine(next); });
    }
    var plot = Math.max(min, width - layout.reserve);
    var first = el.__aspsLayout === layout ? resize(el, plot, width, embed) : embed(plot);
    return first.then(function () { return refine(plot); }).then(function () {
      el.__aspsFitted = width;
      el.setAttribute("data-asps-width", String(width));
      var save = el.querySelector(".vega-embed summary");
      if (save) save.setAttribute("aria-label", "Save the chart as SVG or PNG");
      el.setAttribute("data-asps-chart", "ready");
    });
  }

  function fail(el, error) {
    var p = document.createElement("p");
    el.setAttribute("data-asps-chart", "error");
    p.className = "asps-chart-error";
    p.textContent = "The interactive chart could not be shown (" + error.message + "). " +
      (el.getAttribute("aria-label") || "");
    el.appendChild(p);
    if (window.console) console.error(error);
  }

  function start(el) {
    if (el.__aspsPayload) return;
    var data = el.querySelector("script.asps-chart-spec");
    try {
      el.__aspsPayload = JSON.parse(data.textContent);
    } catch (error) {
      fail(el, error);
      return;
    }
    loadBundle(el).then(function (vegaEmbed) {
      var queue = Promise.resolve();
      function refit() {
        queue = queue.then(function () { return fit(el, vegaEmbed); }).catch(function (e) {
          fail(el, e);
        });
        return queue;
      }
      refit();
      if (window.ResizeObserver) {
        var pending = null;
        new ResizeObserver(function () {
          if (pending) cancelAnimationFrame(pending);
          pending = requestAnimationFrame(function () { pending = null; refit(); });
        }).observe(el);
      }
    }, function (error) { fail(el, error); });
  }

  function startAll() {
    Array.prototype.forEach.call(document.querySelectorAll(".asps-chart"), start);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", startAll);
  else startAll();
})();
