#!/usr/bin/env python3
"""The package's import graph: every module, what it imports from the package, and its floor.

    python scripts/import_graph.py            # the graph by floor, module sizes, and checks
    python scripts/import_graph.py --dot      # Graphviz source of the graph

Checks (exit code 1 when one fails):

* no import cycle (Tarjan's strongly connected components over module-level and function-level
  imports alike);
* no module imports a name that starts with "_" from another module;
* the floors hold: a module imports only from its own floor or the floors below
  (core < context < detect < decide < engine/formats < surfaces, tools);
* no module is over 450 lines unless its docstring says why ("Over 450 lines: ...").
"""

from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "checker"
MAX_LINES = 450
FLOORS = {"core": 1, "intake": 1, "context": 2, "detect": 3, "decide": 4, "engine": 5, "formats": 5,
          "surfaces": 6, "tools": 6, "__init__": 0, "__main__": 7}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def floor(module: str) -> int:
    parts = module.split(".")
    if len(parts) == 1:
        return FLOORS["__init__"]
    return FLOORS[parts[1]]


def imports(path: Path, modules: set[str]) -> list[tuple[str, str, int]]:
    """(imported module, imported name or "", line) for each import of a package module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("checker"):
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                if candidate in modules:
                    out.append((candidate, "", node.lineno))
                else:
                    out.append((node.module, alias.name, node.lineno))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("checker"):
                    out.append((alias.name, "", node.lineno))
    return out


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
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
            if len(component) > 1 or v in graph.get(v, ()):
                found.append(sorted(component))

    sys.setrecursionlimit(10_000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def analyse() -> dict:
    paths = sorted(PACKAGE.rglob("*.py"))
    modules = {module_name(p) for p in paths}
    graph: dict[str, set[str]] = {}
    problems: list[str] = []
    sizes: dict[str, int] = {}
    for path in paths:
        name = module_name(path)
        text = path.read_text(encoding="utf-8")
        sizes[name] = text.count("\n")
        graph[name] = set()
        for target, imported, line in imports(path, modules):
            if target not in modules:
                continue
            if target != name:
                graph[name].add(target)
            where = f"{path.relative_to(ROOT)}:{line}"
            if imported.startswith("_") and not imported.startswith("__"):
                problems.append(f"{where}: imports the private name {imported} from {target}")
            if name != "checker" and floor(target) > floor(name) and target != "checker":
                problems.append(f"{where}: {name} (floor {floor(name)}) imports {target} "
                                f"(floor {floor(target)}), a floor above it")
        if sizes[name] > MAX_LINES:
            doc = ast.get_docstring(ast.parse(text)) or ""
            if f"Over {MAX_LINES} lines:" not in doc:
                problems.append(f"{path.relative_to(ROOT)}: {sizes[name]} lines, and its "
                                f"docstring does not say why (\"Over {MAX_LINES} lines: ...\")")
    for component in cycles(graph):
        problems.append("import cycle: " + " -> ".join(component))
    return {"graph": graph, "sizes": sizes, "problems": problems}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dot", action="store_true", help="print Graphviz source")
    args = parser.parse_args(argv)
    report = analyse()
    graph, sizes = report["graph"], report["sizes"]
    if args.dot:
        print("digraph checker {\n  rankdir=BT;")
        for module, targets in sorted(graph.items()):
            for target in sorted(targets):
                print(f'  "{module}" -> "{target}";')
        print("}")
        return 0
    by_floor: dict[int, list[str]] = {}
    for module in graph:
        by_floor.setdefault(floor(module), []).append(module)
    for level in sorted(by_floor):
        print(f"floor {level}:")
        for module in sorted(by_floor[level]):
            uses = ", ".join(sorted(t.removeprefix("checker.") for t in graph[module])) or "-"
            print(f"  {module:38s} {sizes[module]:4d} lines  <- {uses}")
    print(f"\n{len(graph)} modules, {sum(len(t) for t in graph.values())} imports, "
          f"largest {max(sizes.values())} lines")
    for problem in report["problems"]:
        print("PROBLEM:", problem)
    if not report["problems"]:
        print("no cycle, no private import, every import on its floor or below, "
              f"no module over {MAX_LINES} lines without a reason")
    return 1 if report["problems"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
