"""The screens' import graph: screens sit side by side and ask the app to open each other.

Every ``import`` in ``tui/screens/**`` is read (those inside functions too): no screen module
builds a full screen it imported from another screen module (to push it); dialogs
(``ModalScreen``) are components any screen may show, and a base class or a screen's key list
may be imported. The app, the router and the screens import each other in no cycle.
"""

from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path

from textual.screen import ModalScreen, Screen

from tui import navigation as nav
from tui.views import ROUTES

ROOT = Path(__file__).resolve().parents[1]
SCREENS = ROOT / "tui" / "screens"


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, package: str | None = None) -> list[tuple[str, str | None, str]]:
    """(module, name or None for a plain ``import module``, local alias) of every import."""
    if package is None:
        name = _module_name(path)
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    out: list[tuple[str, str | None, str]] = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            out += [(alias.name, None, alias.asname or alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, module] if module else base)
            out += [(module, alias.name, alias.asname or alias.name) for alias in node.names]
    return out


def _screen_modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(SCREENS.rglob("*.py"))}


def _full_screens(obj: object) -> list[str]:
    """Names of the full-screen (not modal) Screen classes an imported object is or defines."""
    if inspect.isclass(obj):
        return [obj.__name__] if issubclass(obj, Screen) and not issubclass(
            obj, ModalScreen) else []
    if inspect.ismodule(obj):
        return [name for name, value in vars(obj).items()
                if inspect.isclass(value) and value.__module__ == obj.__name__
                and issubclass(value, Screen) and not issubclass(value, ModalScreen)]
    return []


def _calls(path: Path) -> set[str]:
    """Every callee a module calls, as written: ``Foo`` or ``view.Foo``."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call):
            out.add(ast.unparse(node.func))
    return out


def test_no_screen_module_builds_a_screen_of_another_screen_module() -> None:
    violations = []
    modules = _screen_modules()
    assert len(modules) > 20, "the walk found the screens"
    for name, path in modules.items():
        calls = _calls(path)
        for module, imported, alias in _imports(path):
            if not module.startswith("tui.screens") or module == name:
                continue
            target = importlib.import_module(module)
            if imported is None:
                obj: object = target
            else:
                obj = getattr(target, imported, None)
                if obj is None:  # ``from package import submodule``
                    obj = importlib.import_module(f"{module}.{imported}")
            for screen in _full_screens(obj):
                built = screen if imported is not None else f"{alias}.{screen}"
                if built in calls:
                    violations.append(f"{name} builds {screen} from {module}")
    assert violations == [], "screens must ask the app to open(...) a destination instead"


def _graph() -> dict[str, set[str]]:
    files = {**_screen_modules(), "tui.app": ROOT / "tui" / "app.py",
             "tui.views": ROOT / "tui" / "views.py"}
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        edges = set()
        for module, imported, _alias in _imports(path):
            for candidate in (f"{module}.{imported}" if imported else None, module):
                if candidate in files and candidate != name:
                    edges.add(candidate)
                    break
        graph[name] = edges
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in graph:
        if v not in index:
            visit(v)
    return out


def test_app_router_and_screens_import_each_other_in_no_cycle() -> None:
    graph = _graph()
    assert graph["tui.app"], "the graph holds the app's imports"
    assert _cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_every_destination_has_a_route() -> None:
    kinds = {c for c in vars(nav).values() if inspect.isclass(c)
             and issubclass(c, nav.Destination) and c is not nav.Destination}
    assert kinds - set(ROUTES) == {nav.GoToView}  # the app switches views itself


def test_the_rule_sees_a_screen_built_from_another_module(tmp_path: Path) -> None:
    sample = tmp_path / "x.py"
    sample.write_text("def f(app):\n    from tui.screens.task import TaskScreen\n"
                      "    app.push_screen(TaskScreen('t', None))\n")
    assert ("tui.screens.task", "TaskScreen", "TaskScreen") in _imports(sample, "tui.screens")
    assert "TaskScreen" in _calls(sample)
    assert _full_screens(importlib.import_module("tui.screens.task").TaskScreen) == [
        "TaskScreen"]
