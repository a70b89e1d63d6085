"""The registry of catalogues: one per `models.locale.Locale`, each in its own file.

Adding a language: add it to `Locale`, write `<code>.py` (copy `en.py`, translate every text),
and add its entry here; the tests in `tests/test_messages.py` say what is missing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from messages.catalogue import en, pl, ro, ru
from messages.shape import Catalogue
from models.locale import Locale

CATALOGUES: Final[Mapping[Locale, Catalogue]] = {
    "en": en.CATALOGUE,
    "ru": ru.CATALOGUE,
    "pl": pl.CATALOGUE,
    "ro": ro.CATALOGUE,
}
