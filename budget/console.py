"""The ``budget`` console script: the CLI imported with the cyclic garbage collector paused.

Importing the CLI (typer, click, YAML, our dataclasses) makes ~15,000 long-lived objects that
the collector tracks, and no garbage: it would only rescan them (~10 ms of a plan's start-up,
and again at each later collection). It is on again before the command runs (the CLI pauses it
itself where that pays).
"""

from __future__ import annotations

import atexit
import gc
import os
import signal
import sys


def main() -> None:
    args = sys.argv[1:]
    planning = command_named(args) == "plan" and not {"-h", "--help"} & set(args)
    try:
        if planning and "--no-pdf" not in args:
            # its documents' rendering process first: it imports WeasyPrint (~0.3 s, the longest
            # wait of a city's plan) while the CLI is imported and the inputs are read
            from .writers.rendering import start_early

            start_early()
            from .writers.fonts import ask_early  # (after the fork: its answers are this process's to take)

            ask_early()
        elif planning:
            from .prefetch import start  # the policy files read while the CLI is imported

            start(args)
        enabled = gc.isenabled()
        gc.disable()
        try:
            from .cli import main as cli_main
        finally:
            gc.freeze()  # what the import made lives as long as the process: never scanned again
            if enabled:
                gc.enable()
    except KeyboardInterrupt:  # Ctrl-C before the CLI is there to say it: ended as the CLI ends it
        _leave(130)
    try:
        cli_main()
    except SystemExit as done:
        _leave(done.code)
    _leave(0)


def _leave(code: str | int | None) -> None:
    """End the process as the interpreter would, without freeing every object one by one first
    (a country's plan leaves about a million: ~0.01 s at the end of every run). What should run
    at exit runs (atexit: the rendering process stopped, temporary folders removed), and the
    output is flushed; with other threads alive, the interpreter ends as usual (it waits for them)."""
    threading = sys.modules.get("threading")  # (never imported: no other thread)
    if threading is not None and threading.active_count() > 1:
        sys.exit(code)
    if code is not None and not isinstance(code, int):  # sys.exit("message"): said, and the run failed
        print(code, file=sys.stderr)
        code = 1
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C does not cut the clean-up short
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:  # (None: started with the stream closed, by a scheduler say)
                stream.flush()
        except (OSError, ValueError):  # a closed pipe (budget plan | head): the interpreter's own status for it
            code = code or 120
    os._exit(code or 0)


def command_named(args: list[str]) -> str | None:
    """The command named in ``args`` (the first word that is not an option; --lang takes a value)."""
    skip = False
    for arg in args:
        if skip:
            skip = False
        elif arg == "--lang":
            skip = True
        elif not arg.startswith("-"):
            return arg
    return None
