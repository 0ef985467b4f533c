"""Secrets are values that cannot become text: every path from a secure input to a
printed byte is attacked as a class (every `str` method, every template function of
both evaluators, every reader, every output format), not case by case."""

from __future__ import annotations

import base64
import json
import re
from contextlib import suppress
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from azfn_profile.cli import cli
from azfn_profile.secret import (
    MASK,
    Secret,
    conceal,
    conceal_credentials,
    reveal,
)
from azfn_profile.sources import arm_functions
from azfn_profile.sources.terraform_eval import FUNCTIONS as TF_FUNCTIONS
from azfn_profile.sources.terraform_eval import apply_function
from azfn_profile.sources.values import Budget, BudgetExceeded

VALUE = "Zq7-SeCrEt-Vq9"
FORMATS = ("text", "json", "sarif", "github", "junit", "markdown")
SCHEMA = (
    "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"
)


def leaks(value: Any, secret: str = VALUE) -> bool:
    """True when `value` holds the secret (or a fragment of it) as readable text: a
    plain string containing it, or any string whose printed form does."""
    needles = {secret, secret.lower(), secret.upper(), secret[3:11]}
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            printed = "".join([item])  # noqa: FLY002 - join reads the characters
            if any(n in str(item) or n in printed for n in needles):
                return True
            if not isinstance(item, Secret) and any(n in item for n in needles):
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
    return False


# -- the type ------------------------------------------------------------------------
def test_a_secret_prints_as_its_mask_through_every_text_route() -> None:
    s = Secret(VALUE)
    routes = [
        str(s),
        repr(s),
        f"{s}",
        f"{s!r}",
        f"{s:>20}",
        "%s" % s,  # noqa: UP031
        f"{s}",
        ",".join([s, "x"]),  # noqa: FLY002
        json.dumps({"k": s}),
        re.sub("S", "s", s),
        s.encode().decode(),
        str([s]),
    ]
    assert all(VALUE not in r for r in routes)
    assert str(s) == MASK


def test_a_secret_computes_as_its_value() -> None:
    s = Secret("Python")
    assert s == "Python" and s == "Python" and s != "python"
    assert {"Python": 1}[s] == 1 and s in {"Python"} and len(s) == 6
    assert reveal(s.lower()) == "python" and isinstance(s.lower(), Secret)
    assert "yth" in s and s.startswith("Py") and int(Secret(" 42 ")) == 42
    assert reveal("a-" + s) == "a-Python" and str("a-" + s) == "a-***"


@pytest.mark.parametrize(
    "name", sorted(n for n in dir(str) if not n.startswith("_") or n == "__mod__")
)
def test_every_str_method_keeps_what_it_makes_from_a_secret_secret(name: str) -> None:
    s = Secret(VALUE)
    samples: list[tuple[Any, ...]] = [
        (),
        ("-",),
        ("e",),
        ("e", "E"),
        (30,),
        (30, "*"),
        ({ord("e"): "E"},),
        ([VALUE, "b"],),
        (("x",),),
    ]
    called = 0
    for args in samples:
        try:
            result = getattr(s, name)(*args)
        except (TypeError, ValueError, KeyError, IndexError, LookupError):
            continue
        called += 1
        assert not leaks(result), (name, args, result)
    assert called or name in {"maketrans"}, name


# -- the evaluators -------------------------------------------------------------------
ARGS: list[list[Any]] = [
    [Secret(VALUE)],
    [Secret(VALUE), "-"],
    [Secret(VALUE), 2],
    [Secret(VALUE), "e", "E"],
    ["{0}-{1}", Secret(VALUE), "x"],
    ["x", Secret(VALUE)],
    [[Secret(VALUE), "b"]],
    [[Secret(VALUE), "b"], ","],
    [{"k": Secret(VALUE)}],
    [{"k": Secret(VALUE)}, {"j": "plain"}],
    [Secret(base64.b64encode(VALUE.encode()).decode())],
    [Secret(json.dumps({"a": VALUE}))],
    [Secret(f"a,{VALUE},c"), ","],
]


@pytest.mark.parametrize("name", sorted(arm_functions.FUNCTIONS))
def test_no_arm_or_bicep_function_turns_a_secret_into_text(name: str) -> None:
    for args in ARGS:
        with suppress(BudgetExceeded):
            result = arm_functions.call(name, list(args), Budget(steps=50_000))
            assert not leaks(result), (name, args, result)
            assert not leaks(str(result)), (name, args, result)


