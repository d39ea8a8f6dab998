"""Every domain and service error as Vietnamese text, in one place."""

from __future__ import annotations

from bot.i18n import _
from bot.render.labels import period_action_label, period_state_label, role_label
from bot.services.errors import InputFileError, InputFileErrors, ServiceError
from scoring import FrameworkError


def _file_messages() -> dict[str, str]:
    return {
        "empty_file": _("The file is empty."),
        "no_rows": _("The file has no data rows."),
        "bad_header": _("The header row must start with: {expected}."),
        "unknown_index": _("Index code not in the framework: {index} (valid codes: {known})."),
        "duplicate_index": _("The column of index {index} appears twice."),
        "missing_index": _("Missing column for index: {index}."),
        "wrong_field_count": _("The row has {got} fields, {expected} expected."),
        "missing_unit_code": _("The unit code is missing."),
        "duplicate_unit": _("Unit code {unit} is duplicated (already on line {first_line})."),
        "missing_value": _("The value of index {index} is missing."),
        "not_a_number": _("The value of index {index} is not a number: {value}."),
        "value_out_of_range": _("The value of index {index} must be between 0 and 1, got {value}."),
        "unknown_unit": _("Unit {unit} does not exist; import the units first."),
        "missing_column": _("The column “{column}” is missing."),
        "bad_unit_code": _(
            "Invalid unit code “{value}”: use letters, digits, dot, dash or underscore (at most 64 characters)."
        ),
        "missing_name": _("Unit {unit} has no name."),
        "bad_flag": _("Column {column}: “{value}” is neither yes nor no."),
        "unknown_parent": _("Unit {unit}: the parent unit {parent} does not exist."),
        "not_utf8": _("The file must be saved as UTF-8."),
        "unsupported_table": _("Only .xlsx and .csv files can be imported (got {name})."),
        "not_xlsx": _("The file is not a readable Excel workbook (.xlsx)."),
    }


def input_file_error(error: InputFileError) -> str:
    template = _file_messages().get(error.reason, _("Invalid data ({reason})."))
    text = template.format(reason=error.reason, **error.details)
    return _("Line {line}: {message}").format(line=error.line, message=text)


def framework_error(error: FrameworkError) -> str:
    return _("Invalid framework — {source}, item {item}: {problem}").format(
        source=error.source, item=error.item, problem=error.problem
    )


def _service_messages() -> dict[str, str]:
    return {
        "unknown_period": _("Period {period} does not exist."),
        "bad_transition": _("Period {period} is {state}: the action “{action}” is not possible now."),
        "unknown_role": _("Unknown role “{role}” (roles: {known})."),
        "role_needs_unit": _("The role {role} belongs to a unit: give --unit."),
        "bad_count": _("The number of invitations must be between 1 and {limit}."),
        "unknown_unit": _("Unit {unit} does not exist."),
        "not_empty": _("The database already has data: the demo is only seeded into an empty database."),
    }


def service_error(error: ServiceError) -> str:
    if isinstance(error, InputFileError):
        return input_file_error(error)
    if isinstance(error, InputFileErrors):
        lines = [_("{count} rows have errors; nothing was saved:").format(count=len(error.errors))]
        return "\n".join(lines + [f"  {input_file_error(e)}" for e in error.errors])
    template = _service_messages().get(error.reason, _("The request could not be carried out ({reason})."))
    details = dict(error.details)
    if "state" in details:
        details["state"] = period_state_label(details["state"])
    if "action" in details:
        details["action"] = period_action_label(details["action"])
    if "role" in details:
        details["role"] = role_label(details["role"])
    return template.format(reason=error.reason, **details)
