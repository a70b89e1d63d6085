"""Each language's `Catalogue`: the structure of `messages.templates`, its texts translated.

English is the source itself; every other `Locale` is its PO file,
`messages/locale/<code>/LC_MESSAGES/waypost.po`, read once at import with Babel (no compile
step, so nothing generated is committed or built). A text the PO file lacks, or marks fuzzy,
stays English, as gettext does; `tests/test_messages.py` keeps every PO file complete.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Final

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from messages import templates
from messages.shape import Catalogue, DateStyle, Msg, ReplyWords, Template, Words
from models.locale import LOCALES, Locale

SOURCE_LOCALE: Final[Locale] = "en"
"""The language `messages.templates` is written in: the msgids."""

LOCALE_DIR: Final = Path(__file__).parent / "locale"

Translate = Callable[[Msg], str]


def po_file(locale: Locale) -> Path:
    """Where a language's translations are (gettext's layout, which `pybabel update` keeps)."""
    return LOCALE_DIR / locale / "LC_MESSAGES" / "waypost.po"


def translator(catalog: Catalog) -> Translate:
    """Each English text as `catalog` says it; untranslated or fuzzy, the English (gettext's
    rule: a text a translator has not confirmed is not shown)."""

    def translate(msg: Msg) -> str:
        entry = catalog.get(msg.id, msg.context)
        if entry is None or entry.fuzzy or not isinstance(entry.string, str) or not entry.string:
            return msg.id
        return entry.string

    return translate


def translations(locale: Locale) -> Translate:
    """How `locale` says each English text: its PO file's, English's own."""
    if locale == SOURCE_LOCALE:
        return lambda msg: msg.id
    with po_file(locale).open("rb") as po:
        return translator(read_po(po, locale=locale))


def words(listed: str) -> Words:
    """A reply-words entry, "a, b, c" ("-" for none), as its words."""
    return () if listed.strip() == "-" else tuple(word.strip() for word in listed.split(","))


def _template(source: Template[Msg], tr: Translate) -> Template[str]:
    body = tuple(
        tuple(tr(clause) if isinstance(clause, Msg) else tuple(map(tr, clause)) for clause in para)
        for para in source.body
    )
    return Template(body=body, subject=None if source.subject is None else tr(source.subject))


def catalogue(locale: Locale) -> Catalogue:
    """The catalogue of one language, translated from the English structure."""
    tr = translations(locale)
    source = templates.REPLY_WORDS
    return Catalogue(
        dates=DateStyle(message=tr(templates.DATES.message), page=tr(templates.DATES.page)),
        messages={key: _template(template, tr) for key, template in templates.MESSAGES.items()},
        sms_sender=tr(templates.SMS_SENDER),
        sms_opt_out=tr(templates.SMS_OPT_OUT),
        link_lines=frozenset(map(tr, templates.LINK_LINES)),
        email={msg.context or msg.id: tr(msg) for msg in templates.EMAIL},
        page={msg.context or msg.id: tr(msg) for msg in templates.PAGE},
        answers={key: tuple(map(tr, texts)) for key, texts in templates.ANSWERS.items()},
        reply_words=ReplyWords(
            confirm=words(tr(source.confirm)),
            reschedule=words(tr(source.reschedule)),
            confirm_phrases=words(tr(source.confirm_phrases)),
            reschedule_phrases=words(tr(source.reschedule_phrases)),
            negations=words(tr(source.negations)),
            stop=words(tr(source.stop)),
            start=words(tr(source.start)),
        ),
    )


CATALOGUES: Final[Mapping[Locale, Catalogue]] = {locale: catalogue(locale) for locale in LOCALES}
"""One catalogue per `Locale`: adding a language is its code there and its PO file."""