@pytest.mark.parametrize("name", sorted(TF_FUNCTIONS))
def test_no_terraform_function_turns_a_secret_into_text(name: str) -> None:
    for args in ARGS:
        result = apply_function(name, list(args))
        assert not leaks(result), (name, args, result)
        assert not leaks(str(result)), (name, args, result)


def test_structure_around_a_secret_stays_readable() -> None:
    settings = conceal({"FUNCTIONS_WORKER_RUNTIME": "python", "Key": VALUE})
    assert list(settings) == ["FUNCTIONS_WORKER_RUNTIME", "Key"]
    assert type(next(iter(settings))) is str  # keys are structure
    assert (
        str(settings["Key"]) == MASK
        and settings["FUNCTIONS_WORKER_RUNTIME"] == "python"
    )


def test_shared_structure_is_concealed_once_and_stays_shared() -> None:
    value: Any = [VALUE]
    for _ in range(60):  # 2**60 leaves when expanded
        value = [value, value]
    steps = Budget(steps=10_000)
    hidden = conceal(value, steps.step)
    assert hidden[0] is hidden[1] and steps.steps_left > 10_000 - 200
    while isinstance(hidden, list):
        hidden = hidden[0]
    assert isinstance(hidden, Secret) and hidden == VALUE


# -- credentials inside strings ---------------------------------------------------------
CREDENTIALS = [
    f"DefaultEndpointsProtocol=https;AccountName=st;AccountKey={VALUE};EndpointSuffix=x",
    f"Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=R;SharedAccessKey={VALUE}",
    f"Endpoint=https://x.azconfig.io;Id=abc;Secret={VALUE}",
    f"Server=db;User Id=app;Password='{VALUE}';",
    f'Server=db;Pwd="{VALUE};still";Database=x',
    f"AccessKey={VALUE}",
    f"StorageAccountKey={VALUE}",
    f"https://app:{VALUE}@db.example.net:5432/x",
    f"https://app.azurewebsites.net/api/f?code={VALUE}",
    f"https://st.blob.core.windows.net/c/p.zip?sv=2022&sig={VALUE}&se=2030",
    f"BlobEndpoint=https://st.blob.core.windows.net/;SharedAccessSignature=sv=1&sig={VALUE}",
    f"Client_Secret={VALUE}",
    f"Server=db;DbPassword={VALUE}",  # a longer name ending in a credential's
    # inside other text: an object written out as JSON, a sentence
    f'{{"a": {{"b": "StorageAccountKey={VALUE}"}}, "c": [1, "py"]}}',
    f"connect with Password = {VALUE} then retry",
    f"[https://app:{VALUE}@db.example.net, 'x']",
    # a quoted password inside JSON written out once and twice: its quotes escaped
    json.dumps(["func", f'Server=db;Password="{VALUE}";']),
    json.dumps(json.dumps({"c": f"Server=db;Pwd='{VALUE};x';"})),
]


@pytest.mark.parametrize("text", CREDENTIALS)
def test_credentials_are_found_by_parsing_and_only_they_are_masked(text: str) -> None:
    value = conceal_credentials(text)
    assert isinstance(value, Secret) and reveal(value) == text
    assert not leaks(value) and MASK in str(value)
    # what names the endpoint stays readable
    head = re.split(r"[;?]", text)[0]
    assert VALUE in head or head in str(value), str(value)


@pytest.mark.parametrize(
    "text",
    [
        "python",
        "a=b;c=d",
        "https://example.net/x?y=1",
        "user@example.net",
        "~4",
        "",
        "Endpoint=sb://x/;SharedAccessKeyName=Root;PartitionKey=1;Monkey=2",
    ],
)
def test_text_without_a_credential_is_left_alone(text: str) -> None:
    assert type(conceal_credentials(text)) is str


# -- every reader, every format ---------------------------------------------------------
SITE_ARM = {
    "type": "Microsoft.Web/sites",
    "apiVersion": "2023-12-01",
    "location": "westeurope",
    "kind": "functionapp,linux",
}


