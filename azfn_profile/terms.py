"""The profile's vocabulary: the values a few of its keys may take.

Shared by the pydantic models (`profile`), the SKU catalog and the rules, so this
module imports nothing.
"""

from __future__ import annotations

from typing import Literal

Kind = Literal["io", "cpu", "mixed"]
Style = Literal["sync", "async"]
Family = Literal["flex", "premium", "dedicated", "consumption"]
Trigger = Literal[
    "http",
    "queue",
    "servicebus",
    "eventhub",
    "blob",
    "timer",
    "cosmosdb",
    "eventgrid",
    # Durable Functions: orchestrator, activity and entity functions.
    "orchestration",
    "activity",
    "entity",
]
# The Durable Functions triggers (cite.DURABLE_PERF).
DURABLE_TRIGGERS = ("orchestration", "activity", "entity")
# Orchestrators and entities coordinate; the work is in the other functions.
DURABLE_COORDINATORS = frozenset({"orchestration", "entity"})
InstanceMemory = Literal[512, 2048, 4096]

NAME_PATTERN = r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$"
NAME_LENGTH = (2, 60)  # the app's name is its site's: Azure allows 2-60
PYTHON_PATTERN = r"^3\.[0-9]+$"
FUNCTION_NAME_PATTERN = r"^[A-Za-z_][A-Za-z0-9_-]*$"
# A Flex scale group: http, blob, durable, or function:<name> (cite.FLEX_SCALE_GROUPS).
GROUP_PATTERN = r"^(http|blob|durable|function:[A-Za-z_][A-Za-z0-9_-]*)$"
