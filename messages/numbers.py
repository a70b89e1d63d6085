"""Money, shares and figures as CLDR writes them (Babel), for reports and support's views.

Costs keep the ledger's five decimal places where they matter (an SMS costs fractions of a cent)
and never fewer than the cents; the currency is named by its symbol.
"""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_currency, format_decimal, format_percent

MONEY_PATTERN = "¤#,##0.00###"
"""At least the cents, at most the five places the ledger keeps."""


def money(value: Decimal, currency: str = "USD", locale: str = "en_US") -> str:
    return format_currency(
        value, currency, format=MONEY_PATTERN, locale=locale, currency_digits=False
    )


def share(value: float, locale: str = "en_US") -> str:
    """A fraction as a percentage with one decimal: 0.9234 -> 92.3%."""
    return format_percent(value, format="#,##0.0%", locale=locale)


def figure(value: float, locale: str = "en_US") -> str:
    """A figure with two decimals: 2 -> 2.00."""
    return format_decimal(value, format="#,##0.00", locale=locale)
