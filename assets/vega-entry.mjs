// Entry of the tooltip part of assets/vega-bundle.js (python -m asps site-files bundles it
// with esbuild after Vega's own minified build): vega-tooltip as window.vegaTooltip.
import { Handler } from "vega-tooltip";

window.vegaTooltip = { Handler };
