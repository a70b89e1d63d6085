"""The shapes of Waypost's texts, written once for every language.

`messages.templates` fills them with English `Msg`s (the msgids of the PO files); each
language's `Catalogue` is the same shape with the translations in (`messages.catalogue`).
Generic over the text type, so the structure cannot differ between the two.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from string import Formatter
from typing import Generic, Literal, NamedTuple, TypeAlias, TypeVar

from models.notification import Channel, NotificationKind

T = TypeVar("T")

Clause: TypeAlias = T | tuple[T, ...]
"""A sentence; a tuple offers alternatives, the first whose fields are all known is used."""

Paragraph: TypeAlias = tuple[Clause[T], ...]


class Msg(NamedTuple):
    """One English text as gettext knows it: its msgid, and a msgctxt where the same English
    must translate differently (a page string's context is its key)."""

    id: str
    context: str | None = None


def N_(msgid: str) -> Msg:
    """Mark an English text for translation: gettext's no-op marker, the name `pybabel` finds."""
    return Msg(msgid)


def NC_(context: str, msgid: str) -> Msg:
    """Mark an English text for translation in a context (msgctxt): GLib's name for it."""
    return Msg(msgid, context)


@dataclass(frozen=True)
class Template(Generic[T]):
    """Paragraphs of clauses. Clauses join with a space, paragraphs with a blank line.

    An SMS is a single paragraph. A clause (or a whole paragraph) that needs an unknown field
    is left out, which is how optional context drops its sentence instead of printing "None".
    """

    body: tuple[Paragraph[T], ...]
    subject: T | None = None


@cache
def fields(text: str) -> frozenset[str]:
    """The `{names}` a text needs (tests keep them equal across locales)."""
    return frozenset(field for _, field, _, _ in Formatter().parse(text) if field)


def sms(*clauses: Clause[T]) -> Template[T]:
    return Template(body=(clauses,))


def email(subject: T, *paragraphs: Paragraph[T]) -> Template[T]:
    return Template(body=paragraphs, subject=subject)


InboundAnswerKey = Literal[
    "unclear_courier",
    "unclear_slot",
    "no_question",
    "refused",
    "closed",
    "confirmed",
    "rescheduled",
]
"""What Waypost answers (as TwiML) to an SMS reply: one it cannot act on, or (confirmed,
rescheduled) the acknowledgement of an answer to the courier's confirmation; see
`messages.replies`."""


@dataclass(frozen=True, kw_only=True)
class DateStyle(Generic[T]):
    """CLDR date patterns (Babel syntax): how a day is written in messages and on the page.

    Messages keep dates short (SMS length); the page adds a weekday where the message date
    has none, which helps when choosing a slot. Times are always 24-hour "HH:mm".
    """

    message: T
    page: T


Words: TypeAlias = tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class ReplyWords(Generic[T]):
    """Words an SMS reply to the courier's confirmation may use, as written (normalized later).

    A word answers anywhere in the reply; a phrase only as the whole reply (a negation could
    flip it: "not home"); a negation next to a yes makes the yes unclear ("not sure").
    In the source each field is one `Msg`, the list written "a, b, c" ("-" for none).
    """

    confirm: T
    reschedule: T
    confirm_phrases: T
    reschedule_phrases: T
    negations: T
    stop: T
    """Opt-out keywords, only as the whole reply (Twilio's STOP and its Advanced Opt-Out)."""
    start: T
    """Opt-in keywords that undo an opt-out, only as the whole reply."""


@dataclass(frozen=True, kw_only=True)
class Catalogue:
    """Every text of one language, translated from `messages.templates`.

    `messages`: an SMS and an email template per kind (fields as listed in `messages.render`);
    `sms_sender`: the clause naming the shop that opens every SMS; `sms_opt_out`: the
    opt-out hint an SMS may end with; `email`: the HTML email's
    own strings by key ("email.button"), and `link_lines` the paragraphs its button replaces;
    `page`: the tracking page's strings by key ("status.delivered"); `answers`: the SMS
    answered to a reply Waypost cannot act on, alternatives as in a clause; `reply_words`:
    how a customer may answer the courier's confirmation.
    """

    dates: DateStyle[str]
    messages: Mapping[tuple[NotificationKind, Channel], Template[str]]
    sms_sender: str
    sms_opt_out: str
    link_lines: frozenset[str]
    email: Mapping[str, str]
    page: Mapping[str, str]
    answers: Mapping[InboundAnswerKey, tuple[str, ...]]
    reply_words: ReplyWords[Words]
