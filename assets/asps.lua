-- Adds the site's own scripts and styles (charts, tables, differential diagnosis) to every
-- HTML page, once, as Quarto HTML dependencies: Quarto copies them to site_libs/ and links
-- them with the right relative path from every page. Pages with a chart also get the Vega
-- bundle (assets/vega-bundle.js, built by `python -m asps site-files`), in the head, so that
-- it downloads while the page is read.
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
      scripts = { "vega-bundle.js" },
    })
  end
  quarto.doc.add_html_dependency({
    name = "asps",
    version = version,
    scripts = {
      { path = "charts.js", afterBody = true },
      { path = "tables.js", afterBody = true },
      { path = "differentials.js", afterBody = true },
    },
    stylesheets = { "asps.css" },
  })
  return doc
end
