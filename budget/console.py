"""The ``budget`` console script: the CLI imported with the cyclic garbage collector paused.

Importing the CLI (typer, click, YAML, our dataclasses) makes ~15,000 long-lived objects that
the collector tracks, and no garbage: it would only rescan them (~10 ms of a plan's start-up,
and again at each later collection). It is on again before the command runs (the CLI pauses it
itself where that pays).
"""

from __future__ import annotations

import gc


def main() -> None:
    enabled = gc.isenabled()
    gc.disable()
    try:
        from .cli import main as cli_main
    finally:
        gc.freeze()  # what the import made lives as long as the process: never scanned again
        if enabled:
            gc.enable()
    cli_main()
