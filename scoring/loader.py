"""Read a framework file (YAML) into the model, validating as it goes.

The only module of `scoring` allowed a third-party import (PyYAML). Every error names the file and
the item at fault, so an admin can fix a framework without reading code. The schema is documented
in docs/frameworks.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from scoring.errors import FrameworkError
from scoring.methods import Criterion, build_method
from scoring.model import (
    EVIDENCE_KINDS,
    NA_POLICIES,
    VALUE_FORMULAS,
    Band,
    Cohort,
    EvidenceRule,
    Framework,
    Index,
    Pillar,
    RankingPolicy,
    Rounding,
    SubIndex,
)
from scoring.numbers import ZERO, parse_decimal

TOP_KEYS = {  # every key a framework file may have at its top level
    "base",
    "id",
    "title",
    "issuer",
    "decision",
    "level",
    "years",
    "total_points",
    "value_formula",
    "rounding",
    "ranking",
    "not_applicable",
    "illustrative",
    "pillars",
    "indices",
    "note",
}
_PILLAR_KEYS = {"code", "name", "max_points", "indices"}
_INDEX_KEYS = {"code", "name", "max_points", "sub_indices", "note"}
_SUB_KEYS = {
    "code",
    "name",
    "question",
    "hint",
    "unit",
    "max_points",
    "method",
    "criteria",
    "evidence",
    "applies_if",
    "skippable",
    "illustrative",
    "note",
}
EVIDENCE_FIELDS = ("required", "kinds", "description", "explanation_allowed")


def default_framework_dirs() -> list[Path]:
    """Where shipped frameworks live: inside the installed package, or `frameworks/` of a checkout."""
    here = Path(__file__).resolve().parent
    return [d for d in (here / "frameworks", here.parent / "frameworks") if d.is_dir()]


def find_framework(ref: str, dirs: list[Path] | None = None) -> Path:
    """A framework file by path or by id (the file `<id>.yaml` in one of the framework folders)."""
    candidate = Path(ref)
    if candidate.suffix in (".yaml", ".yml") and candidate.is_file():
        return candidate
    search = dirs if dirs is not None else default_framework_dirs()
    for folder in search:
        path = Path(folder) / f"{ref}.yaml"
        if path.is_file():
            return path
    known = ", ".join(available_frameworks(search)) or "none"
    raise FrameworkError(ref, "framework", f"not found (known frameworks: {known})")


def available_frameworks(dirs: list[Path] | None = None) -> list[str]:
    search = dirs if dirs is not None else default_framework_dirs()
    return sorted({p.stem for folder in search for p in Path(folder).glob("*.yaml")})


def load_framework(path: str | Path) -> Framework:
    """Load and validate one framework file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise FrameworkError(str(path), "file", f"cannot be read: {exc.strerror or exc}") from exc
    return load_framework_text(text, str(path))


def load_framework_text(text: str, source: str = "<text>", dirs: list[Path] | None = None) -> Framework:
    """Load and validate a framework from its YAML text (e.g. the copy kept in the database)."""
    return framework_from_data(resolve_framework_data(text, source, dirs), source)


def framework_from_data(data: Mapping[str, Any], source: str = "<data>") -> Framework:
    return _Reader(source).framework(data)


def resolve_framework_data(text: str, source: str = "<text>", dirs: list[Path] | None = None) -> dict[str, Any]:
    """Parse YAML text into the framework's data, resolving `base: <id>`.

    A file with `base` takes every top-level field of the base framework and overrides the ones it
    states (a province adapting a framework: other cohorts, another title). The result is
    self-contained, which is what the database keeps.
    """
    data = _parse(text, source)
    seen = [source]
    while "base" in data:
        base_id = str(data.pop("base"))
        if base_id in seen:
            raise FrameworkError(source, "base", f"circular base chain: {' -> '.join([*seen, base_id])}")
        seen.append(base_id)
        base_path = find_framework(
            base_id, dirs if dirs is not None else [Path(source).parent, *default_framework_dirs()]
        )
        data = {**_parse(base_path.read_text(encoding="utf-8"), str(base_path)), **data}
    return data


