"""Count the imports between the project's packages: the figures of issue 12's note.

    python scripts/import_graph.py [ROOT]

Reads every ``.py`` file of ``gis_service``, ``planning``, ``layers`` and ``fixtures`` (migrations
left out) with :mod:`ast`, nothing imported, and prints

* cross-app imports: import statements in one package naming another, by (from, to) pair;
* function-level imports of project modules (inside a function or method), by package;
* all function-level imports (the standard library and third parties included);
* the function-level ones among the cross-app imports;
* imports against the direction (a lower level naming a higher one: the project package, then
  planning's doors, then layers, then planning's core), where the contracts have exceptions.

The rules themselves are checked by import-linter (``.importlinter``, ``make lint-imports``).
"""

from __future__ import annotations

import ast
import sys
from collections import Counter
from pathlib import Path

APPS = ("planning", "layers", "gis_service", "fixtures")
DOORS = ("web", "api", "admin", "management", "templatetags", "urls", "views", "widgets")


def level(module: str) -> int | None:
    """0 the project package, 1 planning's doors, 2 layers, 3 planning's core; None otherwise."""
    parts = module.split(".")
    if parts[0] == "gis_service":
        return 0
    if parts[0] == "layers":
        return 2
    if parts[0] == "planning":
        return 1 if len(parts) > 1 and parts[1] in DOORS else 3
    return None


def module_name(rel: Path) -> str:
    parts = list(rel.with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(node: ast.Import | ast.ImportFrom, package: str) -> list[str]:
    """Top-level package of each module ``node`` imports (relative: ``package`` itself)."""
    if isinstance(node, ast.Import):
        return [alias.name.split(".")[0] for alias in node.names]
    if node.level:
        return [package]
    return [(node.module or "").split(".")[0]]


def count(root: Path) -> dict[str, Counter]:
    names = ("cross", "function_project", "function_all", "fn_cross", "against")
    counts = {name: Counter() for name in names}

    module = ""

    def walk(node: ast.AST, package: str, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.Import, ast.ImportFrom)):
                if in_function:
                    counts["function_all"][package] += 1
                for top in imported_modules(child, package):
                    if top not in APPS:
                        continue
                    if in_function:
                        counts["function_project"][package] += 1
                    if top != package:
                        counts["cross"][(package, top)] += 1
                        if in_function:
                            counts["fn_cross"][(package, top)] += 1
                if isinstance(child, ast.ImportFrom) and not child.level and child.module:
                    targets = [child.module]
                    if child.module in ("planning", "planning.web", "planning.api"):
                        targets = [f"{child.module}.{a.name}" for a in child.names]
                else:
                    targets = [a.name for a in getattr(child, "names", [])]
                    if isinstance(child, ast.ImportFrom):
                        targets = []
                for target in targets:
                    here, there = level(module), level(target)
                    if here is not None and there is not None and there < here:
                        counts["against"][f"{module} -> {target}"] += 1
            inside = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef))
            walk(child, package, inside)

    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root)
        if rel.parts[0] not in APPS or "migrations" in rel.parts:
            continue
        module = module_name(rel)
        walk(ast.parse(path.read_text(encoding="utf-8")), rel.parts[0], False)
    return counts


def main(argv: list[str]) -> None:
    root = Path(argv[1] if len(argv) > 1 else ".")
    c = count(root)
    pairs = ", ".join(f"{a}→{b} {n}" for (a, b), n in sorted(c["cross"].items()))
    print(f"cross-app imports: {sum(c['cross'].values())} ({pairs})")
    by_app = ", ".join(f"{a} {n}" for a, n in sorted(c["function_project"].items()))
    print(
        f"function-level imports of project modules: {sum(c['function_project'].values())}"
        f" ({by_app})"
    )
    print(f"all function-level imports: {sum(c['function_all'].values())}")
    fn_pairs = ", ".join(f"{a}→{b} {n}" for (a, b), n in sorted(c["fn_cross"].items()))
    print(f"function-level cross-app imports: {sum(c['fn_cross'].values())} ({fn_pairs})")
    print(f"imports against the direction: {sum(c['against'].values())}")
    for edge, n in sorted(c["against"].items()):
        print(f"  {edge}" + (f" ×{n}" if n > 1 else ""))


if __name__ == "__main__":
    main(sys.argv)
