"""Find a v2-model function app (`function_app.py` + `func.FunctionApp`) and a function."""

from __future__ import annotations

import importlib.util
import inspect
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from azfn_profile.errors import AzfnProfileError

SUPPORTED_TRIGGERS = ("httpTrigger", "queueTrigger")


class LabError(AzfnProfileError):
    """The app or the lab's arguments cannot be used."""


@dataclass(frozen=True)
class Function:
    name: str
    user_function: Callable[..., Any]
    trigger: str
    arg_name: str

    @property
    def is_async(self) -> bool:
        return inspect.iscoroutinefunction(self.user_function)


def app_file(path: Path) -> Path:
    """APP is a directory holding function_app.py, or that file."""
    candidate = path / "function_app.py" if path.is_dir() else path
    if not candidate.is_file():
        where = (
            f"{path} has no function_app.py"
            if path.is_dir()
            else f"{path}: no such file"
        )
        raise LabError(where)
    return candidate


def load_functions(path: Path) -> dict[str, Function]:
    """Import the app and list its functions (blueprints included), by name."""
    file = app_file(path)
    sys.path.insert(0, str(file.parent))
    spec = importlib.util.spec_from_file_location("function_app", file)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["function_app"] = module
    try:
        spec.loader.exec_module(module)
    except ModuleNotFoundError as exc:  # a dependency this interpreter does not have
        raise LabError(_missing(file, exc)) from None
    except BaseException as exc:  # noqa: BLE001 - user code: show whatever it raised
        lines = traceback.format_exception(type(exc), exc, exc.__traceback__)
        raise LabError(
            f"{file}: importing the app failed:\n{''.join(lines).rstrip()}"
        ) from None
    try:
        import azure.functions as func
    except ModuleNotFoundError as exc:
        raise LabError(
            f"{file}: the lab runs functions with azure-functions, which "
            f"{sys.executable} cannot import ({exc}): install it there, or name the "
            "app's own interpreter with --python"
        ) from None

    apps = [v for v in vars(module).values() if isinstance(v, func.FunctionApp)]
    if not apps:
        raise LabError(
            f"{file}: no azure.functions.FunctionApp instance (the Python v2 "
            "programming model: app = func.FunctionApp())"
        )
    functions: dict[str, Function] = {}
    for app in apps:
        for f in app.get_functions():
            name, trigger = f.get_function_name(), f.get_trigger()
            if name is None:
                continue
            functions[name] = Function(
                name,
                f.get_user_function(),
                str(trigger.type) if trigger else "",
                str(trigger.name) if trigger else "",
            )
    return functions


def _missing(file: Path, exc: ModuleNotFoundError) -> str:
    """Which module the app imports that this interpreter cannot, and where."""
    where = str(file)
    folder = file.parent.resolve()
    for frame, line in traceback.walk_tb(exc.__traceback__):
        name = frame.f_code.co_filename
        if name.startswith("<"):  # frozen importlib frames
            continue
        if Path(name).resolve().is_relative_to(folder):  # the app's deepest frame
            where = f"{name}:{line}"
    module = exc.name or str(exc)
    return (
        f"{where}: the app imports {module!r}, which {sys.executable} cannot "
        f"import ({exc}): install the app's dependencies into that interpreter, or "
        "name the one that has them with --python (the app's virtualenv)"
    )


def find_function(path: Path, name: str) -> Function:
    functions = load_functions(path)
    if name not in functions:
        available = ", ".join(sorted(functions)) or "none"
        raise LabError(
            f"{app_file(path)}: no function named {name!r}; available: {available}"
        )
    function = functions[name]
    if function.trigger not in SUPPORTED_TRIGGERS:
        raise LabError(
            f"{name}: the lab drives {' and '.join(SUPPORTED_TRIGGERS)} "
            f"functions, not {function.trigger or 'functions without a trigger'}"
        )
    return function


def check_function(path: Path, name: str, python: Path | None) -> None:
    """Clear errors before any worker starts: the app and the function exist.

    In this interpreter the app is imported (as the workers will); with another
    interpreter (`--python`), the file is checked and the interpreter asked its
    version here, and the workers report import errors from the app's own
    environment.
    """
    if python is None:
        find_function(path, name)
        return
    app_file(path)
    from azfn_profile.lab.interpreter import version_of

    version_of(Path(python))


def trigger_input(function: Function, body: bytes) -> Any:
    """A real azure.functions input for one invocation."""
    import azure.functions as func

    if function.trigger == "httpTrigger":
        return func.HttpRequest(
            method="POST",
            url=f"http://localhost/api/{function.name}",
            headers={"content-type": "application/octet-stream"},
            params={},
            route_params={},
            body=body,
        )
    return func.QueueMessage(body=body)
