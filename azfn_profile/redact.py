"""Secrets never reach a report: one redactor, applied to every text a report prints.

Two kinds of secret are known: the values of secure parameters (`securestring`,
`secureObject`, `@secure()`) the readers saw, and anything shaped like a credential in
a connection string or URL (`AccountKey=...`, `SharedAccessKey=...`, `Password=...`,
`sig=...`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

MASK = "***"
MIN_SECRET = 4  # shorter secure values would mask ordinary words
_CREDENTIAL = re.compile(
    r"(?i)\b(accountkey|sharedaccesskey|password|pwd|sig|secret|clientsecret)"
    r"(\s*[=:]\s*)([^;&\s'\"]+)"
)


class Redactor:
    def __init__(self, secrets: Iterable[str] = ()) -> None:
        values = sorted(
            {s for s in secrets if len(s) >= MIN_SECRET}, key=len, reverse=True
        )
        self._pattern = (
            re.compile("|".join(re.escape(v) for v in values)) if values else None
        )

    def __call__(self, text: str) -> str:
        if self._pattern is not None:
            text = self._pattern.sub(MASK, text)
        return _CREDENTIAL.sub(lambda m: m.group(1) + m.group(2) + MASK, text)
