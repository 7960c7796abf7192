"""Apps depend downward (DESIGN rule 14; the order is written down in docs/architecture.md,
"Layers"). An app may use the apps below it and its own layer; a call that has to go up goes
through a hook registry the lower app owns. Purpose apps are peers: none imports another.

The check reads every module of every app (not its tests/ or migrations/) with `ast` and
counts each way one app can name another:
- `import zapys.x...`, `from zapys.x... import ...`, `from zapys import x`, relative imports,
  including those under `if TYPE_CHECKING:` (a type from above is knowledge of the app above);
- a string naming a module, "zapys.x.services" (what importlib, `import_string`, `__import__`
  or a mock target is given);
- a model named by its label, "x.Model", in ForeignKey / OneToOneField / ManyToManyField /
  `apps.get_model`.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ZAPYS = Path(__file__).resolve().parent.parent / "zapys"

PURPOSE = 8
#: lowest first; the same order as docs/architecture.md "Layers"
LAYERS: dict[str, int] = {
    # one layer: tenancy needs accounts' Organization, accounts' models inherit core's OrgOwned
    "core": 0,
    "accounts": 0,
    "clients": 1,
    "catalog": 2,
    "ledger": 3,
    "memberships": 4,
    "schedule": 5,
    "messaging": 6,
    "payments": 7,
}
#: the ways of getting paid and what is built on all of the above: peers, on top
PURPOSE_APPS = frozenset(
    {
        "prepayments",
        "online_sales",
        "topups",
        "invoices",
        "invoicing",
        "storefront",
        "cabinet",
        "checkout",
        "waitlist",
        "bots",
        "broadcasts",
        "fiscal",
        "reports",
        "visit_messages",
    }
)
SKIPPED_DIRS = frozenset({"tests", "migrations"})
MODEL_FIELDS = frozenset({"ForeignKey", "OneToOneField", "ManyToManyField", "get_model"})
MODULE_PATH = re.compile(r"zapys\.([a-z_][a-z0-9_]*)(\.[A-Za-z_]\w*)*")
MODEL_LABEL = re.compile(r"([a-z_][a-z0-9_]*)\.[A-Za-z_]\w*")


def layer_of(app: str) -> int | None:
    if app in PURPOSE_APPS:
        return PURPOSE
    return LAYERS.get(app)


@dataclass(frozen=True)
class Reference:
    path: Path
    line: int
    app: str  # the app whose module this is
    target: str  # the app it names
    written: str  # as written in the source


def apps_in(root: Path) -> list[str]:
    return sorted(p.parent.name for p in root.glob("*/apps.py"))


def modules_of(root: Path, app: str) -> Iterator[Path]:
    for path in sorted((root / app).rglob("*.py")):
        if not SKIPPED_DIRS.intersection(path.relative_to(root / app).parts):
            yield path


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def _call_name(node: ast.Call) -> str:
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    return node.func.id if isinstance(node.func, ast.Name) else ""


def references(path: Path, app: str, apps: set[str], root: Path) -> Iterator[Reference]:
    """Every other app that the module at `path` (of `app`) names, with the line."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = [root.name, app, *path.parent.relative_to(root / app).parts]
    docstrings = _docstrings(tree)

    def named(dotted: str) -> str | None:
        parts = dotted.split(".")
        if len(parts) >= 2 and parts[0] == root.name and parts[1] in apps and parts[1] != app:
            return parts[1]
        return None

    for node in ast.walk(tree):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Import):
            for alias in node.names:
                if target := named(alias.name):
                    yield Reference(path, line, app, target, f"import {alias.name}")
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *(node.module.split(".") if node.module else [])])
            written = f"from {'.' * node.level}{node.module or ''} import ..."
            if target := named(module):
                yield Reference(path, line, app, target, written)
            elif module == root.name:  # from zapys import ledger
                for alias in node.names:
                    if target := named(f"{module}.{alias.name}"):
                        yield Reference(path, line, app, target, written)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if id(node) in docstrings or not MODULE_PATH.fullmatch(node.value):
                continue
            if target := named(node.value):
                yield Reference(path, line, app, target, repr(node.value))
        elif isinstance(node, ast.Call) and _call_name(node) in MODEL_FIELDS:
            args = [*node.args[:1], *(k.value for k in node.keywords if k.arg == "to")]
            for arg in args:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    label = MODEL_LABEL.fullmatch(arg.value)
                    if label and label.group(1) in apps and label.group(1) != app:
                        yield Reference(path, line, app, label.group(1), repr(arg.value))


