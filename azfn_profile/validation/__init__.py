"""Turn raw profile data into a `Profile`, or into a list of located issues.

Shape errors come from the pydantic models and are reworded (`shape`); checks that
need the catalog, the Python support table or today's date follow once the shape is right
(`semantics`). Every issue carries the path of the key it is about, so the loader can
point at line and column.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import ValidationError

from azfn_profile.profile import Profile, validate_python
from azfn_profile.validation.issue import Issue, ProfileInvalid, dotted
from azfn_profile.validation.semantics import canonical_sku, semantic_issues
from azfn_profile.validation.shape import reword, untag_unions

__all__ = ["Issue", "ProfileInvalid", "dotted", "validate"]


def validate(data: Any, today: date) -> Profile:
    """Validate profile data; raise ProfileInvalid with every issue found."""
    if not isinstance(data, dict):
        kind = "nothing" if data is None else f"a {type(data).__name__}"
        raise ProfileInvalid(
            [
                Issue(
                    (),
                    "a profile is a mapping of keys (name, python, "
                    f"workload, plan, ...); this document holds {kind}",
                )
            ]
        )
    try:
        profile = validate_python(data)
    except ValidationError as exc:
        raise ProfileInvalid(
            [reword(e) for e in untag_unions(exc.errors(), data)]
        ) from None
    profile = canonical_sku(profile)
    issues = list(semantic_issues(profile, today))
    if issues:
        raise ProfileInvalid(issues)
    return profile
