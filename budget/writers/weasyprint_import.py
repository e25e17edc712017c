"""WeasyPrint imported without its slowest step on Linux: its search for Pango and HarfBuzz.

WeasyPrint opens each library under the names it has on five platforms ('libpango-1.0-0',
'pango-1.0-0', 'pango-1.0', …), and cffi answers every name that does not open by asking
``ctypes.util.find_library``, which on Linux runs ldconfig and then gcc and ld for each (~10 ms
for a name that is not there: 16 of the 22 names, ~0.19 s, a third of the import and the longest
wait of a city's plan). ldconfig's cache, listed once, gives the names that open here, as
find_library's first step would. A library the cache does not know (one on LD_LIBRARY_PATH,
say) is looked for the full way: with LD_LIBRARY_PATH set, and when the quick import fails.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import struct
import subprocess
import sys
from collections.abc import Callable
from types import ModuleType

# ldconfig -p's name for this machine's ABI (as ctypes.util says it)
ABI = {"x86_64-64": "libc6,x86-64", "ppc64-64": "libc6,64bit", "sparc64-64": "libc6,64bit",
       "s390x-64": "libc6,64bit", "ia64-64": "libc6,IA-64"}


def import_weasyprint() -> ModuleType:
    if "weasyprint" in sys.modules or not sys.platform.startswith("linux") or os.environ.get("LD_LIBRARY_PATH"):
        import weasyprint

        return weasyprint
    import ctypes.util

    cached = _ldconfig_names()
    if cached is None:  # no ldconfig to ask
        import weasyprint

        return weasyprint
    full_search = ctypes.util.find_library
    ctypes.util.find_library = cached  # type: ignore[assignment]  # (the same signature)
    try:
        with contextlib.redirect_stdout(io.StringIO()):  # its banner, printed before a library fails to open
            import weasyprint
        return weasyprint
    except OSError:
        for name in [name for name in sys.modules if name == "weasyprint" or name.startswith("weasyprint.")]:
            del sys.modules[name]
    finally:
        ctypes.util.find_library = full_search
    import weasyprint  # noqa: F811 — the full search: it finds the library or says what is missing

    return weasyprint


def _ldconfig_names() -> Callable[[str], str | None] | None:
    """find_library's first step, with ldconfig's cache listed once, not once a name."""
    try:
        listing = subprocess.run(["/sbin/ldconfig", "-p"], stdin=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                 stdout=subprocess.PIPE, env={"LC_ALL": "C", "LANG": "C"},
                                 check=False).stdout
    except OSError:
        return None
    abi = ABI.get(f"{os.uname().machine}-{struct.calcsize('l') * 8}", "libc6")

    def find(name: str) -> str | None:
        found = re.search(os.fsencode(rf"\s+(lib{re.escape(name)}\.[^\s]+)\s+\({abi}"), listing)
        return os.fsdecode(found.group(1)) if found else None

    return find
