"""azfn-profile: workload profile + SKU -> throughput settings for Python on Azure Functions."""

from __future__ import annotations

__version__ = "0.1.0"

#: The project's home: install hints, SARIF `informationUri` and rule `helpUri`s.
REPOSITORY_URL = "https://github.com/azfn-profile/azfn-profile"
#: Where each check's documentation lives (`#azfn101` anchors), for links that work
#: outside a clone (SARIF in GitHub code scanning, the text report).
CHECKS_URL = f"{REPOSITORY_URL}/blob/main/docs/checks.md"
