"""WeasyPrint imported without its two slowest steps: its search for Pango and HarfBuzz (on
Linux), and fontTools' subsetter, which it never calls here.

WeasyPrint opens each library under the names it has on five platforms ('libpango-1.0-0',
'pango-1.0-0', 'pango-1.0', …), and cffi answers every name that does not open by asking
``ctypes.util.find_library``, which on Linux runs ldconfig and then gcc and ld for each (~10 ms
for a name that is not there: 16 of the 22 names, ~0.19 s, a third of the import and the longest
wait of a city's plan). ldconfig's cache, listed once, gives the names that open here, as
find_library's first step would. A library the cache does not know (one on LD_LIBRARY_PATH,
say) is looked for the full way: with LD_LIBRARY_PATH set, and when the quick import fails.

WeasyPrint subsets fonts with HarfBuzz; fontTools' subsetter and variable-font instancer, which
it imports for the fallback (no HarfBuzz-subset) and for variable and colour fonts, take ~0.1 s
of the import (a third of what is left). They are imported when first used instead.

WeasyPrint asks cffi for arrays by their length (``ffi.new(f"hb_codepoint_t[{n}]", …)``), and cffi
parses every new length with pycparser: ~0.05 s of each process's first document. An array's
type is made from its item's type instead, as cffi's own model makes it.

tinyhtml5 (WeasyPrint's HTML parser) keeps the regular expression of each set of characters
it scans for, but under the expression instead of the set (``characters = cache[key] = regex``
assigns left to right), so it never finds one and makes it again for every text run: ~0.03 s of
a notice. The cache is filled under the right key.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import os
import re
import struct
import subprocess
import sys
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

# ldconfig -p's name for this machine's ABI (as ctypes.util says it)
ABI = {"x86_64-64": "libc6,x86-64", "ppc64-64": "libc6,64bit", "sparc64-64": "libc6,64bit",
       "s390x-64": "libc6,64bit", "ia64-64": "libc6,IA-64"}


# imported by WeasyPrint's PDF writer for what it does not do here (see above)
LATER = ("fontTools.subset", "fontTools.varLib.instancer")


def import_weasyprint() -> ModuleType:
    if "weasyprint" not in sys.modules:
        with _imported_when_used(LATER):
            _import_weasyprint()
    import weasyprint  # (None in sys.modules: it failed before, and fails again)

    _mend()
    return weasyprint


def _mend() -> None:
    """cffi's array types and tinyhtml5's expressions kept (see above), once a process, however
    WeasyPrint was imported."""
    from weasyprint.text.ffi import ffi

    if not isinstance(ffi._parsed_types, _ParsedTypes):
        ffi._parsed_types = _ParsedTypes(ffi)
    import tinyhtml5.inputstream

    if type(getattr(tinyhtml5.inputstream, "characters_until_regex", None)) is dict:
        tinyhtml5.inputstream.characters_until_regex = _CharactersUntil()


def _import_weasyprint() -> ModuleType:
    if not sys.platform.startswith("linux") or os.environ.get("LD_LIBRARY_PATH"):
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


class _StandIn(ModuleType):
    """A module's stand-in while WeasyPrint is imported: what is imported from it (``from m
    import f``) is a function that imports ``m`` when called; itself, imported as a module (``from
    package import m``), it imports ``m`` when one of its names is first used."""

    def __getattr__(self, name: str) -> object:
        if name.startswith("__"):  # (asked by the import system and by tools: not the module's names)
            raise AttributeError(name)
        module = self.__name__
        if sys.modules.get(module) is self:  # still standing in: ``from module import name``
            def called_later(*args: object, **kwargs: object) -> object:
                return getattr(importlib.import_module(module), name)(*args, **kwargs)

            return called_later
        return getattr(importlib.import_module(module), name)


@contextlib.contextmanager
def _imported_when_used(modules: tuple[str, ...]) -> Iterator[None]:
    """While the block runs, ``modules`` (those not imported yet) are stand-ins (:class:`_StandIn`);
    once it ends, the first use of one imports it."""
    stand_ins = {name: _StandIn(name) for name in modules if name not in sys.modules}
    sys.modules.update(stand_ins)
    try:
        yield
    finally:
        for name, stand_in in stand_ins.items():
            if sys.modules.get(name) is stand_in:
                del sys.modules[name]


class _ParsedTypes(dict):
    """cffi's parsed types (``ffi._parsed_types``, which its ``_typeof`` looks in first), where a
    missing ``"item[length]"`` is made from the item's type without pycparser: the type object
    cffi's model makes (``ArrayType.build_backend_type``), from the same caches."""

    ARRAY = re.compile(r"(\w[\w ]*?) ?\[(\d+)\]")

    def __init__(self, ffi: Any) -> None:
        super().__init__(ffi._parsed_types)
        self._ffi = ffi

    def __missing__(self, cdecl: object) -> tuple[object, bool]:
        found = self.ARRAY.fullmatch(cdecl) if isinstance(cdecl, str) else None
        if found is None:
            raise KeyError(cdecl)  # parsed by cffi (which says what is wrong with it)
        from cffi import model

        try:
            item = self._ffi._typeof(found[1])
        except Exception:  # noqa: BLE001 — not a type cffi knows: parsed whole, and refused, by cffi
            raise KeyError(cdecl) from None
        made = (model.global_cache("?", self._ffi, "new_array_type", model.pointer_cache(self._ffi, item),
                                   int(found[2])), False)
        self[cdecl] = made
        return made


class _CharactersUntil(dict):
    """tinyhtml5's ``characters_until_regex``, which ``chars_until`` looks in first: the expression
    for ``(characters, opposite)`` made as it makes it, and kept under that key."""

    def __missing__(self, key: tuple[frozenset[str] | str, bool]) -> re.Pattern[str]:
        characters, opposite = key
        expression = "".join(f"\\x{ord(character):02x}" for character in characters)
        made = self[key] = re.compile(f"[{expression}]+" if opposite else f"[^{expression}]+")
        return made
