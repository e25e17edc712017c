# make demo  — set up, then plan the shipped (synthetic) Xianyang example into out/
# make test  — set up, then run the test suite
# make bench — set up, then print benchmark figures
.PHONY: setup demo test bench
setup:
	bash scripts/setup.sh
demo: setup
	.venv/bin/budget plan --out out
test:
	bash scripts/setup.sh --test
	.venv/bin/pytest
bench: setup
	.venv/bin/pip install -q -e '.[bench]'
	.venv/bin/python bench/run.py
