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
import fontTools.subset, fontTools.varLib.instancer  # (the quick import leaves them for later)
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


def test_font_tools_subsetter_is_not_imported_with_weasyprint():
    out = run("""
import sys
from budget.writers.weasyprint_import import LATER, import_weasyprint
import_weasyprint()
print([name for name in LATER if name in sys.modules])
import weasyprint.pdf.fonts
print(weasyprint.pdf.fonts.subset.__name__)""")
    assert out.split("\n")[:2] == ["[]", "fontTools.subset"]


def test_fonts_are_subset_with_font_tools_when_weasyprint_asks_for_it():
    # without HarfBuzz-subset WeasyPrint falls back on fontTools: the stand-ins import it then, and
    # the font is embedded subset (a few glyphs, not the whole CJK font)
    out = run("""
import re, sys, zlib
from budget.writers.weasyprint_import import import_weasyprint
weasyprint = import_weasyprint()
import weasyprint.pdf.fonts as fonts
fonts.harfbuzz_subset = None
pdf = weasyprint.HTML(string='<p style="font-family: Noto Sans CJK SC">资金 123</p>').write_pdf(uncompressed_pdf=True)
print('fontTools.subset' in sys.modules)
sizes = [int(n) for n in re.findall(rb'/Subtype /OpenType.*?/Length (\\d+)|/Length1 (\\d+)', pdf, re.S) for n in n if n]
print(max(sizes) if sizes else 0)
try:
    fonts.instantiateVariableFont(None, {})
except Exception as exc:
    print(type(exc).__name__, 'fontTools.varLib.instancer' in sys.modules)""")
    imported, size, instancer = out.strip().split("\n")
    assert imported == "True"
    assert 0 < int(size) < 2_000_000  # Noto Sans CJK is ~16 MB (its empty glyph ids kept: ~0.5 MB)
    assert instancer.endswith(" True")


def test_arrays_are_typed_from_their_items_as_cffi_types_them():
    out = run("""
from budget.writers.weasyprint_import import import_weasyprint
import_weasyprint()
from weasyprint.text.ffi import ffi
ffi.typeof('hb_codepoint_t'), ffi.typeof('char')  # the items, parsed once
parsed = []
real = ffi._parser.parse_type
ffi._parser.parse_type = lambda cdecl: parsed.append(cdecl) or real(cdecl)
made = [ffi.typeof(cdecl) for cdecl in ('hb_codepoint_t[45184]', 'char[4]', 'hb_codepoint_t[7]')]
print(parsed)
def cffis_own(cdecl):
    with ffi._lock:  # (as cffi calls it)
        return ffi._get_cached_btype(real(cdecl))
print(all(ctype is cffis_own(cdecl) for ctype, cdecl in zip(made, ('hb_codepoint_t[45184]', 'char[4]', 'hb_codepoint_t[7]'))))
print(list(ffi.new('hb_codepoint_t[3]', [5, 6, 7])), ffi.sizeof('hb_codepoint_t[45184]'))
try:
    ffi.typeof('no_such_t[3]')
except Exception as exc:
    print(type(exc).__name__)""")
    assert out.split("\n")[:4] == ["[]", "True", "[5, 6, 7] 180736", "CDefError"]


def test_html_is_parsed_with_each_expression_made_once_and_the_same_tree():
    out = run("""
import re, xml.etree.ElementTree as ET
import tinyhtml5, tinyhtml5.inputstream as stream
html = '<!DOCTYPE html><p class="a b" data-x=1>资金 &amp; 1,234.5678万元<br>文件 <td colspan=2>合计</td><!-- c --></p>' * 50
theirs = ET.tostring(tinyhtml5.parse(html))
from budget.writers.weasyprint_import import import_weasyprint
import_weasyprint()
compiled = []
real = re.compile
stream.re.compile = lambda *args: compiled.append(args) or real(*args)
ours = ET.tostring(tinyhtml5.parse(html))
print(ours == theirs, len(compiled), len(stream.characters_until_regex))
print(all(not isinstance(key[0], re.Pattern) for key in stream.characters_until_regex))""")
    same, compiled, kept = out.split("\n")[0].split()
    assert same == "True"
    assert int(compiled) == int(kept) < 12  # one expression per set of characters, not one per text run
    assert out.split("\n")[1] == "True"


def test_mended_however_weasyprint_was_imported():
    out = run("""
import weasyprint, tinyhtml5.inputstream as stream
from weasyprint.text.ffi import ffi
from budget.writers import weasyprint_import
weasyprint_import.import_weasyprint()
print(type(ffi._parsed_types).__name__, type(stream.characters_until_regex).__name__)""")
    assert out.split() == ["_ParsedTypes", "_CharactersUntil"]
