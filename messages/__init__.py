"""Every text Waypost shows or sends, in every language, and how it is formatted.

`templates.py` holds the structure and the English texts, written once; `locale/` one gettext
PO file per other language (its translations only); `catalogue.py` each language's texts;
`render.py` messages, `page.py` tracking-page strings, `replies.py` the SMS reply vocabulary
and answers, `formats.py` dates and times (Babel's CLDR data), `sms.py` segments and cost.
It imports models only, so activities and the API both use it without importing each other.
"""
