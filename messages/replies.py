"""What a customer's SMS reply may say, and what Waypost answers when it cannot act on it.

Replies are matched against every language's words at once (a customer may answer in any of
them); answers go out in the shipment's language. `api.provider_events` interprets a reply
with these words.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from typing import Final, Literal

from messages.catalogue import CATALOGUES
from messages.locales import negotiate
from messages.shape import InboundAnswerKey, ReplyWords, Words, fields
from models.locale import DEFAULT_LOCALE, Locale


def normalize(text: str) -> str:
    """Case, accents and punctuation out: "Da!" == "da", "Acasă" == "acasa", "#2." == "2"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).replace("ł", "l")
    plain = re.sub(r"['’`]", "", plain)  # "I'm" -> "im"  # noqa: RUF001
    plain = "".join(ch if ch.isalnum() else " " for ch in plain)
    return " ".join(plain.split())


def _vocabulary(words: Iterable[str]) -> frozenset[str]:
    return frozenset(normalize(word) for word in words)


def _every(pick: Callable[[ReplyWords[Words]], Words]) -> frozenset[str]:
    return _vocabulary(w for c in CATALOGUES.values() for w in pick(c.reply_words))


# The courier SMS asks "Reply 1 if home, 2 to reschedule" in every language: the digits are
# no language's words. A single word or digit anywhere in the reply answers; if the reply
# holds words for both answers ("yes 2") it is unclear. Words that a negation could flip
# ("home": "not home") only answer as the whole reply, which is how "не дома" stays a
# reschedule. A yes next to a negation ("not sure", "да, не ...") is not a clear yes.
CONFIRM_WORDS: Final = frozenset({"1"}) | _every(lambda words: words.confirm)
RESCHEDULE_WORDS: Final = frozenset({"2"}) | _every(lambda words: words.reschedule)
NEGATIONS: Final = _every(lambda words: words.negations)
CONFIRM_PHRASES: Final = _every(lambda words: words.confirm_phrases)
RESCHEDULE_PHRASES: Final = _every(lambda words: words.reschedule_phrases)

# Opt-out and opt-in keywords count only as the whole reply, as Twilio's do ("stop by at 5"
# is no opt-out). English keeps Twilio's defaults, which Twilio itself answers and enforces.
STOP_WORDS: Final = _every(lambda words: words.stop)
START_WORDS: Final = _every(lambda words: words.start)
HELP_WORDS: Final = frozenset({"help", "info"})
"""Twilio answers these itself: Waypost stays quiet."""

OptKeyword = Literal["stop", "start", "help"]


def opt_keyword(text: str) -> OptKeyword | None:
    """Whether a whole reply opts out (in any language), opts back in, or asks for help."""
    said = normalize(text)
    if said in STOP_WORDS:
        return "stop"
    if said in START_WORDS:
        return "start"
    if said in HELP_WORDS:
        return "help"
    return None


# The short SMS answered (as TwiML) to a reply that cannot be acted on; each says what to do.
# unclear_courier/unclear_slot: the reply was not understood (the question is still open);
# no_question: nothing is waiting for an answer from this number; refused: the answer was
# understood but the carrier/shop could not apply it; closed: the time to answer has passed;
# confirmed/rescheduled: the short acknowledgement of an answer to the courier's confirmation
# (once: a repeated answer is not acknowledged again).
# A tuple holds alternatives: the first whose fields are all given is used (unclear_slot names
# the valid numbers when given `count`, how many slots were offered). Other values are ignored:
# in particular an error's text never reaches the customer. Plain "-" and no typographic quotes,
# so the English texts stay GSM-7; every text fits in 120 characters.
INBOUND_ANSWERS: Final[Mapping[tuple[InboundAnswerKey, Locale], tuple[str, ...]]] = {
    (key, locale): alternatives
    for locale, catalogue in CATALOGUES.items()
    for key, alternatives in catalogue.answers.items()
}


def inbound_answer(locale: str, key: InboundAnswerKey, **values: str) -> str:
    """The SMS answered to an inbound reply Waypost cannot act on, in the customer's language
    (unknown locales get English). unclear_slot uses `count` (slots offered) when given; other
    values are ignored, so nothing internal is ever texted to the customer."""
    lang = negotiate(locale)
    alternatives = INBOUND_ANSWERS.get((key, lang)) or INBOUND_ANSWERS[(key, DEFAULT_LOCALE)]
    given = {name for name, value in values.items() if value}
    for text in alternatives:
        if fields(text) <= given:
            return text.format(**values)
    raise AssertionError(f"no {key!r} answer without fields")  # every key has one
