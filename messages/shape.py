"""The one shape of a language's texts: each file in `catalogue/` is an instance of `Catalogue`.

The structure lives here once, so a language file holds its words and nothing else, and a
new language is a new instance (plus its entry in `catalogue/__init__.py`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from string import Formatter
from typing import Literal

from models.notification import Channel, NotificationKind

Clause = str | tuple[str, ...]
"""A sentence; a tuple offers alternatives, the first whose fields are all known is used."""

Paragraph = tuple[Clause, ...]


@dataclass(frozen=True)
class Template:
    """Paragraphs of clauses. Clauses join with a space, paragraphs with a blank line.

    An SMS is a single paragraph. A clause (or a whole paragraph) that needs an unknown field
    is left out, which is how optional context drops its sentence instead of printing "None".
    """

    body: tuple[Paragraph, ...]
    subject: str | None = None


@cache
def fields(text: str) -> frozenset[str]:
    """The `{names}` a text needs (tests keep them equal across locales)."""
    return frozenset(field for _, field, _, _ in Formatter().parse(text) if field)


def sms(*clauses: Clause) -> Template:
    return Template(body=(clauses,))


def email(subject: str, *paragraphs: Paragraph) -> Template:
    return Template(body=paragraphs, subject=subject)


InboundAnswerKey = Literal["unclear_courier", "unclear_slot", "no_question", "refused", "closed"]
"""What Waypost answers (as TwiML) to an SMS reply it cannot act on; see `messages.replies`."""


@dataclass(frozen=True, kw_only=True)
class DateStyle:
    """CLDR date patterns (Babel syntax): how a day is written in messages and on the page.

    Messages keep dates short (SMS length); the page adds a weekday where the message date
    has none, which helps when choosing a slot. Times are always 24-hour "HH:mm".
    """

    message: str
    page: str


@dataclass(frozen=True, kw_only=True)
class ReplyWords:
    """Words an SMS reply to the courier's confirmation may use, as written (normalized later).

    A word answers anywhere in the reply; a phrase only as the whole reply (a negation could
    flip it: "not home"); a negation next to a yes makes the yes unclear ("not sure").
    """

    confirm: tuple[str, ...]
    reschedule: tuple[str, ...]
    confirm_phrases: tuple[str, ...]
    reschedule_phrases: tuple[str, ...]
    negations: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Catalogue:
    """Every text of one language.

    `messages`: an SMS and an email template per kind (fields as listed in `messages.render`);
    `page`: the tracking page's strings by key ("status.delivered"); `answers`: the SMS
    answered to a reply Waypost cannot act on, alternatives as in a clause; `reply_words`:
    how a customer may answer the courier's confirmation. Tests hold every catalogue to the
    same keys and placeholders as English.
    """

    dates: DateStyle
    messages: Mapping[tuple[NotificationKind, Channel], Template]
    page: Mapping[str, str]
    answers: Mapping[InboundAnswerKey, tuple[str, ...]]
    reply_words: ReplyWords