def problem(ref: Reference) -> str | None:
    mine, theirs = layer_of(ref.app), layer_of(ref.target)
    if mine is None or theirs is None:
        return None  # an app without a layer: test_every_app_has_a_layer names it
    if theirs > mine:
        return f"{ref.app} (layer {mine}) imports {ref.target} (layer {theirs}) above it"
    if mine == theirs == PURPOSE:
        return f"purpose app {ref.app} imports purpose app {ref.target}: they are peers"
    return None


def violations(root: Path) -> list[str]:
    apps = set(apps_in(root))
    found = []
    for app in sorted(apps):
        for path in modules_of(root, app):
            for ref in references(path, app, apps, root):
                if why := problem(ref):
                    where = path.relative_to(root.parent)
                    found.append(f"{where}:{ref.line}: {why}: {ref.written}")
    return found


# --- the rule, on this tree -------------------------------------------------------------------


def unplaced(root: Path) -> list[str]:
    return [app for app in apps_in(root) if layer_of(app) is None]


def test_every_app_has_a_layer():
    missing = unplaced(ZAPYS)
    assert not missing, (
        f"Apps without a layer: {missing}. Add each to LAYERS or PURPOSE_APPS here and to "
        "docs/architecture.md (Layers)."
    )


def test_apps_depend_downward():
    found = violations(ZAPYS)
    assert not found, (
        "An app names an app above it (or a purpose app another): import downward, and go "
        "up through a hook registry of the lower app (docs/architecture.md, Layers).\n"
        + "\n".join(found)
    )


# --- the check itself sees each way of naming an app ------------------------------------------


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "zapys"
    for app in ("core", "accounts", "clients", "ledger", "prepayments", "topups"):
        (root / app).mkdir(parents=True)
        (root / app / "apps.py").write_text("")
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import zapys.ledger.services\n", "clients (layer 1) imports ledger (layer 3)"),
        ("from zapys.ledger.selectors import x\n", "imports ledger"),
        ("from zapys import ledger\n", "imports ledger"),
        ("from ...ledger import services\n", "imports ledger"),
        (
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
            "    from zapys.ledger.models import Entry\n",
            "imports ledger",
        ),
        ("import importlib\nm = importlib.import_module('zapys.ledger.services')\n", "ledger"),
        ("def f():\n    from zapys.ledger import services\n", "imports ledger"),
        ("class A:\n    e = ForeignKey('ledger.Entry', on_delete=None)\n", "imports ledger"),
        ("class A:\n    e = ForeignKey(to='ledger.Entry')\n", "imports ledger"),
        ("E = apps.get_model('ledger.Entry')\n", "imports ledger"),
    ],
)
def test_the_check_sees_an_upward_reference(tmp_path, source, expected):
    text = '"""A module."""\n' + source
    root = _tree(tmp_path, {"clients/sub/mod.py": text})
    line = next(n for n, row in enumerate(text.splitlines(), 1) if "ledger" in row)
    (found,) = violations(root)
    assert found.startswith(f"zapys/clients/sub/mod.py:{line}: ") and expected in found


def test_the_check_names_file_line_and_both_apps(tmp_path):
    root = _tree(tmp_path, {"clients/services.py": '"""doc"""\n\nimport zapys.ledger.services\n'})
    assert violations(root) == [
        "zapys/clients/services.py:3: clients (layer 1) imports ledger (layer 3) above it: "
        "import zapys.ledger.services"
    ]


def test_the_check_refuses_purpose_peers_and_allows_downward_and_same_layer(tmp_path):
    root = _tree(
        tmp_path,
        {
            "prepayments/services.py": "from zapys.topups import purposes\n",
            "topups/services.py": (
                "from zapys.ledger import services\nfrom zapys.clients.models import Client\n"
                "from . import models\nfrom .models import X\nimport zapys.topups.models\n"
            ),
            "ledger/models.py": "class E:\n    c = ForeignKey('clients.Client')\n",
            "core/tenancy.py": "from zapys.accounts.models import Organization\n",
            "accounts/models.py": "from zapys.core.tenancy import OrgOwned\n",
            "clients/tests/test_x.py": "from zapys.prepayments import services\n",
            "clients/migrations/0001.py": "from zapys.ledger import models\n",
            "clients/doc.py": '"""Reaches zapys.ledger.services through a hook."""\n',
        },
    )
    assert violations(root) == [
        "zapys/prepayments/services.py:1: purpose app prepayments imports purpose app topups: "
        "they are peers: from zapys.topups import ..."
    ]


def test_an_app_without_a_layer_is_named(tmp_path):
    root = _tree(tmp_path, {"bonus/apps.py": "", "bonus/services.py": "import zapys.topups\n"})
    assert unplaced(root) == ["bonus"]
    assert violations(root) == []  # placed nowhere, judged nowhere: the test above names it
