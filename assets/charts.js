/* Charts of the ASPS Living Review: draw each .asps-chart at the width of its column.
 *
 * Each chart holds its layouts as Vega specs, compiled from Vega-Lite when the site was built
 * (asps.render.chart_html):
 *   {"datasets": {...}, "layouts": [{"min": 0, "signal": "width", "spec": {...}}, ...]}
 * The widest layout whose "min" the chart's box reaches is drawn. In a layout that stretches,
 * its "signal" (the width of its "container" views) is set to the box width minus what axes
 * and legends need beside the plot, measured once drawn; a ResizeObserver adjusts it when the
 * box changes, and draws the other layout when the box crosses a layout's "min".
 *
 * Vega and vega-tooltip come from the site's bundle (window.vega, window.vegaTooltip), which
 * the assets/asps.lua filter puts in the head of every page with a chart.
 * A drawn chart has data-asps-chart="ready", data-asps-width (the box width it was fitted to)
 * and its Vega view as el.__aspsView: the browser tests and benchmarks use them.
 */
(function () {
  "use strict";
  /* The layout's Vega spec with its data, the plot width and the selector values set. */
  function prepare(layout, datasets, plot, keep) {
    var spec = JSON.parse(JSON.stringify(layout.spec));
    (spec.data || []).forEach(function (d) {
      if (d.asps_values) {
        d.values = datasets[d.asps_values];
        delete d.asps_values;
      }
    });
    if (layout.signal === "width") spec.width = plot;
    (spec.signals || []).forEach(function (s) {
      if (s.name === layout.signal) s.value = plot;
      else if (s.bind && Object.prototype.hasOwnProperty.call(keep, s.name)) s.value = keep[s.name];
    });
    return spec;
  }

  /* Values of the bound signals (the selectors), carried over when a layout is redrawn. */
  function selectors(el) {
    var keep = {}, layout = el.__aspsLayout, view = el.__aspsView;
    if (!view) return keep;
    (layout.spec.signals || []).forEach(function (s) {
      if (s.bind) keep[s.name] = view.signal(s.name);
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

  function tooltip(vegaTooltip) {
    var dark = document.body.classList.contains("quarto-dark");
    return new vegaTooltip.Handler({ theme: dark ? "dark" : "light" }).call;
  }

  function draw(el, vega, layout, plot) {
    var keep = selectors(el);
    if (el.__aspsView) el.__aspsView.finalize();
    var target = el.querySelector(".asps-chart-view");
    target.textContent = "";
    var view = new vega.View(vega.parse(prepare(layout, el.__aspsPayload.datasets, plot, keep)), {
      renderer: "svg", container: target, hover: true, tooltip: tooltip(window.vegaTooltip),
    });
    el.__aspsView = view;
    el.__aspsLayout = layout;
    // A selector can change what the axes and legends need beside the plot: re-measure.
    view.addResizeListener(function () { if (el.__aspsRefit) el.__aspsRefit(); });
    if (!el.__aspsActions) addActions(el);
    return view.runAsync();
  }

  function fit(el, vega) {
    var width = Math.floor(el.getBoundingClientRect().width);
    if (!width) return Promise.resolve();
    var drawn = el.__aspsLayout;
    if (el.__aspsFitted === width &&
        (!drawn.signal || Math.abs(drawnWidth(el) - width) <= 2)) return Promise.resolve();
    var layout = layoutFor(el.__aspsPayload, width);
    var min = layout.minPlot || 120;
    if (layout.reserve === undefined) layout.reserve = 0;
    var plot = Math.max(min, width - layout.reserve);
    var same = el.__aspsLayout === layout;
    var first = !same ? draw(el, vega, layout, plot)
      : layout.signal ? el.__aspsView.signal(layout.signal, plot).runAsync() : Promise.resolve();
    var attempt = 0;
    function refine(current) {
      if (!layout.signal) return null;
      // What the axes and legends take beside the plot is known only once drawn: adjust the
      // plot width (at most four times) until the drawing fills the box.
      var over = drawnWidth(el) - width;
      var next = Math.max(min, current - Math.ceil(over));
      if (next === current || (over <= 0.5 && over > -2) || attempt >= 4) return null;
      attempt += 1;
      layout.reserve = width - next;
      return el.__aspsView.signal(layout.signal, next).runAsync().then(function () {
        return refine(next);
      });
    }
    return first.then(function () { return refine(plot); }).then(function () {
      var error = el.querySelector(".asps-chart-error");
      if (error) error.remove();
      el.__aspsFitted = width;
      el.setAttribute("data-asps-width", String(width));
      el.setAttribute("data-asps-chart", "ready");
    });
  }

  /* "Save as SVG / PNG" for the chart as drawn. */
  function addActions(el) {
    el.__aspsActions = true;
    var menu = document.createElement("details");
    menu.className = "asps-chart-actions";
    var summary = document.createElement("summary");
    summary.textContent = "Save";
    summary.setAttribute("aria-label", "Save the chart as SVG or PNG");
    menu.appendChild(summary);
    ["svg", "png"].forEach(function (format) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = format.toUpperCase();
      button.addEventListener("click", function () {
        el.__aspsView.toImageURL(format, format === "png" ? 2 : 1).then(function (url) {
          var link = document.createElement("a");
          link.href = url;
          link.download = (el.id || "chart") + "." + format;
          link.click();
          menu.open = false;
        });
      });
      menu.appendChild(button);
    });
    el.insertBefore(menu, el.querySelector(".asps-chart-view"));
  }

  function fail(el, error) {
    var old = el.querySelector(".asps-chart-error");
    if (old) old.remove();
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
    try {
      el.__aspsPayload = JSON.parse(el.querySelector("script.asps-chart-spec").textContent);
    } catch (error) {
      fail(el, error);
      return;
    }
    if (!window.vega || !window.vegaTooltip) {
      fail(el, new Error("the Vega bundle (vega-bundle.js) is not on this page"));
      return;
    }
    (function (vega) {
      var queue = Promise.resolve();
      function refit() {
        queue = queue.then(function () { return fit(el, vega); }).catch(function (e) {
          fail(el, e);
        });
        return queue;
      }
      el.__aspsRefit = refit;
      refit();
      if (window.ResizeObserver) {
        var pending = null;
        new ResizeObserver(function () {
          if (pending) cancelAnimationFrame(pending);
          pending = requestAnimationFrame(function () { pending = null; refit(); });
        }).observe(el);
      }
    })(window.vega);
  }

  function startAll() {
    Array.prototype.forEach.call(document.querySelectorAll(".asps-chart"), start);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", startAll);
  else startAll();
})();
