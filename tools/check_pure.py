"""Lint: a package may import only the standard library and itself (plus listed exceptions).

import-linter forbids known packages; this check allows only what is known to be safe, so a new
third-party import into `scoring/` fails `make lint` even if nobody listed it.
Usage: python tools/check_pure.py scoring --allow scoring.loader:yaml
"""

from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path


def imports_of(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name.split(".")[0]) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module.split(".")[0]))
    return found


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("package")
    parser.add_argument("--allow", action="append", default=[], help="module:top_level_import")
    args = parser.parse_args()
    allowed = {tuple(a.split(":", 1)) for a in args.allow}
    root = Path(args.package)
    problems = []
    for path in sorted(root.rglob("*.py")):
        module = ".".join(path.with_suffix("").parts).removesuffix(".__init__")
        for line, top in imports_of(path):
            if top in sys.stdlib_module_names or top == root.name or top == "__future__":
                continue
            if (module, top) in allowed:
                continue
            problems.append(f"{path}:{line}: {module} imports {top!r}, outside the standard library")
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
