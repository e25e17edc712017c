"""The policy files of ``budget plan --no-pdf``, read ahead by a process forked as the command
starts, while this one imports the CLI and reads its options.

Reading a country's 335 policy files takes ~0.13 s; importing the CLI ~0.1 s. The process forked
before the import reads them and sends the policy back pickled (0.75 MB, unpickled in ~0.01 s).
It guesses the files from the command line; :func:`take` hands the policy over only when the
files, the scenario and the language are exactly those the command then asks for, and the
reading found no problem. Otherwise, or if the process failed, the command reads the files
itself, so what it says and makes is the same either way. With documents to render it is not
started: the rendering process has the other core then.
"""

from __future__ import annotations

import os
import pickle
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .core.policy import Policy

_started: tuple[int, int] | None = None  # (pid, the pipe it answers through)


def start(args: list[str]) -> None:
    """Fork the reading process for ``budget`` ``args`` (a plan's: its --policy and --scenario)."""
    global _started
    from .writers.children import workers

    if _started is not None or not hasattr(os, "fork") or workers() < 2:
        return
    policies, scenario = _named_files(args)
    reader, writer = os.pipe()
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:  # the reading process: never returns into the caller's code
        status = 1
        try:
            os.close(reader)
            from .writers.children import as_helper

            as_helper(parent)
            import gc

            gc.disable()  # (as the command reads: a short life that keeps what it makes until the end)
            answer = _read(policies, scenario)
            with os.fdopen(writer, "wb") as out:
                pickle.dump(answer, out, protocol=pickle.HIGHEST_PROTOCOL)
            status = 0
        finally:
            os._exit(status)
    os.close(writer)
    _started = (pid, reader)
    import atexit

    atexit.register(_stop)


def take(paths: list[str], scenario: str | None, within: str | None) -> Policy | None:
    """The policy read ahead, if it was read from exactly ``paths`` and ``scenario`` (nowhere
    restricted), in the language now chosen, without a problem; else None: read it here."""
    global _started
    if _started is None:
        return None
    pid, reader = _started
    _started = None
    with os.fdopen(reader, "rb") as pipe:
        data = pipe.read()
    _, status = os.waitpid(pid, 0)
    if status != 0 or within is not None:
        return None
    from .core.language import language

    try:
        read_from, read_scenario, read_in, policy = pickle.loads(data)
    except Exception:  # noqa: BLE001 — a torn answer: read here
        return None
    if (read_from, read_scenario, read_in) != (list(paths), scenario, language()) or policy is None:
        return None
    return policy


def _read(policies: list[str], scenario: str | None) -> tuple[list[str], str | None, str, Any]:
    """(the files, the scenario, the language, the policy or None when it had problems)."""
    from pathlib import Path

    from .core.language import language, language_from_environment, use_language
    from .core.problems import InputError
    from .readers.policy_reader import read_policy
    from .resources import EXAMPLE_POLICY, policy_path

    use_language(language_from_environment(os.environ))  # as the CLI chooses it without --lang
    # as the CLI makes them: typer gives a Path, whose text is normalised ("./a.yaml" is "a.yaml")
    paths = [policy_path(str(Path(p))) for p in policies] if policies else [str(EXAMPLE_POLICY)]
    scenario = str(Path(scenario)) if scenario else None
    if not all(os.path.isfile(p) for p in paths + ([scenario] if scenario else [])):
        return paths, scenario, language(), None  # (a pipe, say, must be read once: by the command)
    try:
        policy, _ = read_policy(paths, scenario)
    except InputError:
        policy = None  # the command reads them again and says what is wrong
    return paths, scenario, language(), policy


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
        pid, reader = _started
        _started = None
        os.close(reader)
        import signal

        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        os.waitpid(pid, 0)

