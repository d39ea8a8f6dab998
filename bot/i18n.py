"""gettext for every user-facing string (Vietnamese catalogue in locales/vi/LC_MESSAGES).

The `.mo` file is compiled by `make locales` and the Dockerfile; when it is missing or older than
the `.po` (a fresh checkout run without make), the catalogue is compiled in memory from the `.po`,
so a person never sees an English fallback because a build step was skipped.
"""

from __future__ import annotations

import gettext as _gettext
from functools import cache
from pathlib import Path

DOMAIN = "messages"
DEFAULT_LOCALE = "vi"


def locales_dir() -> Path:
    here = Path(__file__).resolve().parent
    for candidate in (here / "locales", here.parent / "locales"):
        if candidate.is_dir():
            return candidate
    return here.parent / "locales"


@cache
def translations(locale: str = DEFAULT_LOCALE) -> _gettext.NullTranslations:
    folder = locales_dir() / locale / "LC_MESSAGES"
    po, mo = folder / f"{DOMAIN}.po", folder / f"{DOMAIN}.mo"
    if mo.is_file() and (not po.is_file() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as fh:
            return _gettext.GNUTranslations(fh)
    if po.is_file():
        return _compile_in_memory(po)
    return _gettext.NullTranslations()


def _compile_in_memory(po: Path) -> _gettext.NullTranslations:
    from io import BytesIO

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as fh:
        catalog = read_po(fh)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return _gettext.GNUTranslations(buffer)


def gettext(message: str) -> str:
    return translations().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations().ngettext(singular, plural, n)


_ = gettext


def N_(message: str) -> str:
    """Mark a string for extraction without translating it yet (translated where it is shown)."""
    return message
