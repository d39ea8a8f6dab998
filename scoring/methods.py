"""Scoring methods seen in real DTI frameworks (see shared/domain/dti.md, section 2).

Each method validates a raw answer (`parse`) and turns a valid answer into points (`points`).
`parse` accepts what a person or a file gives (strings with a decimal comma, ints, bools) and
returns a normalised dict of Decimals; `points` trusts its input, so hot loops skip validation.
Relative methods (min-max) score against the cohort: see `MinMax.relative_points`.
"""

from __future__ import annotations

import itertools
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, ClassVar

from scoring.errors import InvalidAnswer
from scoring.numbers import ANY_NUMBER, COUNT, ONE, ZERO, NumberField, check_number, fits, parse_decimal

FIELD_KEYS = ("integer", "min", "max", "plausible_min", "plausible_max")
NON_NEGATIVE = NumberField(min=ZERO)

# Yes and no as people type them, in the chat, a sheet or a workbook (compared folded: see read_yes_no).
YES_WORDS = frozenset({"có", "co", "c", "đạt", "dat", "đúng", "dung", "rồi", "roi", "x", "yes", "y", "true", "1"})
NO_WORDS = frozenset(
    {"không", "khong", "ko", "k", "không đạt", "khong dat", "chưa", "chua", "sai", "no", "n", "false", "0"}
)


def read_yes_no(text: str) -> bool | None:
    """Yes or no as a person writes it ("Có", "đạt", "x", "không", "TRUE"); None when it is neither."""
    word = " ".join(unicodedata.normalize("NFC", text).casefold().split())
    if word in YES_WORDS:
        return True
    if word in NO_WORDS:
        return False
    return None


def _number(raw: Mapping[str, Any], key: str, field: NumberField = ANY_NUMBER) -> Decimal:
    """One number of an answer, checked against its field (whole, bounds, at most 15 digits)."""
    if key not in raw or raw[key] is None or raw[key] == "":
        raise InvalidAnswer("missing", key)
    try:
        value = parse_decimal(raw[key])
    except ValueError as exc:
        raise InvalidAnswer("not_a_number", key, value=raw[key]) from exc
    error = check_number(value, field, key)
    if error is not None:
        raise error
    return value


def _in_range(value: Decimal, key: str, low: Decimal | None, high: Decimal | None) -> Decimal:
    if (low is not None and value < low) or (high is not None and value > high):
        raise InvalidAnswer("out_of_range", key, low=low, high=high, value=value)
    return value


def _param_decimal(params: Mapping[str, Any], key: str, default: Decimal | None = None) -> Decimal | None:
    if key not in params or params[key] is None:
        return default
    try:
        return parse_decimal(params[key])
    except ValueError as exc:
        raise ValueError(f"parameter {key!r} must be a number, got {params[key]!r}") from exc


def _choice(params: Mapping[str, Any], key: str, allowed: Sequence[str], default: str) -> str:
    value = params.get(key, default)
    if value not in allowed:
        raise ValueError(f"parameter {key!r} must be one of {', '.join(allowed)}; got {value!r}")
    return value


@dataclass(frozen=True)
class Method:
    kind: ClassVar[str] = ""
    relative: ClassVar[bool] = False

    def parse(self, raw: Mapping[str, Any], max_points: Decimal) -> dict[str, Any]:  # pragma: no cover
        raise NotImplementedError

    def points(self, answer: Mapping[str, Any], max_points: Decimal) -> Decimal:  # pragma: no cover
        raise NotImplementedError

    def number_fields(self) -> Mapping[str, NumberField]:
        """The numbers a person types for this method, by answer key (none for buttons)."""
        return {}

    def implausible(self, answer: Mapping[str, Any]) -> tuple[str, ...]:
        """Keys of a parsed answer whose numbers lie outside the plausibility bounds (ask to confirm)."""
        return tuple(key for key, field in self.number_fields().items() if not field.plausible(answer[key]))


@dataclass(frozen=True)
class YesNo(Method):
    """Đạt / không đạt: the maximum for yes, nothing for no."""

    kind: ClassVar[str] = "yes_no"

    def parse(self, raw: Mapping[str, Any], max_points: Decimal) -> dict[str, Any]:
        value = raw.get("yes")
        if isinstance(value, str):
            value = read_yes_no(value)
        if not isinstance(value, bool):
            raise InvalidAnswer("missing", "yes")
        return {"yes": value}

    def points(self, answer: Mapping[str, Any], max_points: Decimal) -> Decimal:
        return max_points if answer["yes"] else ZERO


