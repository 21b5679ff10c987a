// PurgeCSS, run by `python -m asps prune-css` after `quarto render`: drops the rules of
// Quarto's Bootstrap themes (and the icon font's classes) that no page or script of the site
// uses, about 0.7 MB per first visit. Classes that scripts add at run time (Bootstrap's
// "show", Quarto's search box "aa-*", ...) appear in the site's own .js files, which are
// scanned too; the safelist keeps the few that are built from parts.
const site = process.env.ASPS_SITE_DIR || "_site";

module.exports = {
  content: [`${site}/**/*.html`, `${site}/**/*.js`],
  css: [`${site}/site_libs/bootstrap/*.css`],
  output: `${site}/site_libs/bootstrap/`,
  safelist: {
    standard: [/^quarto-/, /^sidebar/, /^show$/, /^collapsing$/, /^collapsed$/, /^active$/],
    greedy: [/^aa-/, /^bi-/],
  },
};