def _parse(text: str, source: str) -> dict[str, Any]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise FrameworkError(source, "file", f"is not valid YAML: {exc}") from exc
    if not isinstance(data, Mapping):
        raise FrameworkError(source, "file", "must be a mapping at the top level")
    return dict(data)


def dump_framework_data(data: Mapping[str, Any]) -> str:
    """The resolved definition as YAML text (what the database keeps beside its hash)."""
    return yaml.safe_dump(dict(data), allow_unicode=True, sort_keys=False)


class _Reader:
    def __init__(self, source: str) -> None:
        self.source = source
        self.codes: dict[str, str] = {}

    def fail(self, item: str, problem: str) -> FrameworkError:
        return FrameworkError(self.source, item, problem)

    def decimal(self, item: str, data: Mapping[str, Any], key: str) -> Decimal:
        if key not in data:
            raise self.fail(item, f"missing '{key}'")
        try:
            value = parse_decimal(data[key])
        except ValueError as exc:
            raise self.fail(item, f"'{key}' must be a number, got {data[key]!r}") from exc
        if value < 0:
            raise self.fail(item, f"'{key}' must not be negative, got {value}")
        return value

    def text(self, item: str, data: Mapping[str, Any], key: str, required: bool = True) -> str:
        value = data.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                raise self.fail(item, f"missing '{key}'")
            return ""
        return str(value).strip()

    def keys(self, item: str, data: Any, allowed: set[str]) -> Mapping[str, Any]:
        if not isinstance(data, Mapping):
            raise self.fail(item, "must be a mapping")
        unknown = sorted(set(data) - allowed)
        if unknown:
            raise self.fail(item, f"unknown field(s): {', '.join(map(str, unknown))}")
        return data

    def claim(self, item: str, code: str) -> None:
        if code in self.codes:
            raise self.fail(item, f"duplicate code {code!r} (already used by {self.codes[code]})")
        self.codes[code] = item

    def framework(self, data: Mapping[str, Any]) -> Framework:
        data = self.keys("framework", data, TOP_KEYS)
        fid = self.text("framework", data, "id")
        total = self.decimal("framework", data, "total_points")
        if ("pillars" in data) == ("indices" in data):
            raise self.fail("framework", "needs exactly one of 'pillars' or 'indices'")
        pillars: list[Pillar] = []
        indices: list[Index] = []
        if "pillars" in data:
            for raw in self.listing("framework", data, "pillars"):
                pillar, pillar_indices = self.pillar(raw, len(indices))
                pillars.append(pillar)
                indices.extend(pillar_indices)
        else:
            for raw in self.listing("framework", data, "indices"):
                indices.append(self.index(raw, "", len(indices)))
        self.sums("framework", total, [i.max_points for i in indices], "indices")
        fw = Framework(
            id=fid,
            title=self.text("framework", data, "title"),
            total_points=total,
            indices=tuple(indices),
            issuer=self.text("framework", data, "issuer", required=False),
            level=self.text("framework", data, "level", required=False),
            years=self.years(data.get("years", [])),
            pillars=tuple(pillars),
            value_formula=self.choice("framework", data, "value_formula", VALUE_FORMULAS, "total_ratio"),
            rounding=self.rounding(data.get("rounding", {})),
            ranking=self.ranking(data.get("ranking", {})),
            not_applicable=self.choice("framework", data, "not_applicable", NA_POLICIES, "shrink_max"),
            illustrative=bool(data.get("illustrative", False)),
            source=self.source,
            **self.decision(data.get("decision")),
        )
        if fw.value_formula == "pillar_mean" and not fw.pillars:
            raise self.fail("framework", "value_formula 'pillar_mean' needs pillars")
        return fw

    def listing(self, item: str, data: Mapping[str, Any], key: str) -> list[Any]:
        value = data.get(key)
        if not isinstance(value, list) or not value:
            raise self.fail(item, f"'{key}' must be a non-empty list")
        return value

    def choice(self, item: str, data: Mapping[str, Any], key: str, allowed: tuple[str, ...], default: str) -> str:
        value = data.get(key, default)
        if value not in allowed:
            raise self.fail(item, f"'{key}' must be one of {', '.join(allowed)}; got {value!r}")
        return value

    def sums(self, item: str, expected: Decimal, parts: list[Decimal], what: str) -> None:
        total = sum(parts, ZERO)
        if parts and total != expected:
            raise self.fail(item, f"the points of its {what} sum to {total}, not to {expected}")

    def pillar(self, raw: Any, offset: int) -> tuple[Pillar, list[Index]]:
        code = str(raw.get("code", "?")) if isinstance(raw, Mapping) else "?"
        item = f"pillar {code}"
        data = self.keys(item, raw, _PILLAR_KEYS)
        self.claim(item, self.text(item, data, "code"))
        max_points = self.decimal(item, data, "max_points")
        indices = [self.index(r, code, offset + n) for n, r in enumerate(self.listing(item, data, "indices"))]
        self.sums(item, max_points, [i.max_points for i in indices], "indices")
        name = self.text(item, data, "name")
        return Pillar(code, name, max_points, tuple(i.code for i in indices)), indices

    def index(self, raw: Any, pillar_code: str, position: int) -> Index:
        code = str(raw.get("code", "?")) if isinstance(raw, Mapping) else "?"
        item = f"index {code}"
        data = self.keys(item, raw, _INDEX_KEYS)
        self.claim(item, self.text(item, data, "code"))
        max_points = self.decimal(item, data, "max_points")
        subs = [self.sub_index(r, code) for r in data.get("sub_indices") or []]
        self.sums(item, max_points, [s.max_points for s in subs], "sub-indices")
        return Index(code, self.text(item, data, "name"), max_points, tuple(subs), pillar_code)

    def sub_index(self, raw: Any, index_code: str) -> SubIndex:
        code = str(raw.get("code", "?")) if isinstance(raw, Mapping) else "?"
        item = f"sub-index {code}"
        data = self.keys(item, raw, _SUB_KEYS)
        self.claim(item, self.text(item, data, "code"))
        max_points = self.decimal(item, data, "max_points")
        criteria = self.criteria(item, data.get("criteria") or [])
        method_params = data.get("method")
        if not isinstance(method_params, Mapping) or "type" not in method_params:
            raise self.fail(item, "missing 'method' with a 'type'")
        try:
            method = build_method(method_params, max_points, criteria)
        except ValueError as exc:
            raise self.fail(item, str(exc)) from exc
        applies_if = data.get("applies_if") or {}
        if not isinstance(applies_if, Mapping):
            raise self.fail(item, "'applies_if' must map unit attributes to values")
        return SubIndex(
            code=code,
            name=self.text(item, data, "name"),
            question=self.text(item, data, "question"),
            max_points=max_points,
            method=method,
            hint=self.text(item, data, "hint", required=False),
            unit=self.text(item, data, "unit", required=False),
            criteria=criteria,
            evidence=self.evidence(item, data.get("evidence")),
            applies_if=dict(applies_if),
            skippable=bool(data.get("skippable", True)),
            illustrative=bool(data.get("illustrative", False)),
            index_code=index_code,
            position=len(self.codes),
        )

    def criteria(self, item: str, raw: Any) -> tuple[Criterion, ...]:
        if not isinstance(raw, list):
            raise self.fail(item, "'criteria' must be a list")
        out: list[Criterion] = []
        for entry in raw:
            if not isinstance(entry, Mapping) or "code" not in entry or "name" not in entry:
                raise self.fail(item, "each criterion needs 'code', 'name' and 'points'")
            code = str(entry["code"])
            if any(c.code == code for c in out):
                raise self.fail(f"{item} criterion {code}", "duplicate criterion code")
            evidence = entry.get("evidence", True)
            if not isinstance(evidence, bool):
                raise self.fail(f"{item} criterion {code}", "'evidence' must be true or false")
            points = self.decimal(f"{item} criterion {code}", entry, "points")
            out.append(Criterion(code, str(entry["name"]), points, evidence))
        return tuple(out)

    def evidence(self, item: str, raw: Any) -> EvidenceRule:
        if raw is None:
            return EvidenceRule()
        if not isinstance(raw, Mapping):
            raise self.fail(item, "'evidence' must be a mapping")
        unknown = sorted(str(k) for k in raw if k not in EVIDENCE_FIELDS)
        if unknown:  # a typo, or a comma inside an unquoted description of a {flow: mapping}
            raise self.fail(item, f"unknown evidence field(s): {', '.join(unknown)}")
        kinds = tuple(raw.get("kinds") or ())
        bad = [k for k in kinds if k not in EVIDENCE_KINDS]
        if bad:
            raise self.fail(item, f"unknown evidence kind(s) {bad}; known: {', '.join(EVIDENCE_KINDS)}")
        required = bool(raw.get("required", False))
        if required and not kinds:
            raise self.fail(item, "required evidence needs at least one kind")
        explained = raw.get("explanation_allowed", False)
        if not isinstance(explained, bool):
            raise self.fail(item, "'explanation_allowed' must be true or false")
        return EvidenceRule(required, kinds, str(raw.get("description", "")).strip(), explained)

    def years(self, raw: Any) -> tuple[int, ...]:
        values = raw if isinstance(raw, list) else [raw]
        try:
            return tuple(int(v) for v in values if v is not None)
        except (TypeError, ValueError) as exc:
            raise self.fail("framework", f"'years' must be a list of years, got {raw!r}") from exc

    def decision(self, raw: Any) -> dict[str, Any]:
        if raw is None:
            return {}
        if not isinstance(raw, Mapping):
            raise self.fail("framework", "'decision' must have 'number' and 'date'")
        when = raw.get("date")
        if when is not None and not isinstance(when, date):
            try:
                when = date.fromisoformat(str(when))
            except ValueError as exc:
                raise self.fail("framework", f"decision date {when!r} is not YYYY-MM-DD") from exc
        return {"decision_number": str(raw.get("number", "")), "decision_date": when}

    def rounding(self, raw: Any) -> Rounding:
        if not isinstance(raw, Mapping):
            raise self.fail("framework", "'rounding' must be a mapping")
        try:
            sub = raw.get("sub_index")
            return Rounding(
                points=int(raw.get("points", 2)),
                value=int(raw.get("value", 4)),
                percent=int(raw.get("percent", 1)),
                sub_index=None if sub is None else int(sub),
            )
        except (TypeError, ValueError) as exc:
            raise self.fail("framework", f"'rounding' places must be integers: {exc}") from exc

    def ranking(self, raw: Any) -> RankingPolicy:
        if not isinstance(raw, Mapping):
            raise self.fail("framework", "'ranking' must be a mapping")
        bands = []
        for entry in raw.get("bands") or []:
            if not isinstance(entry, Mapping) or "label" not in entry:
                raise self.fail("ranking", "each band needs 'label' and 'min_percent'")
            bands.append(Band(str(entry["label"]), self.decimal(f"band {entry['label']}", entry, "min_percent")))
        bands.sort(key=lambda b: b.min_percent, reverse=True)
        cohorts = []
        for entry in raw.get("cohorts") or []:
            if not isinstance(entry, Mapping) or "code" not in entry or "name" not in entry:
                raise self.fail("ranking", "each cohort needs 'code' and 'name'")
            cohorts.append(Cohort(str(entry["code"]), str(entry["name"])))
        tie = raw.get("tie_decimals")
        return RankingPolicy(
            compare=self.choice("ranking", raw, "compare", ("value", "points"), "value"),
            tie_decimals=None if tie is None else int(tie),
            bands=tuple(bands),
            cohorts=tuple(cohorts),
        )
