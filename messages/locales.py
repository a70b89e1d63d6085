"""Which supported locale a tag means: Babel's negotiation over the catalogues' locales."""

from __future__ import annotations

from babel import negotiate_locale

from models.locale import DEFAULT_LOCALE, LOCALES, Locale

_BY_CODE: dict[str, Locale] = {code: code for code in LOCALES}


def negotiate(tag: str | None) -> Locale:
    """The locale for a tag ("pl-PL", "ro_RO", "RO", "ru,en;q=0.8"); English when unsupported.

    Only the first tag of a list counts: what is asked for is the shipment's own locale, or a
    browser's first choice (its header says the rest in order of preference, not as fallbacks).
    """
    first = (tag or "").split(",", 1)[0].split(";", 1)[0].strip().replace("_", "-")
    found = negotiate_locale([first], LOCALES, sep="-", aliases={}) if first else None
    return _BY_CODE.get((found or "").lower(), DEFAULT_LOCALE)
