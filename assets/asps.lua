-- Adds the site's own scripts and styles (charts, tables, differential diagnosis) to every
-- HTML page, once, as a Quarto HTML dependency: Quarto copies them to site_libs/ and links
-- them with the right relative path from every page.
local version = "1"

function Meta(meta)
  if quarto.doc.is_format("html") then
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
  end
  return meta
end
