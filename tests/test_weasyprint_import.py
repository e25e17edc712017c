"""WeasyPrint imported with ldconfig's cache answering its library names (writers/weasyprint_import):
the same libraries as its own search, the full search where the cache does not know one.
Each case runs in a fresh interpreter: an import happens once a process."""

import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the quick search is Linux's")

MAPPED = """
import ctypes.util, sys
full_search = ctypes.util.find_library
{how}
import weasyprint.text.ffi as ffi
assert ctypes.util.find_library is full_search, "find_library left replaced"
print(sorted({{line.split()[-1] for line in open('/proc/self/maps') if '.so' in line}}))
print(ffi.harfbuzz_subset is not None, ffi.harfbuzz_vector is not None)
"""


def run(code: str, **env: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**os.environ, **env}, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_quick_import_maps_the_libraries_the_full_search_maps():
    quick = run(MAPPED.format(how="from budget.writers.weasyprint_import import import_weasyprint; import_weasyprint()"))
    full = run(MAPPED.format(how="import weasyprint"))
    assert "libpango-1.0.so" in quick
    assert quick == full


def test_no_name_is_looked_for_with_gcc_or_ld():
    code = MAPPED.format(how="""
asked = []
ctypes.util._findLib_gcc = ctypes.util._findLib_ld = lambda name: asked.append(name)
from budget.writers.weasyprint_import import import_weasyprint; import_weasyprint()
assert not asked, asked""")
    assert "libpango-1.0.so" in run(code)


def test_a_library_the_cache_does_not_know_is_found_the_full_way():
    # the cache knows nothing: the quick import fails, is forgotten, and the full search finds every library
    code = MAPPED.format(how="""
from budget.writers import weasyprint_import
weasyprint_import._ldconfig_names = lambda: (lambda name: None)
weasyprint_import.import_weasyprint()""")
    out = run(code)
    assert out == run(MAPPED.format(how="import weasyprint"))
    assert "WeasyPrint could not import" not in out  # its banner from the failed attempt is not printed


def test_with_ld_library_path_the_full_search_alone():
    code = MAPPED.format(how="""
from budget.writers import weasyprint_import
def refuse():
    raise AssertionError("the cache was asked")
weasyprint_import._ldconfig_names = refuse
weasyprint_import.import_weasyprint()""")
    assert "libpango-1.0.so" in run(code, LD_LIBRARY_PATH="/nonexistent")
