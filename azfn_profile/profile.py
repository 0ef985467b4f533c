# Generated from azfn_profile/profile_schema.py by `python -m azfn_profile.docgen`;
# do not edit by hand.
"""The profile at run time: frozen dataclasses and the validator that builds them.

Both are compiled from the pydantic models in `profile_schema` (see `profilegen`):
`validator()` is pydantic-core running those models' own core schema, with each
model's instances made as the dataclass of the same name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any

from pydantic_core import SchemaError, SchemaValidator

from azfn_profile.terms import Family, InstanceMemory, Kind, Style, Trigger

__all__ = ["Plan", "Profile", "Suppression", "Workload", "validate_python"]


@dataclass(frozen=True)
class Workload:
    """What the functions spend their time on."""

    #: io: waits on network/disk; cpu: computes; mixed: both.
    kind: Kind
    #: async when the functions are `async def` using async libraries.
    style: Style = "sync"
    #: mixed only (default 0.5): share of invocation time spent waiting on I/O.
    io_share: float | None = None
    #: Expected peak in-flight invocations per instance.
    concurrency: int | None = None
    #: Resident memory of one worker process, in MB.
    memory_per_process_mb: int = 256


@dataclass(frozen=True)
class Plan:
    """Where the app runs."""

    #: A catalog SKU (EP2, P1v3, FC1, Y1, ...) or 'auto'.
    sku: str
    #: With sku: auto only: the plan family to pick from.
    family: Family | None = None
    #: With sku: auto only (default: cpu/mixed 2, io 1).
    min_cores: float | None = None
    #: Flex Consumption only (default 2048).
    instance_memory_mb: InstanceMemory | None = None
    #: Scale-out ceiling.
    max_instances: int | None = None
    #: Instances kept warm (Flex always-ready or Premium minimum).
    always_ready: int | None = None


@dataclass(frozen=True)
class Suppression:
    """Accept a check's findings for this app, with a reason, optionally until a date."""

    #: The check id, e.g. AZFN104.
    id: str
    #: Why the finding is accepted.
    reason: str
    #: After this date the suppression lapses (and says so).
    expires: date | None = None


@dataclass(frozen=True)
class Profile:
    """A workload profile: what a Python function app does and where it runs."""

    #: Azure site name: 2-60 of a-z, 0-9 and '-', not starting or ending with '-'.
    name: str
    #: Python version, quoted: "3.12".
    python: str
    #: What the functions spend their time on.
    workload: Workload
    #: The hosting plan SKU, or how to pick one.
    plan: Plan
    #: Trigger types the app's functions use.
    triggers: list[Trigger] = field(default_factory=lambda: ["http"])
    #: Azure region, e.g. westeurope.
    location: str | None = None
    #: Tags for the plan and site.
    tags: dict[str, str] = field(default_factory=dict)
    #: Extra or overriding app settings (strings); overrides win.
    app_settings: dict[str, str] = field(default_factory=dict)
    #: Checks whose findings are accepted for this app (azfn-profile check).
    suppress: list[Suppression] = field(default_factory=list)


