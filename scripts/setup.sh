#!/usr/bin/env bash
# Set up everything budget needs on a fresh Debian machine (run as root for the system
# packages; otherwise it says what to install). Idempotent: a second run is quick.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(libharfbuzz-subset0 fonts-noto-cjk fonts-lxgw-wenkai poppler-utils)
# --test: also what the tests use to check outputs as users see them (LibreOffice recalculates
# the workbooks and re-saves filled templates; Chromium, driven by its chromedriver, clicks
# through the web page)
if [ "${1:-}" = "--test" ]; then
  PACKAGES+=(libreoffice-calc-nogui chromium chromium-driver)
fi
missing=()
for package in "${PACKAGES[@]}"; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "setup: installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "setup: cannot install system packages here; please run as root: apt-get install ${missing[*]}" >&2
    echo "setup: (fonts and the HarfBuzz subsetter are needed for the PDF documents)" >&2
  fi
fi

# FandolFang (仿宋) and friends: free GB2312 fonts shipped inside texlive-lang-chinese; taken
# from the package without installing TeX, and put on fontconfig's path.
if ! fc-list : family 2>/dev/null | grep FandolFang >/dev/null; then  # no -q: an early exit would SIGPIPE fc-list under pipefail
  if [ "$(id -u)" = 0 ]; then font_dir=/usr/local/share/fonts/fandol; else font_dir=$HOME/.local/share/fonts/fandol; fi
  tmp=$(mktemp -d)
  if (cd "$tmp" && apt-get download -qq texlive-lang-chinese 2>/dev/null \
      && dpkg-deb --fsys-tarfile texlive-lang-chinese_*.deb | tar -x --wildcards '*/fandol/Fandol*.otf'); then
    mkdir -p "$font_dir"
    find "$tmp" -name 'Fandol*.otf' ! -name '*Braille*' -exec cp {} "$font_dir" \;
    fc-cache -f "$font_dir" >/dev/null
    echo "setup: installed Fandol fonts into $font_dir"
  else
    echo "setup: could not fetch texlive-lang-chinese for the Fandol fonts; documents fall back to Noto CJK" >&2
  fi
  rm -rf "$tmp"
fi

# The interpreter: PYTHON if given, else the distribution's own Python 3.11 where there is one,
# else python3. Debian's is built with profile-guided and link-time optimisation; a pyenv build
# by default with neither, and a plan took ~15 % longer on it (city 1.48 -> 1.29 s, country
# 0.60 -> 0.49 s on this machine, the same bytes). An existing .venv is kept as it is.
if [ -z "${PYTHON:-}" ]; then
  PYTHON=python3
  if [ -x /usr/bin/python3.11 ]; then PYTHON=/usr/bin/python3.11; fi
fi
if [ ! -x .venv/bin/python ]; then
  if ! "$PYTHON" -m venv .venv 2>/dev/null; then
    # Debian's own python3 keeps venv in a separate package
    rm -rf .venv
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      apt-get install -y -qq python3-venv >/dev/null
      "$PYTHON" -m venv .venv
    else
      echo "setup: $PYTHON cannot create a virtual environment; install python3-venv (apt-get install python3-venv)" >&2
      exit 1
    fi
  fi
fi
# the exact versions of requirements.lock (made by `uv pip compile`, see the README), then the
# package itself; pyproject.toml keeps the ranges it is known to work with
stamp=.venv/.installed-$(cat pyproject.toml requirements.lock | sha256sum | cut -c1-16)
if [ ! -f "$stamp" ]; then
  .venv/bin/pip install -q --upgrade pip 2>&1 | grep -v '^WARNING: Location' || true
  .venv/bin/pip install -q -r requirements.lock 2>&1 | grep -v '^WARNING: Location' || true
  .venv/bin/pip install -q --no-deps -e . 2>&1 | grep -v '^WARNING: Location' || true
  .venv/bin/python -c "import budget, yaml, typer, openpyxl, xlsxwriter, jinja2, weasyprint, duckdb, fastapi, uvicorn, multipart, pytest, hypothesis, pdfplumber, pypdf, selenium"
  rm -f .venv/.installed-* && touch "$stamp"
fi
echo "setup: ready (.venv)"
