"""Import sqlite-utils without pandas and numpy.

sqlite-utils imports pandas and numpy, when they are installed, only to map their scalar types to column
types, which this app never stores. Streamlit installs both, and importing them costs about 0.3 s on
every start of the app and the CLI. Hiding the two for that one import (when nothing has imported them
yet) skips the cost; they import normally afterwards for the pages that chart with them.
"""

from __future__ import annotations

import sys

_HEAVY = ("pandas", "numpy")


def _import_sqlite_utils() -> None:
    hidden = [name for name in _HEAVY if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]  # an import of it raises ImportError
    try:
        import sqlite_utils  # noqa: F401
    finally:
        for name in hidden:
            if sys.modules.get(name, 0) is None:
                del sys.modules[name]


_import_sqlite_utils()
