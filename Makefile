# make demo  — set up, then plan the shipped (synthetic) Xianyang example into out/
# make serve — set up, then serve the clerks' web page on http://127.0.0.1:8000/
# make test  — set up, then run the test suite
# make bench — set up, then print benchmark figures
# make wheel-check — build the wheel, install it in a fresh venv, plan the example with it
.PHONY: setup demo serve test bench wheel-check
setup:
	bash scripts/setup.sh
demo: setup
	.venv/bin/budget plan --out out
serve: setup
	.venv/bin/budget serve
test:
	bash scripts/setup.sh --test
	.venv/bin/ruff check budget tests bench scripts
	.venv/bin/mypy
	.venv/bin/pytest
bench: setup
	.venv/bin/pip install -q -e '.[bench]'
	.venv/bin/python bench/run.py
	.venv/bin/python bench/roster.py
wheel-check: setup
	bash scripts/check_wheel.sh
