# Two commands do everything on a fresh Debian 12 machine (as root, or with sudo):
#   make run    install what is missing, build the site from data/ into site/
#   make test   install what is missing (incl. chromium), then ruff, mypy and pytest
# Both are idempotent: the second run only checks and rebuilds.

SHELL := /bin/bash
.DEFAULT_GOAL := run

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# Fonts and libraries for WeasyPrint and the site; hb-subset makes PDF font subsetting ~60× faster.
APT_RUN := python3-venv fonts-noto-cjk fontconfig libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 \
	libpangocairo-1.0-0 shared-mime-info poppler-utils
# What the tests drive or inspect: a real browser (Playwright's bundled node needs libatomic1), the PDF
# tools, Java for the Nu HTML checker, and npm to fetch the validators (unless a Node.js install
# already brings its own npm: Debian's npm package conflicts with such a nodejs).
APT_NPM := $(if $(shell command -v npm),,npm)
APT_TEST := chromium libatomic1 qpdf default-jre-headless $(APT_NPM) ca-certificates

# Outside validators, fetched by package name and pinned version with the ordinary npm client
# (`npm pack` downloads the published tarball and runs nothing) and checked against pinned sha512
# sums: the Nu HTML checker (vnu.jar, MIT) and axe-core (MPL-2.0).
TOOLS := .cache/tools
VNU_VERSION := 26.9.27
VNU_SHA512 := 4e441de4315f39a582f5e6edbe8cd3b2b1f655aa1dde3620faface791133217c417b12f3f7ead2d8336d8e7efe44f5226618258b44a0860057e9125135e6b428
AXE_VERSION := 4.14.1
AXE_SHA512 := 1477dafa598d8d065f273d6af302aa203c02e83131707b7fa648cd41bd3d6b734f8c22a0dab86ee6a6f64b8afbe804b214d36db85a2826965edfb3a0b9d546b5

define npm_fetch
	@mkdir -p $(TOOLS)
	cd $(TOOLS) && npm pack --silent --ignore-scripts $(1)@$(2) > /dev/null
	echo "$(3)  $(TOOLS)/$(1)-$(2).tgz" | sha512sum --check --quiet
	tar -xzf $(TOOLS)/$(1)-$(2).tgz -O $(4) > $@.tmp && mv $@.tmp $@
	rm -f $(TOOLS)/$(1)-$(2).tgz
endef

$(TOOLS)/vnu-$(VNU_VERSION).jar:
	$(call npm_fetch,vnu-jar,$(VNU_VERSION),$(VNU_SHA512),package/build/dist/vnu.jar)

$(TOOLS)/axe-$(AXE_VERSION).min.js:
	$(call npm_fetch,axe-core,$(AXE_VERSION),$(AXE_SHA512),package/axe.min.js)

define apt_ensure
	@missing=$$(for p in $(1); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed$$' || echo $$p; \
	done); \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages: $$missing"; \
		$(SUDO) apt-get update -qq && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi
endef

.PHONY: run test setup setup-test build lint format pytest bench lock clean

run: build
	@echo
	@echo "网站已生成：$(CURDIR)/site/index.html"
	@echo "  用浏览器直接打开上面的文件即可（离线可用），或运行："
	@echo "  $(BIN)/python -m http.server --directory site 8000   然后访问 http://127.0.0.1:8000/"

setup:
	$(call apt_ensure,$(APT_RUN))
	@$(MAKE) --no-print-directory $(VENV)/.installed

setup-test: setup
	$(call apt_ensure,$(APT_TEST))
	@$(MAKE) --no-print-directory $(TOOLS)/vnu-$(VNU_VERSION).jar $(TOOLS)/axe-$(AXE_VERSION).min.js

$(VENV)/.installed: pyproject.toml constraints.txt
	@[ -x $(BIN)/python ] || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --constraint constraints.txt --editable '.[dev]'
	@touch $@

build: setup
	$(BIN)/wlsite build --data data --out site --staff-out staff

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

pytest: setup-test
	WLSITE_VNU=$(TOOLS)/vnu-$(VNU_VERSION).jar WLSITE_AXE=$(TOOLS)/axe-$(AXE_VERSION).min.js $(BIN)/pytest -n 2

test: setup-test lint pytest

# Build speed at N = 300 and N = 10,000 (about an hour on 2 cores; prints a table).
bench: setup-test
	$(BIN)/python -m bench.run

# Regenerate the full pin list after changing dependencies in pyproject.toml.
lock: setup
	{ grep '^#' constraints.txt; $(BIN)/python -m pip freeze --exclude-editable | grep -v '^wlsite'; } > constraints.tmp
	mv constraints.tmp constraints.txt

clean:
	rm -rf site .site.* .make .pytest_cache .mypy_cache .ruff_cache .hypothesis
