"""The policy files of ``budget plan --no-pdf``, read ahead by a process forked as the command
starts, while this one imports the CLI and reads its options.

Reading a country's 335 policy files takes ~0.17 s (~0.02 s when an earlier run's reading is
kept: policy_cache.py, which this process reads through); importing the CLI ~0.1 s. The process forked
before the import reads them and sends the policy back pickled (0.75 MB, unpickled in ~0.01 s).
It is a job of writers/parallel.py, and guesses the files from the command line; :func:`take`
hands the policy over only when the files, the scenario and the language are exactly those the
command then asks for, and the reading found no problem. Otherwise the command reads the files
itself (and if the process failed, its job is done again here), so what it says and makes is
the same either way. With documents to render it is not started: the rendering process has the
other core then.
"""

from __future__ import annotations

import os
from functools import partial
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .core.policy import Policy
    from .writers.parallel import Running

_started: Running | None = None  # the reading process (writers/parallel.py), until taken


def start(args: list[str]) -> None:
    """Fork the reading process for ``budget`` ``args`` (a plan's: its --policy and --scenario)."""
    global _started
    from .core.language import language_from_environment
    from .writers.parallel import start_jobs

    if _started is not None:
        return
    policies, scenario = _named_files(args)
    # (the language the CLI chooses without --lang; with another, the policy is read again)
    job = partial(_read, policies, scenario, language_from_environment(os.environ))
    _started = start_jobs([job], here=1.0)  # here: the caller, importing the CLI meanwhile
    if not _started.children:  # one core, BUDGET_WORKERS=1, no fork: the command reads them itself
        _started = None
        return
    import atexit

    atexit.register(_stop)


def take(paths: list[str], scenario: str | None, within: str | None) -> Policy | None:
    """The policy read ahead, if it was read from exactly ``paths`` and ``scenario`` (nowhere
    restricted), in the language now chosen, without a problem; else None: read it here."""
    global _started
    if _started is None:
        return None
    started, _started = _started, None
    try:
        read_from, read_scenario, read_in, policy = started.result()[0]  # (made again here if the process failed)
    finally:
        started.close()
    from .core.language import language

    if within is not None or (read_from, read_scenario, read_in) != (list(paths), scenario, language()):
        return None
    if isinstance(policy, bytes):  # a reading kept from an earlier run, as it was kept
        from .policy_cache import unpickled

        return unpickled(policy)
    return policy


def _read(policies: list[str], scenario: str | None, chosen: str) -> tuple[list[str], str | None, str, Any]:
    """(the files, the scenario, the language, the policy — or its pickle, kept from an earlier
    run — or None when it had problems), read in the language ``chosen`` without a collector (a
    short life that keeps what it makes)."""
    import gc
    from pathlib import Path

    from .core.language import language, use_language
    from .core.problems import InputError
    from .policy_cache import read_policy_kept
    from .resources import EXAMPLE_POLICY, policy_path

    # as the CLI makes them: typer gives a Path, whose text is normalised ("./a.yaml" is "a.yaml")
    paths = [policy_path(str(Path(p))) for p in policies] if policies else [str(EXAMPLE_POLICY)]
    scenario = str(Path(scenario)) if scenario else None
    if not all(os.path.isfile(p) for p in paths + ([scenario] if scenario else [])):
        return paths, scenario, chosen, None  # (a pipe, say, must be read once: by the command)
    before, collecting = language(), gc.isenabled()
    use_language(chosen)
    gc.disable()
    try:
        policy = read_policy_kept(paths, scenario, pickled=True)  # (kept: sent on as it was kept)
    except InputError:
        policy = None  # the command reads them again and says what is wrong
    finally:
        use_language(before)
        if collecting:
            gc.enable()
    return paths, scenario, chosen, policy


def _named_files(args: list[str]) -> tuple[list[str], str | None]:
    """The --policy (-p) and --scenario values on a command line, as the CLI would read them
    (a guess: :func:`take` checks it against what the CLI did read)."""
    policies: list[str] = []
    scenario = None
    for index, arg in enumerate(args):
        name, equals, value = arg.partition("=")
        if name in ("--policy", "-p", "--scenario"):
            if not equals:
                value = args[index + 1] if index + 1 < len(args) else ""
            if name == "--scenario":
                scenario = value
            else:
                policies.append(value)
        elif arg.startswith("-p") and len(arg) > 2 and not arg.startswith("--"):
            policies.append(arg[2:])  # -pFILE
    return policies, scenario


def _stop() -> None:
    """Not taken (the command failed first): stopped and collected."""
    global _started
    if _started is not None:
        started, _started = _started, None
        started.close()
