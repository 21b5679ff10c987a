// Lint for the site's own scripts (assets/*.js, assets/*.mjs): `make lint` and
// tests/test_project.py run it.
import js from "@eslint/js";
import globals from "globals";

export default [
  { ignores: ["assets/vega-bundle.js", "_site/**", "node_modules/**", "build/**", ".quarto/**"] },
  js.configs.recommended,
  {
    files: ["assets/*.js"],
    languageOptions: { ecmaVersion: 2020, sourceType: "script", globals: { ...globals.browser } },
  },
  {
    files: ["assets/*.mjs"],
    languageOptions: { ecmaVersion: 2020, sourceType: "module", globals: { ...globals.browser } },
  },
  {
    files: ["assets/*.js", "assets/*.mjs"],
    rules: {
      "no-var": "off",
      eqeqeq: "error",
      "no-implicit-globals": "error",
      "no-unused-vars": ["error", { args: "none", caughtErrors: "none" }],
    },
  },
];
