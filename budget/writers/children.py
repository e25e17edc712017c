"""What a forked helper process does first: it dies with the process that forked it, and leaves
Ctrl-C to that process (which stops it), so a stopped or killed run leaves nothing running and
prints one message, not a traceback from each helper."""

from __future__ import annotations

import os
import signal
import sys

PR_SET_PDEATHSIG = 1  # linux/prctl.h
WORKERS_VARIABLE = "BUDGET_WORKERS"  # a number of processes (1: no children), for tests and tuning


def workers() -> int:
    """Processes to use: the cores this process may run on, or BUDGET_WORKERS."""
    given = os.environ.get(WORKERS_VARIABLE, "")
    if given.isascii() and given.isdigit() and int(given) > 0:  # (not "²", a digit int() refuses)
        return int(given)
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # (not on every system)
        return os.cpu_count() or 1


def as_helper(parent: int) -> None:
    """In a forked child of ``parent`` (its pid): killed when the parent ends, deaf to Ctrl-C, and
    ended at once by SIGTERM (not by the parent's handler, which unwinds)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if sys.platform.startswith("linux"):
        import ctypes  # (here: the rendering process is forked before anything is imported)

        try:
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        except (OSError, AttributeError):  # (no prctl: the pipe to the parent still ends the child)
            pass
    if os.getppid() != parent:  # the parent ended before the line above took effect
        os._exit(1)
