#!/usr/bin/env bash
# Build the wheel, install it in a fresh virtual environment (the locked versions), and plan
# the shipped example from a folder outside the source tree: proves that the policies,
# region lists, example and templates travel inside the package.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
.venv/bin/pip wheel -q --no-deps . -w "$work/dist" 2>&1 | grep -v '^WARNING: Location' || true
"$(.venv/bin/python -c 'import sys; print(sys._base_executable)')" -m venv "$work/venv"  # (the interpreter setup chose)
"$work/venv/bin/pip" install -q -c requirements.lock "$work"/dist/budget-*.whl 2>&1 | grep -v '^WARNING: Location' || true
cd "$work"
venv/bin/budget plan --year 2018 --out out >/dev/null
for file in allocations.csv plan.json budget-2018.xlsx explanation-2018.pdf indicators-2018.csv; do
  [ -s "out/$file" ] || { echo "check_wheel: the installed wheel did not write $file" >&2; exit 1; }
done
# the example rests on assumed values, so its notice is a draft: notice-2018-征求意见稿.pdf
ls out/notice-2018*.pdf >/dev/null 2>&1 || { echo "check_wheel: the installed wheel did not write the notice" >&2; exit 1; }
venv/bin/budget verify "$OLDPWD/tests/cases/xianyang_policy_cases.yaml" >/dev/null
# the web page's templates and stylesheet travel too: the app renders its home page from the wheel
venv/bin/python - <<'PY'
import asyncio
from budget.web import create_app
app = create_app()
sent = []
async def receive():
    return {"type": "http.request", "body": b"", "more_body": False}
async def send(message):
    sent.append(message)
scope = {"type": "http", "method": "GET", "path": "/", "raw_path": b"/", "query_string": b"", "root_path": "",
         "headers": [(b"host", b"127.0.0.1")], "scheme": "http", "server": ("127.0.0.1", 8000), "client": ("127.0.0.1", 1)}
asyncio.run(app(scope, receive, send))
body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body").decode("utf-8")
assert sent[0]["status"] == 200 and "下载填报模板" in body, sent[0]
scope = dict(scope, path="/static/app.css", raw_path=b"/static/app.css")
sent.clear()
asyncio.run(app(scope, receive, send))
assert sent[0]["status"] == 200, sent[0]
PY
echo "check_wheel: the wheel installs in a fresh venv and plans the shipped example ($(ls dist))"
