"""Every text Waypost shows or sends, in every language, and how it is formatted.

`catalogue/` holds one file per language (the texts); `shape.py` the one structure they fill;
`render.py` messages, `page.py` tracking-page strings, `replies.py` the SMS reply vocabulary
and answers, `formats.py` dates and times (Babel's CLDR data), `sms.py` segments and cost.
It imports models only, so activities and the API both use it without importing each other.
"""
