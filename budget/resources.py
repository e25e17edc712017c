"""The files shipped inside the package: the policy configurations, region lists, the
synthetic example and the document templates. Found with importlib.resources, so an
installed wheel finds them as a source checkout does."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path


def shipped(*parts: str) -> Path:
    # wheels install as plain files, so the traversable is a real path
    return Path(str(resources.files("budget").joinpath(*parts)))


CONFIGS = shipped("configs")
TEMPLATES = shipped("templates")
EXAMPLE_POLICY = CONFIGS / "xianyang-2017-303.yaml"
EXAMPLE_HEADCOUNTS = CONFIGS / "examples" / "xianyang-headcounts-synthetic.csv"
EXAMPLE_DOCUMENTS = CONFIGS / "documents" / "xianyang-2018.yaml"


def shipped_policies() -> list[str]:
    """Names of the shipped policy files, e.g. ``xianyang-2017-303``."""
    return sorted(p.stem for p in CONFIGS.glob("*.yaml"))


def policy_path(given: str) -> str:
    """``given`` as typed when such a file exists, else the shipped policy of that name
    (``xianyang-2017-303`` or ``xianyang-2017-303.yaml``), else ``given`` (the reader then
    says it does not exist)."""
    if os.path.exists(given):
        return given
    name = given if given.endswith(".yaml") else given + ".yaml"
    candidate = CONFIGS / name
    return str(candidate) if "/" not in name and "\\" not in name and candidate.exists() else given