@dataclass(frozen=True)
class Option:
    code: str
    label: str
    fraction: Decimal
    evidence: bool = True  # False: choosing it needs no evidence (e.g. "no board yet")


@dataclass(frozen=True)
class TieredOptions(Method):
    """One option chosen from a list, each worth a fraction of the maximum
    (e.g. the head of the unit chairs the steering board → 1, a deputy → 1/2, no board → 0)."""

    kind: ClassVar[str] = "options"
    options: tuple[Option, ...] = ()
    _by_code: Mapping[str, Decimal] = field(default_factory=dict, compare=False, repr=False)

    def parse(self, raw: Mapping[str, Any], max_points: Decimal) -> dict[str, Any]:
        code = raw.get("option")
        if code is None or code == "":
            raise InvalidAnswer("missing", "option")
        if str(code) not in self._by_code:
            raise InvalidAnswer("unknown_option", "option", value=code)
        return {"option": str(code)}

    def points(self, answer: Mapping[str, Any], max_points: Decimal) -> Decimal:
        return self._by_code[answer["option"]] * max_points


@dataclass(frozen=True)
class Criterion:
    code: str
    name: str
    points: Decimal
    evidence: bool = True  # False: ticking it needs no evidence (e.g. checked on a public portal)


@dataclass(frozen=True)
class CriteriaSum(Method):
    """Tổng điểm các tiêu chí đạt: the sum of the points of the criteria that hold."""

    kind: ClassVar[str] = "criteria"
    criteria: tuple[Criterion, ...] = ()
    _by_code: Mapping[str, Decimal] = field(default_factory=dict, compare=False, repr=False)

    def parse(self, raw: Mapping[str, Any], max_points: Decimal) -> dict[str, Any]:
        chosen = raw.get("criteria")
        if chosen is None:
            raise InvalidAnswer("missing", "criteria")
        if isinstance(chosen, str) or not isinstance(chosen, Sequence | set | frozenset):
            raise InvalidAnswer("not_a_list", "criteria", value=chosen)
        unknown = [str(c) for c in chosen if str(c) not in self._by_code]
        if unknown:
            raise InvalidAnswer("unknown_criterion", "criteria", value=unknown[0])
        chosen_codes = {str(c) for c in chosen}
        return {"criteria": [code for code in self._by_code if code in chosen_codes]}

    def points(self, answer: Mapping[str, Any], max_points: Decimal) -> Decimal:
        by_code = self._by_code
        total = ZERO
        for code in answer["criteria"]:  # a plain loop: sum() over a generator is 5x slower here
            total += by_code[code]
        return total


@dataclass(frozen=True)
class Ratio(Method):
    """Tỷ lệ a/b × điểm tối đa, capped at the maximum. With `full_at`, a ratio at or above the
    threshold earns full points; below it the ratio is either taken as is (`proportional`) or
    stretched to the threshold (`scaled`: ratio / full_at × max). When b = 0 the framework states
    the outcome: full points, zero, or not applicable."""

    kind: ClassVar[str] = "ratio"
    full_at: Decimal | None = None
    below_threshold: str = "proportional"
    zero_denominator: str = "zero"
    allow_a_above_b: bool = False
    a_label: str = ""
    b_label: str = ""
    a: NumberField = NON_NEGATIVE
    b: NumberField = NON_NEGATIVE

    def number_fields(self) -> Mapping[str, NumberField]:
        return {"a": self.a, "b": self.b}

    def parse(self, raw: Mapping[str, Any], max_points: Decimal) -> dict[str, Any]:
        a = _number(raw, "a", self.a)
        b = _number(raw, "b", self.b)
        if a > b and not self.allow_a_above_b:
            raise InvalidAnswer("a_above_b", "a", high=b, value=a)
        return {"a": a, "b": b}

    def ratio(self, answer: Mapping[str, Any]) -> Decimal | None:
        b = answer["b"]
        if b == 0:
            return None
        return answer["a"] / b

    def points(self, answer: Mapping[str, Any], max_points: Decimal) -> Decimal:
        b = answer["b"]
        if b == 0:
            return max_points if self.zero_denominator == "full" else ZERO
        ratio = answer["a"] / b
        if self.full_at is not None:
            if ratio >= self.full_at:
                return max_points
            if self.below_threshold == "scaled":
                ratio = ratio / self.full_at
        return max_points if ratio >= ONE else ratio * max_points

    def not_applicable(self, answer: Mapping[str, Any]) -> bool:
        return answer["b"] == 0 and self.zero_denominator == "not_applicable"


