# ASPS Living Review. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed
# Exact versions of every dependency: a render or a regeneration is reproducible.
CONSTRAINTS := constraints.txt
QUARTO_VERSION := 1.10.19
# Quarto runs chapters with this interpreter (it needs jupyter + ipykernel, both in the venv).
export QUARTO_PYTHON := $(abspath $(PY))

.PHONY: venv help render test preview validate bench clean audit reconstruct coverage surveil lint

help: ## List the targets
	@grep -E '^[a-z_.-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

# The venv is rebuilt only when pyproject.toml or the constraints change.
$(STAMP): pyproject.toml $(CONSTRAINTS)
	@test -x $(PY) || python3 -m venv $(VENV)
	@echo "Installing the asps package and its pinned dependencies into $(VENV) ..."
	@$(PIP) install -qq --disable-pip-version-check -c $(CONSTRAINTS) -e '.[test]'
	@touch $(STAMP)

venv: $(STAMP) ## Create or update the virtual environment

# Quarto: from PATH, the venv, ../shared/quarto (our machines and CI), or pip-installed.
FIND_QUARTO = QUARTO="$$($(PY) -m asps find-quarto --install $(QUARTO_VERSION))" || exit 1
# What the site is built from; `make test` re-renders only when one of these is newer.
SITE_INPUTS := _quarto.yml index.qmd pyproject.toml $(CONSTRAINTS) purgecss.config.cjs \
  $(filter-out assets/vega-bundle.js,$(wildcard chapters/*.qmd data/*.csv asps/*.py \
  asps/*/*.py theme/* references/*.bib assets/*))
SITE_STAMP := _site/.rendered

# Validate first (nothing renders from invalid data), write the footer's data version, the
# data package and the Vega bundle, and drop frozen results whose inputs changed, then render;
# last, drop the style rules no page uses (PurgeCSS, from npm).
define render_site
	@$(PY) -m asps validate
	@$(PY) -m asps site-files
	@$(FIND_QUARTO); "$$QUARTO" render
	@$(PY) -m asps prune-css
	@touch $(SITE_STAMP)
endef

render: $(STAMP) | $(NODE_STAMP) ## Validate data/, then render the site into _site/ with Quarto
	$(render_site)

$(SITE_STAMP): $(STAMP) $(SITE_INPUTS) | $(NODE_STAMP)
	$(render_site)

preview: $(STAMP) ## Live preview with `quarto preview`
	@$(PY) -m asps validate
	@$(PY) -m asps site-files
	@$(FIND_QUARTO); "$$QUARTO" preview

# axe-core (accessibility tests), ESLint and PurgeCSS come from npm, pinned in package-lock.json.
$(NODE_STAMP): package.json package-lock.json
	@if command -v npm >/dev/null; then npm ci --silent --no-audit --no-fund && touch $@; \
	  else echo "npm not found: install Node.js and npm (the accessibility tests need axe-core)"; fi

test: $(STAMP) $(NODE_STAMP) $(SITE_STAMP) ## Render the site if its inputs changed, then run every test
	@$(PY) -m pytest

validate: $(STAMP) ## Validate every CSV in data/ against its schema
	@$(PY) -m asps validate

audit: $(STAMP) ## Print the founding paper's figures that the data cannot reproduce
	@$(PY) -m asps audit

reconstruct: $(STAMP) ## Regenerate data/patients.csv from the published aggregates
	@$(PY) -m asps reconstruct

bench: $(STAMP) ## Render times, page weight and first chart on _site/, survival at scale
	@$(PY) -m benchmarks

surveil: $(STAMP) ## Search PubMed since the last search; write a report to screen and log it
	@$(PY) -m asps surveil

coverage: $(STAMP) ## How much of the immunohistochemistry matrix is sourced
	@$(PY) -m asps coverage

lint: $(STAMP) $(NODE_STAMP) ## ruff for Python, ESLint for the site's scripts (assets/*.js)
	@$(VENV)/bin/ruff check asps tests benchmarks
	@npx --no-install eslint assets

clean: ## Remove the rendered site, caches and the venv
	rm -rf _site _freeze .quarto _data-version.yml assets/vega-bundle.js .pytest_cache .ruff_cache .hypothesis build $(VENV)
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
