"""Mutation check of the permission checks: which removal of a check does no test notice?

Every call of a scoping helper (``require_perm``, ``has_perm``, ``scope``, ``scope_paths``,
``get_object_for_user``, ``organizations_visible_to``) and of the apps' own permission helpers
(``can_manage``, ``_require_manager`` ...; the table ``CHECKS`` below) is, one at a time,
replaced in a scratch copy of the tree by a no-op that returns the allowed or unscoped value:
``require_perm(...)`` → ``None``, ``has_perm(...)`` → ``True``, ``scope(qs, ...)`` → ``qs``,
``get_object_for_user(qs, ..., pk=x)`` → ``get_object_or_404(qs, pk=x)``, and so on. The tests
that could notice it then run; a mutant is *killed* when one of them fails and *survives* when
all pass. A call that no test executes survives at once ("not covered").

To stay affordable on two cores the suite first runs once under coverage with per-test contexts;
each mutant then runs only the tests that executed one of its lines, the app's permission tests
first and the permission matrix last, with ``-x`` and a timeout.

    python bench/mutation_check.py                       # everything (a long run)
    python bench/mutation_check.py --list                # the call sites, nothing run
    python bench/mutation_check.py --only people/views/  # sites whose path contains this
    python bench/mutation_check.py --reuse-coverage      # keep the last baseline

Needs the ``bench`` extra (coverage, pytest-cov). Writes ``mutation-report.json`` in the work
directory (``--workdir``, default /tmp/qingyi-mutation).
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import queue
import shutil
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = Path("src/qingyi")
SKIP_PARTS = {"migrations", "demo"}

# What each check becomes when removed, from the call's arguments' source text.
#   none: the call does nothing (a requirement that no longer raises)
#   true: the check allows
#   first: the call returns its first argument unchanged (a queryset or list, unfiltered)
#   all_paths: every organisation's path (scope_paths: the whole forest, as prefixes or exactly)
#   all_orgs: every organisation (organizations_visible_to)
#   get404: get_object_or_404 of the queryset with the lookup keywords only
CHECKS: dict[str, str] = {
    "require_perm": "none",
    "has_perm": "true",
    "scope": "first",
    "scope_paths": "all_paths",
    "get_object_for_user": "get404",
    "organizations_visible_to": "all_orgs",
    # The apps' own permission helpers.
    "can_manage": "true",
    "can_manage_announcement": "true",
    "can_dispatch": "true",
    "can_manage_qualification_types": "true",
    "_can_take_attendance": "true",
    "_manages": "true",
    "_require_manager": "none",
    "require_manager": "none",
    "_require_types_manager": "none",
    "_require_manage_checklist": "none",
    "_require_organizers": "first",
    "_check_can_enter": "none",
    "_check_can_change": "none",
    "_check_answerer": "none",
    "_check_own_inspection": "none",
    "_check_person_in_scope": "none",
    "_check_organization": "none",
}
GET_OBJECT_OPTIONS = {"view_perm", "path_field", "need", "org_of"}
FIRST_TESTS = ("tests/test_permission_matrix.py", "permission", "scop", "escalat")


@dataclass
class Site:
    path: str  # relative to the tree's root
    line: int
    end_line: int
    name: str
    text: str
    start: tuple[int, int]  # (line, column) of the call
    end: tuple[int, int]
    replacement: str
    tests: list[str] = field(default_factory=list)
    outcome: str = ""  # killed / survived / not covered / timeout / error
    seconds: float = 0.0
    killer: str = ""
    # The enclosing function (qualified name) and a hash of its source: a site whose function
    # is unchanged is the same mutant wherever the function now lives (--carry-over).
    function: str = ""
    function_hash: str = ""

    @property
    def statement(self) -> bool:
        return self.name == "raise PermissionDenied"

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"


def _called_name(call: ast.Call) -> str | None:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _replacement(kind: str, call: ast.Call, source: str) -> str | None:
    def seg(node) -> str:
        return ast.get_source_segment(source, node) or ""

    if kind == "none":
        return "None"
    if kind == "true":
        return "True"
    if kind == "all_paths":
        # Every organisation's path: the whole forest both for a prefix test ("" would do) and
        # for code that takes each path's root or compares paths exactly (where "" finds nothing).
        return (
            'list(__import__("qingyi.organizations.models", fromlist=["Organization"])'
            '.Organization.objects.values_list("path", flat=True))'
        )
    if kind == "all_orgs":
        return (
            '__import__("qingyi.organizations.models", fromlist=["Organization"]).Organization.objects.all()'
        )
    if kind == "first":
        if not call.args or isinstance(call.args[0], ast.Starred):
            return None
        return seg(call.args[0])
    if kind == "get404":
        if not call.args:
            return None
        lookups = [f"{k.arg}={seg(k.value)}" for k in call.keywords if k.arg not in GET_OBJECT_OPTIONS]
        lookups += [f"**{seg(k.value)}" for k in call.keywords if k.arg is None]
        args = ", ".join([seg(call.args[0]), *lookups])
        return f'__import__("django.shortcuts", fromlist=["x"]).get_object_or_404({args})'
    raise ValueError(kind)


def _raises_permission_denied(node: ast.Raise) -> bool:
    exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
    return (isinstance(exc, ast.Name) and exc.id == "PermissionDenied") or (
        isinstance(exc, ast.Attribute) and exc.attr == "PermissionDenied"
    )


def _functions(tree: ast.AST, source: str) -> list[tuple[int, int, str, str]]:
    """(first line, last line, qualified name, source hash) of every def, innermost last."""
    import hashlib

    found: list[tuple[int, int, str, str]] = []

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                name = f"{prefix}{child.name}"
                if not isinstance(child, ast.ClassDef):
                    text = ast.get_source_segment(source, child) or ""
                    digest = hashlib.sha256(text.encode()).hexdigest()[:16]
                    found.append((child.lineno, child.end_lineno or child.lineno, name, digest))
                visit(child, name + ".")
            else:
                visit(child, prefix)

    visit(tree, "")
    return found


def _enclosing(functions: list[tuple[int, int, str, str]], line: int) -> tuple[str, str]:
    inside = [f for f in functions if f[0] <= line <= f[1]]
    if not inside:
        return "", ""
    _first, _last, name, digest = max(inside, key=lambda f: f[0])
    return name, digest


def find_sites(tree_root: Path) -> list[Site]:
    sites = find_sites_unlabelled(tree_root)
    by_path: dict[str, list[tuple[int, int, str, str]]] = {}
    for site in sites:
        if site.path not in by_path:
            source = (tree_root / site.path).read_text(encoding="utf-8")
            by_path[site.path] = _functions(ast.parse(source), source)
        site.function, site.function_hash = _enclosing(by_path[site.path], site.line)
    return sites


def find_sites_unlabelled(tree_root: Path) -> list[Site]:
    sites = []
    for file in sorted((tree_root / SRC).rglob("*.py")):
        rel = file.relative_to(tree_root)
        if SKIP_PARTS & set(rel.parts):
            continue
        source = file.read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Raise) and _raises_permission_denied(node):
                sites.append(
                    Site(
                        path=str(rel),
                        line=node.lineno,
                        end_line=node.end_lineno or node.lineno,
                        name="raise PermissionDenied",
                        text=" ".join((ast.get_source_segment(source, node) or "").split())[:160],
                        start=(node.lineno, node.col_offset),
                        end=(node.end_lineno or node.lineno, node.end_col_offset or 0),
                        replacement="pass",
                    )
                )
                continue
            if not isinstance(node, ast.Call):
                continue
            name = _called_name(node)
            if name not in CHECKS:
                continue
            replacement = _replacement(CHECKS[name], node, source)
            if replacement is None:
                continue
            sites.append(
                Site(
                    path=str(rel),
                    line=node.lineno,
                    end_line=node.end_lineno or node.lineno,
                    name=name,
                    text=" ".join((ast.get_source_segment(source, node) or "").split())[:160],
                    start=(node.lineno, node.col_offset),
                    end=(node.end_lineno or node.lineno, node.end_col_offset or 0),
                    replacement=replacement,
                )
            )
    sites.sort(key=lambda s: (s.path, s.start))
    return sites


def mutate(source: str, site: Site) -> str:
    """The source with the call replaced; the line count is kept (file:line stay true)."""
    lines = source.splitlines(keepends=True)
    (l0, c0), (l1, c1) = site.start, site.end
    # Offsets are in UTF-8 bytes.
    head = lines[l0 - 1].encode()[:c0].decode()
    tail = lines[l1 - 1].encode()[c1:].decode()
    newline_count = l1 - l0 - site.replacement.count("\n")
    if site.statement:
        middle = site.replacement + "\n" * newline_count  # blank lines keep the line count
    else:
        middle = f"({site.replacement}" + "\n" * newline_count + ")"
    return "".join(lines[: l0 - 1]) + head + middle + tail + "".join(lines[l1:])


def scratch_copy(dest: Path) -> None:
    if dest.exists():
        shutil.rmtree(dest)
    ignore = shutil.ignore_patterns(
        ".git", ".venv", "__pycache__", "data", "node_modules", "*.pyc", ".ruff_cache"
    )
    shutil.copytree(ROOT, dest, ignore=ignore)


def _env(tree: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONDONTWRITEBYTECODE"] = "1"  # a mutated file of the same size must not reuse a stale .pyc
    # A test database in a file, created by the baseline and reused by every mutant (--reuse-db):
    # creating it costs ~25 s, a mutant's tests often ~5 s.
    env["SQLITE_TEST_NAME"] = str(tree / "test.sqlite3")
    env["QINGYI_MATRIX_FAIL_FAST"] = "1"  # the permission matrix stops at its first problem
    env.pop("DATABASE_URL", None)
    return env


NICE = 0


def _pytest(*args: str) -> list[str]:
    """pytest, at a lower priority with --nice N (the machine may be shared)."""
    return ["nice", "-n", str(NICE), sys.executable, "-m", "pytest", *args]


def baseline(tree: Path, workdir: Path, paths: list[str], workers: int = 1, name: str = ".coverage") -> Path:
    """Run the suite once under coverage with one context per test; return the data file.

    With ``workers`` > 1 the run is spread by pytest-xdist (pytest-cov keeps the per-test
    contexts and combines the workers' data). ``name`` other than ``.coverage`` is a second,
    smaller baseline (``--extra-baseline``) whose contexts are added to the first one's.
    """
    data = workdir / name
    junit = workdir / f"baseline{name}.xml"
    for old in workdir.glob(f"{name}*"):
        old.unlink()
    rc = workdir / f"{name}rc"
    rc.write_text(f"[run]\ndata_file = {data}\nsource = {tree / SRC}\nomit = */migrations/*\n")
    spread = ["-n", str(workers)] if workers > 1 else ["-p", "no:xdist"]
    cmd = _pytest(
        "-q",
        *spread,
        "--create-db",
        "-m",
        "not browser",
        f"--cov={tree / SRC}",
        f"--cov-config={rc}",
        "--cov-context=test",
        "--cov-report=",
        f"--junitxml={junit}",
        *paths,
    )
    print("baseline:", " ".join(cmd[5:]), flush=True)
    t0 = time.monotonic()
    result = subprocess.run(cmd, cwd=tree, env=_env(tree))
    print(f"baseline: exit {result.returncode} in {time.monotonic() - t0:.0f} s", flush=True)
    if result.returncode not in (0, 1):
        sys.exit("The suite did not run; fix it first.")
    failures = workdir / "baseline-failures.txt"
    known = set(failures.read_text().split()) if name != ".coverage" and failures.exists() else set()
    failures.write_text("".join(f"{n}\n" for n in sorted(known | set(_failed(junit)))))
    return data


def _failed(junit: Path) -> list[str]:
    """Node ids of the tests that failed in the baseline (they cannot tell a mutant)."""
    import xml.etree.ElementTree as ET

    failed = []
    for case in ET.parse(junit).getroot().iter("testcase"):
        if case.find("failure") is not None or case.find("error") is not None:
            module = case.get("classname", "").replace(".", "/")
            failed.append(f"{module}.py::{case.get('name')}")
    return failed


def tests_per_site(sites: list[Site], tree: Path, data_files: list[Path], failing: set[str]) -> None:
    from coverage import CoverageData

    datas = []
    for data_file in data_files:
        data = CoverageData(basename=str(data_file))
        data.read()
        datas.append(data)
    by_file: dict[str, list[dict[int, list[str]]]] = {}
    for site in sites:
        filename = str((tree / site.path).resolve())
        if filename not in by_file:
            by_file[filename] = [
                data.contexts_by_lineno(filename) if filename in data.measured_files() else {}
                for data in datas
            ]
        contexts: set[str] = set()
        for line in range(site.line, site.end_line + 1):
            for lines in by_file[filename]:
                contexts.update(lines.get(line, ()))
        nodeids = {c.split("|")[0] for c in contexts if c} - failing
        site.tests = sorted(nodeids, key=lambda n: _priority(n, site))


def _priority(nodeid: str, site: Site) -> tuple[int, str]:
    """Fast, close tests first (with -x the first failure ends the run); the permission matrix,
    which walks every route and takes minutes, last."""
    app = Path(site.path).parts[2] if len(Path(site.path).parts) > 2 else ""
    file = nodeid.split("::")[0]
    if file == FIRST_TESTS[0]:
        rank = 4
    elif app and file.startswith(f"tests/{app}/") and any(word in file for word in FIRST_TESTS[1:]):
        rank = 0
    elif any(word in file for word in FIRST_TESTS[1:]):
        rank = 1
    elif app and file.startswith(f"tests/{app}/"):
        rank = 2
    else:
        rank = 3
    return rank, nodeid


def run_site(site: Site, tree: Path, timeout: int) -> None:
    if not site.tests:
        site.outcome = "not covered"
        return
    file = tree / site.path
    original = file.read_text(encoding="utf-8")
    file.write_text(mutate(original, site), encoding="utf-8")
    t0 = time.monotonic()
    try:
        ast.parse(file.read_text(encoding="utf-8"))
        cmd = _pytest("-q", "-x", "-p", "no:xdist", "--reuse-db", "-m", "not browser", *site.tests)
        result = subprocess.run(
            cmd, cwd=tree, env=_env(tree), capture_output=True, text=True, timeout=timeout
        )
        if result.returncode == 0:
            site.outcome = "survived"
        elif result.returncode == 1:
            site.outcome = "killed"
            site.killer = next(
                (
                    line.split(" ", 1)[1].split(" - ")[0]
                    for line in result.stdout.splitlines()
                    if line.startswith("FAILED ")
                ),
                "",
            )
        else:
            site.outcome = "error"
            site.killer = (result.stdout + result.stderr)[-600:]
    except subprocess.TimeoutExpired:
        site.outcome = "timeout"
    except SyntaxError as exc:
        site.outcome = "error"
        site.killer = f"mutant does not parse: {exc}"
    finally:
        site.seconds = time.monotonic() - t0
        file.write_text(original, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workdir", default="/tmp/qingyi-mutation", type=Path)
    parser.add_argument("--only", action="append", default=[], help="sites whose path:line contains this")
    parser.add_argument("--names", nargs="*", default=[], help="only these checks (e.g. has_perm)")
    parser.add_argument("--list", action="store_true", help="list the call sites and stop")
    parser.add_argument(
        "--reuse-coverage", action="store_true", help="keep the last baseline's coverage data"
    )
    parser.add_argument("--jobs", type=int, default=1, help="mutants run at once (each in its own copy)")
    parser.add_argument(
        "--baseline-tests", nargs="*", default=[], help="test paths of the coverage run (default: all)"
    )
    parser.add_argument(
        "--baseline-workers", type=int, default=1, help="pytest-xdist workers of the coverage run"
    )
    parser.add_argument(
        "--extra-baseline",
        nargs="*",
        default=[],
        help="with --reuse-coverage: test paths (new tests) measured again and added to the baseline",
    )
    parser.add_argument(
        "--retry",
        action="store_true",
        help="only the sites the last report found unnoticed, timed out or in error",
    )
    parser.add_argument(
        "--resume",
        action="store_true",
        help="keep the last report's results and run only the sites it does not hold",
    )
    parser.add_argument(
        "--carry-over",
        type=Path,
        help="an earlier work directory (its report and tree): a site killed there whose enclosing"
        " function is unchanged, wherever it now lives, stays killed and is not run again",
    )
    parser.add_argument("--timeout", type=int, default=600, help="seconds per mutant")
    parser.add_argument("--nice", type=int, default=0, help="niceness of the test runs")
    args = parser.parse_args()
    global NICE
    NICE = args.nice

    started = time.monotonic()
    sites = find_sites(ROOT)
    if args.only:
        sites = [s for s in sites if any(o in s.where for o in args.only)]
    if args.names:
        sites = [s for s in sites if s.name in args.names]
    kept: list[dict] = []  # with --retry: the last report's killed sites, carried over
    if args.retry:
        last = json.loads((args.workdir / "mutation-report.json").read_text())
        again = {(r["path"], r["text"]) for r in last if r["outcome"] != "killed"}
        kept = [r for r in last if r["outcome"] == "killed"]
        sites = [s for s in sites if (s.path, s.text) in again]
        print(f"retrying {len(sites)} sites of the last report ({len(kept)} killed there, kept)")
    elif args.resume:
        kept = json.loads((args.workdir / "mutation-report.json").read_text())
        done_already = {(r["path"], r["text"]) for r in kept}
        sites = [s for s in sites if (s.path, s.text) not in done_already]
        print(f"resuming: {len(kept)} sites in the last report, {len(sites)} to run")
    if args.list:
        for site in sites:
            print(f"{site.where:55} {site.name:28} → {site.replacement[:60]}")
        print(f"{len(sites)} call sites")
        return

    if args.carry_over:
        old_report = json.loads((args.carry_over / "mutation-report.json").read_text())
        old_sites = {(s.path, s.text): s for s in find_sites(args.carry_over / "tree")}
        outcomes: dict[tuple[str, str, str], set[str]] = {}
        entries: dict[tuple[str, str, str], dict] = {}
        for entry in old_report:
            if entry["outcome"] != "killed":
                continue  # run again: a test may have been added since
            old = old_sites.get((entry["path"], entry["text"]))
            if old is None or not old.function:
                continue
            key = (old.function, old.function_hash, old.text)
            outcomes.setdefault(key, set()).add(entry["outcome"])
            entries[key] = entry | {"function": old.function, "function_hash": old.function_hash}
        carried, to_run = [], []
        for site in sites:
            key = (site.function, site.function_hash, site.text)
            if len(outcomes.get(key, ())) == 1:
                carried.append(entries[key] | {"path": site.path, "line": site.line})
            else:
                to_run.append(site)
        kept = carried
        sites = to_run
        print(f"carried over from {args.carry_over}: {len(kept)} sites; {len(sites)} to run")

    workdir: Path = args.workdir
    workdir.mkdir(parents=True, exist_ok=True)
    tree = workdir / "tree"
    data_file = workdir / ".coverage"
    if args.reuse_coverage and data_file.exists() and tree.exists():
        # Refresh the sources but keep the measured paths (the coverage data names files in `tree`).
        for site_file in {s.path for s in sites}:
            shutil.copy2(ROOT / site_file, tree / site_file)
        shutil.copytree(ROOT / "tests", tree / "tests", dirs_exist_ok=True)
    else:
        scratch_copy(tree)
        data_file = baseline(tree, workdir, args.baseline_tests, args.baseline_workers)
    data_files = [data_file]
    if args.extra_baseline:
        data_files.append(
            baseline(tree, workdir, args.extra_baseline, args.baseline_workers, name=".coverage-extra")
        )
    failures = workdir / "baseline-failures.txt"
    failing = set(failures.read_text().split()) if failures.exists() else set()
    if failing:
        print(f"left out (failing unmutated): {sorted(failing)}")
    tests_per_site(sites, tree, data_files, failing)

    report = workdir / "mutation-report.json"
    trees: queue.Queue[Path] = queue.Queue()
    trees.put(tree)
    for job in range(1, args.jobs):
        copy = workdir / f"tree-{job}"
        if copy.exists():
            shutil.rmtree(copy)
        shutil.copytree(tree, copy)
        trees.put(copy)
    done = 0
    lock = threading.Lock()

    def work(site: Site) -> None:
        nonlocal done
        own = trees.get()
        try:
            run_site(site, own, args.timeout)
        finally:
            trees.put(own)
        with lock:
            done += 1
            print(
                f"[{done}/{len(sites)}] {site.outcome:11} {site.where} {site.name}"
                f" ({len(site.tests)} tests, {site.seconds:.0f} s)",
                flush=True,
            )
            report.write_text(
                json.dumps(kept + [asdict(s) for s in sites if s.outcome], ensure_ascii=False, indent=1)
            )

    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        list(pool.map(work, sites))

    elapsed = time.monotonic() - started
    counts = {
        o: sum(1 for s in sites if s.outcome == o)
        for o in ("killed", "survived", "not covered", "timeout", "error")
    }
    print()
    if kept:
        print(f"carried over from the last report (not run again): {len(kept)}")
        for outcome in ("killed", "survived", "not covered", "timeout", "error"):
            print(f"  {outcome}: {sum(1 for r in kept if r['outcome'] == outcome)}")
    print(f"call sites run: {len(sites)}")
    for outcome, count in counts.items():
        print(f"{outcome}: {count}")
    unnoticed = [s for s in sites if s.outcome in ("survived", "not covered")]
    unnoticed_kept = [r for r in kept if r["outcome"] in ("survived", "not covered")]
    for r in unnoticed_kept:
        print(f"  (last report) {r['path']}:{r['line']}  [{r['outcome']}]  {r['text']}")
    if unnoticed:
        print("\nremovals no test notices:")
        for site in unnoticed:
            print(f"  {site.where}  [{site.outcome}]  {site.text}")
    odd = [s for s in sites if s.outcome in ("timeout", "error")]
    for site in odd:
        print(f"  {site.where}  [{site.outcome}]  {site.killer[-200:]}")
    print(f"\ntime: {elapsed / 60:.1f} min; report: {report}")
    sys.exit(1 if unnoticed or unnoticed_kept else 0)


if __name__ == "__main__":
    main()
