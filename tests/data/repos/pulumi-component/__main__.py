"""Payment services: each function app is a PythonFunctions component."""

import pulumi
from components.python_functions import PythonFunctions

config = pulumi.Config()
region = "northeurope"

checkout = PythonFunctions(
    "checkout",
    location=region,
    plan_sku="EP1",
    python_version="3.12",
    worker_processes="2",
    threads="8",
)

ledger = PythonFunctions(
    "ledger",
    location=region,
    plan_sku="EP2",
    python_version="3.9",
    worker_processes="14",
)

pulumi.export("checkout_host", checkout.host)
