#!/usr/bin/env bash
# Builds the development environment from nothing: system packages, a virtual environment, the tools,
# the third-party dependencies the staging packages declare, and vendor/ on the import path.
set -euo pipefail
PYTHON=${PYTHON:-python3}
VENV=${VENV:-.venv}
root=$(pwd)

need_apt=()
command -v dot >/dev/null 2>&1 || need_apt+=(graphviz)
# headless Chromium: the report page is tested in a real browser
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need_apt+=(chromium-driver)  # drives it (selenium)
# HAProxy: the baremetal provider's tests check the configuration it writes with `haproxy -c`
command -v haproxy >/dev/null 2>&1 || need_apt+=(haproxy)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing ${need_apt[*]} with apt-get"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
  else
    echo "setup: warning: missing system packages: ${need_apt[*]} (graphviz draws images; chromium tests the report page)" >&2
  fi
fi

# The installer: uv when it is on PATH or can be installed from PyPI (once per machine, into a cache folder shared by
# every clone), pip otherwise. Both install the same things; uv does it several times faster. SETUP_INSTALLER=pip
# forces pip.
uv=""
if [ "${SETUP_INSTALLER:-uv}" = uv ]; then
  uv_home="${XDG_CACHE_HOME:-$HOME/.cache}/monorepo-staging-tools/uv"
  if command -v uv >/dev/null 2>&1; then
    uv=$(command -v uv)
  elif [ -x "$uv_home/bin/uv" ]; then
    uv="$uv_home/bin/uv"
  else
    echo "setup: installing uv from PyPI into $uv_home"
    if "$PYTHON" -m pip install --disable-pip-version-check -q --target "$uv_home" uv >/dev/null 2>&1 \
      && [ -x "$uv_home/bin/uv" ]; then
      uv="$uv_home/bin/uv"
    else
      echo "setup: uv could not be installed; falling back to pip (slower)"
    fi
  fi
fi

if [ -n "$uv" ]; then
  echo "setup: using $("$uv" --version) ($uv)"
  if [ ! -x "$VENV/bin/python" ]; then
    echo "setup: creating $VENV with $($PYTHON --version)"
    "$uv" venv -q --seed --python "$PYTHON" "$VENV"
  fi
  install() {
    local out
    if ! out=$(VIRTUAL_ENV="$root/$VENV" "$uv" pip install -q --python "$VENV/bin/python" "$@" 2>&1); then
      printf '%s\n' "$out" >&2
      echo "setup: uv pip install $* failed" >&2
      return 1
    fi
  }
else
  echo "setup: using pip ($("$PYTHON" -m pip --version | cut -d' ' -f1-2))"
  if [ ! -x "$VENV/bin/python" ]; then
    echo "setup: creating $VENV with $($PYTHON --version)"
    "$PYTHON" -m venv "$VENV"
  fi
  # pip's output is shown only when it fails (editable installs warn at length about nothing wrong).
  install() {
    local out
    if ! out=$("$VENV/bin/python" -m pip --disable-pip-version-check -q install "$@" 2>&1); then
      printf '%s\n' "$out" | grep -v '^WARNING: Location' >&2
      echo "setup: pip install $* failed" >&2
      return 1
    fi
  }
  echo "setup: upgrading pip"
  install --upgrade pip
fi

echo "setup: installing the development tools (requirements-dev.txt)"
install -r requirements-dev.txt

# What the staging packages need from outside, read from their own pyproject.toml by depgraph (run from tools/).
PYTHONPATH="$root/tools" "$VENV/bin/python" -c 'from depgraph.cli import main; main()' \
  vendor requirements --extras test > "$VENV/staging-requirements.txt"
# Our tools, and the metadata (entry points, console scripts) of the core and of every staging package, all
# editable. The code itself is imported through vendor/, which comes first on sys.path, exactly as the
# published packages will be.
editables=(-e tools)
for dir in staging/*/ .; do
  [ -f "$dir/pyproject.toml" ] || continue
  editables+=(-e "$dir")
done
if [ -n "$uv" ]; then
  # One resolution: the siblings a package requires are among the editables, so nothing is looked up for them.
  echo "setup: installing depgraph and publish, the core and the staging packages (editable) and what they" \
    "require ($(grep -c . "$VENV/staging-requirements.txt") requirements)"
  install --no-build-isolation -r "$VENV/staging-requirements.txt" "${editables[@]}"
else
  echo "setup: installing what the staging packages require ($(grep -c . "$VENV/staging-requirements.txt") requirements)"
  install -r "$VENV/staging-requirements.txt"
  echo "setup: installing depgraph and publish, the core and the staging packages (editable, metadata only)"
  install --no-deps --no-build-isolation "${editables[@]}"
fi
site=$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_path("purelib"))')
echo "$root/vendor" > "$site/00_monorepo_vendor.pth"
echo "setup: $VENV ready"
