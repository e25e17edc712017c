"""budget — plan and settle social-insurance poverty-alleviation subsidies, exact to the fen."""

__version__ = "0.1.0"
