"""Secrets never reach a report: one redactor for the text a report builds from input
values (finding messages and reasons, computed resource names).

It is not applied to structure: file paths, module chains, check IDs and runtimes are
printed as they are, so an ordinary word held in a secure object (`python` in a
`@secure()` settings object) cannot corrupt them. The keys of a secure object are
structure too; only its values are secrets.

Two kinds of secret are known: the values of secure parameters (`securestring`,
`secureObject`, `@secure()`) the readers saw, and anything shaped like a credential in
a connection string or URL (`AccountKey=...`, `SharedAccessKey=...`, `Password=...`,
`sig=...`). A short secure value (under WORDLIKE characters) is masked only as a whole
word, so `python` masks "python" but not "pythonic"; longer ones wherever they occur.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

MASK = "***"
MIN_SECRET = 4  # shorter secure values would mask ordinary words
WORDLIKE = 12  # shorter values may be ordinary words: masked only as whole words
_CREDENTIAL = re.compile(
    r"(?i)\b(accountkey|sharedaccesskey|password|pwd|sig|secret|clientsecret)"
    r"(\s*[=:]\s*)([^;&\s'\"]+)"
)


class Redactor:
    def __init__(self, secrets: Iterable[str] = ()) -> None:
        values = sorted(
            {s for s in secrets if len(s) >= MIN_SECRET}, key=len, reverse=True
        )
        parts = [
            re.escape(v) if len(v) >= WORDLIKE else rf"(?<!\w){re.escape(v)}(?!\w)"
            for v in values
        ]
        self._pattern = re.compile("|".join(parts)) if parts else None

    def __call__(self, text: str) -> str:
        if self._pattern is not None:
            text = self._pattern.sub(MASK, text)
        return _CREDENTIAL.sub(lambda m: m.group(1) + m.group(2) + MASK, text)
