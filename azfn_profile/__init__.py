"""azfn-profile: workload profile + SKU -> throughput settings for Python on Azure Functions."""

from __future__ import annotations

__version__ = "0.1.0"
