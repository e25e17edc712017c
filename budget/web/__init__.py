"""The local web page (``budget serve``): the whole job in a browser, for clerks who do not use
a terminal. FastAPI and Jinja2; imported only by that command and the tests."""

from .app import create_app
from .jobs import Limits

__all__ = ["create_app", "Limits"]
