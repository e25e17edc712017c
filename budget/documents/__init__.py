"""What the official documents say: settings, and the figures and sentences they print.

Pure: plain values for the templates, built from a plan or a settlement; rendering is in
io/pdf.py.
"""

from .explanation import Explanation, explanation
from .notice import Notice, notice
from .settlement import SettlementNotice, settlement_notice
from .tables import Table

__all__ = ["Explanation", "Notice", "SettlementNotice", "Table", "explanation", "notice", "settlement_notice"]