@dataclass(frozen=True)
class Tier:
    min: Decimal
    points: Decimal


@dataclass(frozen=True)
class CountTiers(Method):
    """Points by count reached (e.g. meetings held: 4 → 20, 3 → 15, 2 → 10, 1 → 5).
    The highest tier whose minimum the count reaches applies; below every tier, zero."""

    kind: ClassVar[str] = "count_tiers"
    tiers: tuple[Tier, ...] = ()  # ordered by descending minimum
    count: NumberField = COUNT

    def number_fields(self) -> Mapping[str, NumberField]:
        return {"count": self.count}

    def parse(self, raw: Mapping[str, Any], max_points: Decimal) -> dict[str, Any]:
        return {"count": _number(raw, "count", self.count)}

    def points(self, answer: Mapping[str, Any], max_points: Decimal) -> Decimal:
        count = answer["count"]
        for tier in self.tiers:
            if count >= tier.min:
                return tier.points
        return ZERO


@dataclass(frozen=True)
class MinMax(Method):
    """Phương pháp Min-Max: points relative to the cohort.

    variant `minmax`: (x − min) / (max − min) × max points (lower is better: (max − x) / (max − min));
    variant `max_ratio`: x / max(x) × max points (lower is better: min(x) / x).
    When every unit of the cohort has the same value, `all_equal` says whether all get full points
    or none. A score is provisional until every unit of the cohort has answered.
    """

    kind: ClassVar[str] = "minmax"
    relative: ClassVar[bool] = True
    variant: str = "minmax"
    direction: str = "higher"
    all_equal: str = "full"
    min_value: Decimal | None = None
    max_value: Decimal | None = None
    value: NumberField = ANY_NUMBER  # its min and max are min_value and max_value

    def number_fields(self) -> Mapping[str, NumberField]:
        return {"value": self.value}

    def parse(self, raw: Mapping[str, Any], max_points: Decimal) -> dict[str, Any]:
        return {"value": _number(raw, "value", self.value)}

    def points(self, answer: Mapping[str, Any], max_points: Decimal) -> Decimal:
        """Points of a unit alone in its cohort (the all-equal rule)."""
        return max_points if self.all_equal == "full" else ZERO

    def relative_points(self, x: Decimal, low: Decimal, high: Decimal, max_points: Decimal) -> Decimal:
        if low == high:
            return max_points if self.all_equal == "full" else ZERO
        higher = self.direction == "higher"
        if self.variant == "minmax":
            share = (x - low) / (high - low) if higher else (high - x) / (high - low)
        elif higher:
            share = x / high if high > 0 else ZERO
        else:
            share = low / x if x > 0 else ONE
        return share * max_points


@dataclass(frozen=True)
class External(Method):
    """The figure comes from outside the unit (a ministry, an expert group, a survey) and is entered
    by a coordinator, either as points (0..max) or as a value (0..1) multiplied by the maximum."""

    kind: ClassVar[str] = "external"
    input: str = "points"
    provider: str = ""  # the agency that provides the figure, e.g. "Sở Nội vụ" (shown to the unit)

    def parse(self, raw: Mapping[str, Any], max_points: Decimal) -> dict[str, Any]:
        if self.input == "value":
            return {"value": _in_range(_number(raw, "value"), "value", ZERO, ONE)}
        return {"points": _in_range(_number(raw, "points"), "points", ZERO, max_points)}

    def points(self, answer: Mapping[str, Any], max_points: Decimal) -> Decimal:
        if self.input == "value":
            return answer["value"] * max_points
        return answer["points"]


def _bound(spec: Mapping[str, Any], key: str, name: str) -> Decimal | None:
    try:
        value = _param_decimal(spec, key)
    except ValueError as exc:
        raise ValueError(f"'{name}.{key}' must be a number, got {spec[key]!r}") from exc
    if value is not None and not fits(value):
        raise ValueError(f"'{name}.{key}' has more than 15 digits: {value}")
    return value


