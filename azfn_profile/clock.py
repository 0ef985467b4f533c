"""Today's date for validation, pinnable so results do not drift between days."""

from __future__ import annotations

import os
from datetime import date

from azfn_profile.errors import AzfnProfileError

TODAY_ENV = "AZFN_PROFILE_TODAY"


def today() -> date:
    """Today, or the date pinned in AZFN_PROFILE_TODAY (YYYY-MM-DD)."""
    pinned = os.environ.get(TODAY_ENV)
    if not pinned:
        return date.today()
    try:
        return date.fromisoformat(pinned)
    except ValueError:
        raise AzfnProfileError(
            f"{TODAY_ENV}={pinned!r} is not a date (YYYY-MM-DD)"
        ) from None
