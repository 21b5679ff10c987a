// Lint for the site's own scripts (assets/*.js): `make lint` and tests/test_project.py run it.
import js from "@eslint/js";
import globals from "globals";

export default [
  { ignores: ["assets/vega-bundle.js", "_site/**", "node_modules/**", "build/**", ".quarto/**"] },
  js.configs.recommended,
  {
    files: ["assets/*.js"],
    languageOptions: {
      ecmaVersion: 2020,
      sourceType: "script",
      globals: { ...globals.browser },
    },
    rules: {
      "no-var": "off",
      eqeqeq: "error",
      "no-implicit-globals": "error",
      "no-unused-vars": ["error", { args: "none", caughtErrors: "none" }],
    },
  },
];