def build_field(
    params: Mapping[str, Any],
    name: str,
    default: NumberField,
    *,
    low: Decimal | None = None,
    high: Decimal | None = None,
) -> NumberField:
    """A number field from the method's parameter `name` (`{integer, min, max, plausible_min,
    plausible_max}`), over `default`; `low`/`high` are limits the method itself sets."""
    spec = params.get(name)
    if spec is None:
        return default
    if not isinstance(spec, Mapping):
        raise ValueError(f"parameter {name!r} must be a mapping of {', '.join(FIELD_KEYS)}")
    unknown = sorted(str(k) for k in spec if k not in FIELD_KEYS)
    if unknown:
        raise ValueError(f"unknown key(s) in {name!r}: {', '.join(unknown)}; known: {', '.join(FIELD_KEYS)}")
    integer = spec.get("integer", default.integer)
    if not isinstance(integer, bool):
        raise ValueError(f"'{name}.integer' must be true or false, got {integer!r}")
    field = NumberField(
        integer=integer,
        min=_bound(spec, "min", name) if "min" in spec else default.min,
        max=_bound(spec, "max", name) if "max" in spec else default.max,
        plausible_min=_bound(spec, "plausible_min", name),
        plausible_max=_bound(spec, "plausible_max", name),
    )
    ordered = [
        (k, v)
        for k, v in (
            ("min", field.min),
            ("plausible_min", field.plausible_min),
            ("plausible_max", field.plausible_max),
            ("max", field.max),
        )
        if v is not None
    ]
    for (k1, v1), (k2, v2) in itertools.pairwise(ordered):
        if v1 > v2:
            raise ValueError(f"'{name}.{k1}' ({v1}) must not be above '{name}.{k2}' ({v2})")
    if field.min is not None and field.max is not None and field.min == field.max:
        raise ValueError(f"'{name}.min' and '{name}.max' leave a single possible value ({field.min})")
    if low is not None and (field.min is None or field.min < low):
        raise ValueError(f"'{name}.min' must be at least {low}")
    if high is not None and (field.max is not None and field.max > high):
        raise ValueError(f"'{name}.max' must be at most {high}")
    return field


_PARAMS = {
    "yes_no": (),
    "options": ("options",),
    "criteria": (),
    "ratio": ("full_at", "below_threshold", "zero_denominator", "allow_a_above_b", "a_label", "b_label", "a", "b"),
    "count_tiers": ("tiers", "count"),
    "minmax": ("variant", "direction", "all_equal", "min_value", "max_value", "value"),
    "external": ("input", "provider"),
}


def build_method(params: Mapping[str, Any], max_points: Decimal, criteria: tuple[Criterion, ...]) -> Method:
    """Build a method from its framework parameters; ValueError names the bad parameter."""
    kind = params.get("type")
    if kind in _PARAMS:
        unknown = sorted(str(k) for k in params if k != "type" and k not in _PARAMS[kind])
        if unknown:  # a typo, or a comma inside an unquoted label of a {flow: mapping}
            known = ", ".join(_PARAMS[kind]) or "none"
            raise ValueError(f"unknown parameter(s) of method {kind!r}: {', '.join(unknown)} (known: {known})")
    if kind == "yes_no":
        return YesNo()
    if kind == "options":
        return _build_options(params, max_points)
    if kind == "criteria":
        if not criteria:
            raise ValueError("method 'criteria' needs a non-empty 'criteria' list on the sub-index")
        total = sum((c.points for c in criteria), ZERO)
        if total != max_points:
            raise ValueError(f"criteria points sum to {total}, not to the sub-index maximum {max_points}")
        return CriteriaSum(criteria=criteria, _by_code={c.code: c.points for c in criteria})
    if kind == "ratio":
        full_at = _param_decimal(params, "full_at")
        if full_at is not None and not ZERO < full_at <= ONE:
            raise ValueError(f"parameter 'full_at' must be in (0, 1], got {full_at}")
        return Ratio(
            full_at=full_at,
            below_threshold=_choice(params, "below_threshold", ("proportional", "scaled"), "proportional"),
            zero_denominator=_choice(params, "zero_denominator", ("zero", "full", "not_applicable"), "zero"),
            allow_a_above_b=bool(params.get("allow_a_above_b", False)),
            a_label=str(params.get("a_label", "")),
            b_label=str(params.get("b_label", "")),
            a=build_field(params, "a", NON_NEGATIVE, low=ZERO),
            b=build_field(params, "b", NON_NEGATIVE, low=ZERO),
        )
    if kind == "count_tiers":
        return _build_tiers(params, max_points)
    if kind == "minmax":
        low, high = _param_decimal(params, "min_value"), _param_decimal(params, "max_value")
        if low is not None and high is not None and low >= high:
            raise ValueError(f"'min_value' {low} must be below 'max_value' {high}")
        for bound in (low, high):
            if bound is not None and not fits(bound):
                raise ValueError(f"'min_value'/'max_value' has more than 15 digits: {bound}")
        spec = params.get("value")
        if isinstance(spec, Mapping) and (("min" in spec and low is not None) or ("max" in spec and high is not None)):
            raise ValueError("give the bounds either as 'min_value'/'max_value' or in 'value', not both")
        value = build_field(params, "value", NumberField(min=low, max=high))
        return MinMax(
            variant=_choice(params, "variant", ("minmax", "max_ratio"), "minmax"),
            direction=_choice(params, "direction", ("higher", "lower"), "higher"),
            all_equal=_choice(params, "all_equal", ("full", "zero"), "full"),
            min_value=value.min,
            max_value=value.max,
            value=value,
        )
    if kind == "external":
        return External(
            input=_choice(params, "input", ("points", "value"), "points"), provider=str(params.get("provider") or "")
        )
    raise ValueError(f"unknown method {kind!r}; known: {', '.join(METHOD_KINDS)}")