def _arm_case(tmp: Path) -> Path:
    settings = [
        {"name": "FUNCTIONS_WORKER_RUNTIME", "value": "python"},
        {"name": "FUNCTIONS_WORKER_PROCESS_COUNT", "value": "[parameters('key')]"},
        {
            "name": "PYTHON_THREADPOOL_THREAD_COUNT",
            "value": "[toUpper(concat(parameters('key'), '-', parameters('obj').k))]",
        },
        {"name": "A", "value": "[format('{0}/{1}', parameters('list')[0], 'x')]"},
        {"name": "B", "value": "[string(parameters('obj'))]"},
        {"name": "C", "value": "[base64(parameters('key'))]"},
        {"name": "D", "value": "[split(parameters('key'), '-')[1]]"},
        {"name": "AzureWebJobsStorage", "value": CREDENTIALS[0]},
    ]
    doc = {
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/"
        "deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "parameters": {
            "key": {"type": "securestring", "defaultValue": VALUE},
            "obj": {"type": "secureObject", "defaultValue": {"k": VALUE}},
            "list": {"type": "secureObject", "defaultValue": {"0": VALUE}},
        },
        "resources": [
            {
                **SITE_ARM,
                "name": "[concat('app-', parameters('key'))]",
                "tags": {"owner": "[parameters('key')]"},
                "properties": {"siteConfig": {"appSettings": settings}},
            }
        ],
    }
    path = tmp / "azuredeploy.json"
    path.write_text(json.dumps(doc))
    return path


def _bicep_case(tmp: Path) -> Path:
    path = tmp / "main.bicep"
    path.write_text(
        f"""@secure()
param key string = '{VALUE}'
@secure()
param settings object = {{
  FUNCTIONS_WORKER_RUNTIME: 'python'
  FUNCTIONS_WORKER_PROCESS_COUNT: '{VALUE}'
}}
var derived = toLower('${{key}}-${{length(key)}}')
resource site 'Microsoft.Web/sites@2023-12-01' = {{
  name: 'app-${{key}}'
  location: 'westeurope'
  kind: 'functionapp,linux'
  tags: {{ owner: key }}
  properties: {{
    siteConfig: {{
      appSettings: concat(
        [for item in items(settings): {{ name: item.key, value: item.value }}],
        [
          {{ name: 'PYTHON_THREADPOOL_THREAD_COUNT', value: derived }}
          {{ name: 'A', value: join(split(key, '-'), '+') }}
          {{ name: 'B', value: replace(key, 'e', 'E') }}
          {{ name: 'AzureWebJobsStorage', value: '{CREDENTIALS[0]}' }}
        ]
      )
    }}
  }}
}}
"""
    )
    return path


def _terraform_case(tmp: Path) -> Path:
    folder = tmp / "tf"
    folder.mkdir()
    (folder / "main.tf").write_text(
        f"""variable "key" {{
  type      = string
  sensitive = true
  default   = "{VALUE}"
}}
resource "azurerm_service_plan" "plan" {{
  name                = "plan"
  resource_group_name = "rg"
  location            = "westeurope"
  os_type             = "Linux"
  sku_name            = "EP1"
}}
resource "azurerm_linux_function_app" "app" {{
  name                       = "app-${{var.key}}"
  resource_group_name        = "rg"
  location                   = "westeurope"
  service_plan_id            = azurerm_service_plan.plan.id
  storage_account_name       = "st"
  storage_account_access_key = var.key
  site_config {{
    application_stack {{
      python_version = "3.11"
    }}
  }}
  app_settings = {{
    FUNCTIONS_WORKER_PROCESS_COUNT = upper(var.key)
    PYTHON_THREADPOOL_THREAD_COUNT = format("%s-%d", var.key, 3)
    A = join("+", split("-", var.key))
    B = jsonencode({{ k = var.key }})
    C = replace(lower(var.key), "e", "E")
    D = "{CREDENTIALS[7]}"
  }}
  tags = {{ owner = var.key }}
}}
"""
    )
    return folder


