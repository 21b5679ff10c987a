-- Adds the site's own scripts and styles (charts, tables, differential diagnosis) to every
-- HTML page, once, as Quarto HTML dependencies: Quarto copies them to site_libs/ and links
-- them with the right relative path from every page. Pages with a chart also get the Vega
-- bundle (assets/vega-bundle.js, built by `python -m asps site-files`). Every script is
-- deferred: it downloads while the page is parsed and runs, in order, once it is parsed.
local version = "1"

local function has_chart(doc)
  local found = false
  doc.blocks:walk({
    RawBlock = function(el)
      if el.text:find('class="asps-chart"', 1, true) then
        found = true
      end
    end,
  })
  return found
end

function Pandoc(doc)
  if not quarto.doc.is_format("html") then
    return doc
  end
  if has_chart(doc) then
    quarto.doc.add_html_dependency({
      name = "asps-vega",
      version = version,
      scripts = { { path = "vega-bundle.js", attribs = { defer = "defer" } } },
    })
  end
  quarto.doc.add_html_dependency({
    name = "asps",
    version = version,
    scripts = {
      { path = "charts.js", attribs = { defer = "defer" } },
      { path = "tables.js", attribs = { defer = "defer" } },
      { path = "differentials.js", attribs = { defer = "defer" } },
    },
    stylesheets = { "asps.css" },
  })
  return doc
end
