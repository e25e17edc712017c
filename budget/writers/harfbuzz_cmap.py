"""The characters a font file has, read by HarfBuzz (the library WeasyPrint draws with) through
ctypes: ~5 ms for a CJK font where fontTools' Python took ~0.05–0.1 s; the same characters
(tests/test_font_matches.py compares them). None where the library cannot be loaded: the
caller reads the file with fontTools then."""

from __future__ import annotations

import ctypes
import os
from functools import lru_cache
from typing import Any

NAMES = ("libharfbuzz.so.0", "libharfbuzz.0.dylib", "libharfbuzz-0.dll")  # Linux, macOS, MSYS2
INVALID = 0xFFFFFFFF  # HB_SET_VALUE_INVALID: where hb_set_next_range starts


def character_runs(path: str, index: int = 0) -> list[tuple[int, int]] | None:
    """The code points of face ``index`` of the font at ``path``, as ascending (first, last)
    runs; None where HarfBuzz cannot be loaded. A file that is no font has no characters."""
    hb = _harfbuzz()
    if hb is None:
        return None
    blob = hb.hb_blob_create_from_file(os.fsencode(path))
    face = hb.hb_face_create(blob, index)
    found = hb.hb_set_create()
    try:
        hb.hb_face_collect_unicodes(face, found)
        first, last = ctypes.c_uint32(INVALID), ctypes.c_uint32(INVALID)
        runs = []
        while hb.hb_set_next_range(found, ctypes.byref(first), ctypes.byref(last)):
            runs.append((first.value, last.value))
        return runs
    finally:
        hb.hb_set_destroy(found)
        hb.hb_face_destroy(face)
        hb.hb_blob_destroy(blob)


@lru_cache(maxsize=1)
def _harfbuzz() -> Any:
    for name in NAMES:
        try:
            hb = ctypes.CDLL(name)
            break
        except OSError:
            continue
    else:
        return None
    pointer, pointers = ctypes.c_void_p, [ctypes.c_void_p]
    try:
        for function, result, arguments in (
                ("hb_blob_create_from_file", pointer, [ctypes.c_char_p]),
                ("hb_face_create", pointer, [pointer, ctypes.c_uint]),
                ("hb_set_create", pointer, []),
                ("hb_face_collect_unicodes", None, [pointer, pointer]),
                ("hb_set_next_range", ctypes.c_int, [pointer, ctypes.POINTER(ctypes.c_uint32),
                                                     ctypes.POINTER(ctypes.c_uint32)]),
                ("hb_set_destroy", None, pointers), ("hb_face_destroy", None, pointers),
                ("hb_blob_destroy", None, pointers)):
            getattr(hb, function).restype = result
            getattr(hb, function).argtypes = arguments
    except AttributeError:  # a HarfBuzz older than 1.7.7 (hb_blob_create_from_file)
        return None
    return hb