def _plan_case(tmp: Path) -> Path:
    after = {
        "name": "app",
        "location": "westeurope",
        "service_plan_id": None,
        "app_settings": {
            "FUNCTIONS_WORKER_RUNTIME": "python",
            "FUNCTIONS_WORKER_PROCESS_COUNT": VALUE,
            "CONN": CREDENTIALS[1],
        },
        "site_config": [{"application_stack": [{"python_version": "3.11"}]}],
        "tags": {"owner": VALUE},
    }
    plan = {
        "format_version": "1.2",
        "terraform_version": "1.9.0",
        "resource_changes": [
            {
                "address": "azurerm_linux_function_app.app",
                "mode": "managed",
                "type": "azurerm_linux_function_app",
                "name": "app",
                "provider_name": "registry.terraform.io/hashicorp/azurerm",
                "change": {
                    "actions": ["create"],
                    "before": None,
                    "after": after,
                    "after_unknown": {},
                    "after_sensitive": {
                        "app_settings": {"FUNCTIONS_WORKER_PROCESS_COUNT": True},
                        "tags": True,
                    },
                },
            }
        ],
    }
    path = tmp / "tfplan.json"
    path.write_text(json.dumps(plan))
    return path


CASES = {
    "arm": _arm_case,
    "bicep": _bicep_case,
    "terraform": _terraform_case,
    "plan": _plan_case,
}


@pytest.mark.parametrize("reader", sorted(CASES))
def test_no_secret_reaches_any_format_from_any_reader(
    reader: str, tmp_path: Path
) -> None:
    path = CASES[reader](tmp_path)
    outputs = {}
    for fmt in FORMATS:
        result = CliRunner().invoke(cli, ["check", str(path), "--format", fmt])
        assert result.exit_code in (0, 1, 2), (fmt, result.output)
        outputs[fmt] = result.stdout + result.stderr
    report = json.loads(outputs["json"])
    assert report["targets"], f"{reader}: no app was judged"
    judged = [f for f in report["findings"] if f["status"] in ("fail", "pass")]
    assert judged, f"{reader}: nothing was judged"
    for fmt, out in outputs.items():
        assert not leaks(out), (
            reader,
            fmt,
            [ln for ln in out.splitlines() if leaks(ln)],
        )
        assert not leaks(out, base64.b64encode(VALUE.encode()).decode()), (reader, fmt)


@pytest.mark.parametrize(
    "value",
    [
        "[createArray('func', variables('conn'))]",
        "[createObject('a', createArray(variables('conn')))]",
        "[string(createArray(variables('conn')))]",
    ],
)
def test_a_setting_computed_as_a_list_or_object_keeps_its_credential(
    tmp_path: Path, value: str
) -> None:
    """A setting computed as a list or object holding a connection string is judged
    as that value written out as JSON, its quotes escaped (`Password=\\"...\\"`): the
    credential stays secret there too."""
    template = {
        "$schema": SCHEMA,
        "variables": {"conn": f'Server=db;User Id=u;Password="{VALUE}";'},
        "resources": [
            SITE_ARM
            | {
                "name": "app",
                "properties": {
                    "siteConfig": {
                        "appSettings": [
                            {"name": "FUNCTIONS_WORKER_PROCESS_COUNT", "value": value}
                        ]
                    }
                },
            }
        ],
    }
    path = tmp_path / "t.json"
    path.write_text(json.dumps(template))
    for fmt in FORMATS:
        result = CliRunner().invoke(cli, ["check", str(path), "--format", fmt])
        assert "AZFN101" in result.stdout, fmt  # judged: not a whole number
        assert not leaks(result.stdout), (fmt, result.stdout)


def test_a_secure_value_is_still_judged_by_its_value(tmp_path: Path) -> None:
    """The process count held in a secure settings object is read and judged (the
    value 'Zq7-...' is not a number); the message masks the value."""
    path = _bicep_case(tmp_path)
    result = CliRunner().invoke(cli, ["check", str(path), "--format", "json"])
    report = json.loads(result.stdout)
    (count,) = [
        f for f in report["findings"] if f["id"] == "AZFN101" and f["status"] == "fail"
    ]
    assert "'***'" in count["message"]
    (runtime,) = {t["runtime"] for t in report["targets"]}
    assert runtime == "python"


def test_a_name_as_written_keeps_its_credential_secret_however_it_is_set() -> None:
    from azfn_profile.sources.graph import Resource

    r = Resource("Microsoft.Web/sites", "x", {}, "f", 1, 1, f"app;Password={VALUE}")
    assert not leaks(r.display) and str(r.display) == "app;Password=***"
    r.display = f"azure-native:web:WebApp::Server=db;Pwd={VALUE};"  # set later
    assert not leaks(r.display) and "Server=db" in str(r.display)