METHOD_KINDS = ("yes_no", "options", "criteria", "ratio", "count_tiers", "minmax", "external")


def _build_options(params: Mapping[str, Any], max_points: Decimal) -> TieredOptions:
    raw_options = params.get("options")
    if not isinstance(raw_options, list) or len(raw_options) < 2:
        raise ValueError("method 'options' needs an 'options' list with at least two entries")
    options: list[Option] = []
    for i, raw in enumerate(raw_options, 1):
        if not isinstance(raw, Mapping) or "code" not in raw or "label" not in raw:
            raise ValueError(f"option #{i} needs 'code' and 'label'")
        if ("fraction" in raw) == ("points" in raw):
            raise ValueError(f"option {raw['code']!r} needs exactly one of 'fraction' or 'points'")
        if "fraction" in raw:
            fraction = _param_decimal(raw, "fraction")
        else:
            pts = _param_decimal(raw, "points")
            fraction = pts / max_points if max_points else ZERO
        if fraction is None or not ZERO <= fraction <= ONE:
            raise ValueError(f"option {raw['code']!r} is worth {fraction}, outside 0..1 of the maximum")
        evidence = raw.get("evidence", True)
        if not isinstance(evidence, bool):
            raise ValueError(f"option {raw['code']!r}: 'evidence' must be true or false")
        options.append(Option(str(raw["code"]), str(raw["label"]), fraction, evidence))
    codes = [o.code for o in options]
    if len(set(codes)) != len(codes):
        raise ValueError(f"duplicate option codes in {codes}")
    if max(o.fraction for o in options) != ONE:
        raise ValueError("no option earns the full points")
    return TieredOptions(options=tuple(options), _by_code={o.code: o.fraction for o in options})


def _build_tiers(params: Mapping[str, Any], max_points: Decimal) -> CountTiers:
    count = build_field(params, "count", COUNT, low=ZERO)
    if not count.integer:
        raise ValueError("'count.integer' cannot be false: a count is a whole number")
    raw_tiers = params.get("tiers")
    if not isinstance(raw_tiers, list) or not raw_tiers:
        raise ValueError("method 'count_tiers' needs a non-empty 'tiers' list of {min, points}")
    tiers: list[Tier] = []
    for i, raw in enumerate(raw_tiers, 1):
        if not isinstance(raw, Mapping) or "min" not in raw or "points" not in raw:
            raise ValueError(f"tier #{i} needs 'min' and 'points'")
        tiers.append(Tier(_param_decimal(raw, "min"), _param_decimal(raw, "points")))  # type: ignore[arg-type]
    tiers.sort(key=lambda t: t.min, reverse=True)
    if len({t.min for t in tiers}) != len(tiers):
        raise ValueError("two tiers share the same 'min'")
    for higher, lower in itertools.pairwise(tiers):
        if higher.points < lower.points:
            raise ValueError(f"tier min {higher.min} earns less than tier min {lower.min}")
    if any(t.points < 0 or t.points > max_points for t in tiers) or tiers[0].points != max_points:
        raise ValueError(f"tier points must lie in 0..{max_points} and the top tier must earn {max_points}")
    return CountTiers(tiers=tuple(tiers), count=count)