_SCHEMA: Any = {
    "type": "model",
    "cls": Profile,
    "schema": {
        "type": "model-fields",
        "fields": {
            "name": {
                "type": "model-field",
                "schema": {
                    "type": "str",
                    "min_length": 2,
                    "max_length": 60,
                    "pattern": "^[a-z0-9]([a-z0-9-]*[a-z0-9])?$",
                },
            },
            "python": {
                "type": "model-field",
                "schema": {
                    "type": "str",
                    "pattern": "^3\\.[0-9]+$",
                },
            },
            "workload": {
                "type": "model-field",
                "schema": {
                    "type": "model",
                    "cls": Workload,
                    "schema": {
                        "type": "model-fields",
                        "fields": {
                            "kind": {
                                "type": "model-field",
                                "schema": {
                                    "type": "literal",
                                    "expected": [
                                        "io",
                                        "cpu",
                                        "mixed",
                                    ],
                                },
                            },
                            "style": {
                                "type": "model-field",
                                "schema": {
                                    "type": "default",
                                    "schema": {
                                        "type": "literal",
                                        "expected": [
                                            "sync",
                                            "async",
                                        ],
                                    },
                                    "default": "sync",
                                },
                            },
                            "io_share": {
                                "type": "model-field",
                                "schema": {
                                    "type": "default",
                                    "schema": {
                                        "type": "nullable",
                                        "schema": {
                                            "type": "float",
                                            "gt": 0,
                                            "lt": 1,
                                        },
                                    },
                                    "default": None,
                                },
                            },
                            "concurrency": {
                                "type": "model-field",
                                "schema": {
                                    "type": "default",
                                    "schema": {
                                        "type": "nullable",
                                        "schema": {
                                            "type": "int",
                                            "ge": 1,
                                            "le": 100000,
                                        },
                                    },
                                    "default": None,
                                },
                            },
                            "memory_per_process_mb": {
                                "type": "model-field",
                                "schema": {
                                    "type": "default",
                                    "schema": {
                                        "type": "int",
                                        "ge": 16,
                                        "le": 262144,
                                    },
                                    "default": 256,
                                },
                            },
                        },
                        "model_name": "Workload",
                        "computed_fields": [],
                    },
                    "custom_init": False,
                    "root_model": False,
                    "config": {
                        "title": "Workload",
                        "extra_fields_behavior": "forbid",
                        "strict": True,
                    },
                },
            },
            "plan": {
                "type": "model-field",
                "schema": {
                    "type": "model",
                    "cls": Plan,
                    "schema": {
                        "type": "model-fields",
                        "fields": {
                            "sku": {
                                "type": "model-field",
                                "schema": {
                                    "type": "str",
                                    "min_length": 1,
                                },
                            },
                            "family": {
                                "type": "model-field",
                                "schema": {
                                    "type": "default",
                                    "schema": {
                                        "type": "nullable",
                                        "schema": {
                                            "type": "literal",
                                            "expected": [
                                                "flex",
                                                "premium",
                                                "dedicated",
                                                "consumption",
                                            ],
                                        },
                                    },
                                    "default": None,
                                },
                            },
                            "min_cores": {
                                "type": "model-field",
                                "schema": {
                                    "type": "default",
                                    "schema": {
                                        "type": "nullable",
                                        "schema": {
                                            "type": "float",
                                            "gt": 0,
                                            "le": 64,
                                        },
                                    },
                                    "default": None,
                                },
                            },
                            "instance_memory_mb": {
                                "type": "model-field",
                                "schema": {
                                    "type": "default",
                                    "schema": {
                                        "type": "nullable",
                                        "schema": {
                                            "type": "literal",
                                            "expected": [
                                                512,
                                                2048,
                                                4096,
                                            ],
                                        },
                                    },
                                    "default": None,
                                },
                            },
                            "max_instances": {
                                "type": "model-field",
                                "schema": {
                                    "type": "default",
                                    "schema": {
                                        "type": "nullable",
                                        "schema": {
                                            "type": "int",
                                            "ge": 1,
                                            "le": 1000,
                                        },
                                    },
                                    "default": None,
                                },
                            },
                            "always_ready": {
                                "type": "model-field",
                                "schema": {
                                    "type": "default",
                                    "schema": {
                                        "type": "nullable",
                                        "schema": {
                                            "type": "int",
                                            "ge": 0,
                                            "le": 1000,
                                        },
                                    },
                                    "default": None,
                                },
                            },
                        },
                        "model_name": "Plan",
                        "computed_fields": [],
                    },
                    "custom_init": False,
                    "root_model": False,
                    "config": {
                        "title": "Plan",
                        "extra_fields_behavior": "forbid",
                        "strict": True,
                    },
                },
            },
            "triggers": {
                "type": "model-field",
                "schema": {
                    "type": "default",
                    "schema": {
                        "type": "list",
                        "items_schema": {
                            "type": "literal",
                            "expected": [
                                "http",
                                "queue",
                                "servicebus",
                                "eventhub",
                                "blob",
                                "timer",
                                "cosmosdb",
                                "eventgrid",
                            ],
                        },
                        "min_length": 1,
                    },
                    "default_factory": lambda: ["http"],
                    "default_factory_takes_data": False,
                },
            },
            "location": {
                "type": "model-field",
                "schema": {
                    "type": "default",
                    "schema": {
                        "type": "nullable",
                        "schema": {
                            "type": "str",
                            "pattern": "^[a-z0-9]+$",
                        },
                    },
                    "default": None,
                },
            },
            "tags": {
                "type": "model-field",
                "schema": {
                    "type": "default",
                    "schema": {
                        "type": "dict",
                        "keys_schema": {
                            "type": "str",
                        },
                        "values_schema": {
                            "type": "str",
                        },
                    },
                    "default_factory": dict,
                    "default_factory_takes_data": False,
                },
            },
            "app_settings": {
                "type": "model-field",
                "schema": {
                    "type": "default",
                    "schema": {
                        "type": "dict",
                        "keys_schema": {
                            "type": "str",
                        },
                        "values_schema": {
                            "type": "str",
                        },
                    },
                    "default_factory": dict,
                    "default_factory_takes_data": False,
                },
            },
            "suppress": {
                "type": "model-field",
                "schema": {
                    "type": "default",
                    "schema": {
                        "type": "list",
                        "items_schema": {
                            "type": "model",
                            "cls": Suppression,
                            "schema": {
                                "type": "model-fields",
                                "fields": {
                                    "id": {
                                        "type": "model-field",
                                        "schema": {
                                            "type": "str",
                                            "pattern": "^AZFN\\d{3}$",
                                        },
                                    },
                                    "reason": {
                                        "type": "model-field",
                                        "schema": {
                                            "type": "str",
                                            "min_length": 1,
                                        },
                                    },
                                    "expires": {
                                        "type": "model-field",
                                        "schema": {
                                            "type": "default",
                                            "schema": {
                                                "type": "nullable",
                                                "schema": {
                                                    "type": "date",
                                                },
                                            },
                                            "default": None,
                                        },
                                    },
                                },
                                "model_name": "Suppression",
                                "computed_fields": [],
                            },
                            "custom_init": False,
                            "root_model": False,
                            "config": {
                                "title": "Suppression",
                                "extra_fields_behavior": "forbid",
                                "strict": True,
                            },
                        },
                    },
                    "default_factory": list,
                    "default_factory_takes_data": False,
                },
            },
        },
        "model_name": "Profile",
        "computed_fields": [],
    },
    "custom_init": False,
    "root_model": False,
    "config": {
        "title": "Profile",
        "extra_fields_behavior": "forbid",
        "strict": True,
    },
}


@cache
def validator() -> SchemaValidator:
    try:
        return SchemaValidator(_SCHEMA)
    except SchemaError:  # written for another pydantic-core: compile it again here
        from azfn_profile.profilegen import runtime_schema

        return SchemaValidator(runtime_schema())


def validate_python(data: Any) -> Profile:
    """Validate profile data (pydantic_core.ValidationError on bad shape)."""
    profile = validator().validate_python(data)
    assert isinstance(profile, Profile)
    return profile
