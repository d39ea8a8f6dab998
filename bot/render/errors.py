"""Every domain and service error as one Vietnamese sentence, in one place."""

from __future__ import annotations

from bot.i18n import _
from bot.services.errors import InputFileError, ServiceError
from scoring import FrameworkError


def input_file_error(error: InputFileError) -> str:
    d = error.details
    messages = {
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
    }
    text = messages.get(error.reason, _("Invalid data ({reason}).")).format(reason=error.reason, **d)
    return _("Line {line}: {message}").format(line=error.line, message=text)


def framework_error(error: FrameworkError) -> str:
    return _("Invalid framework — {source}, item {item}: {problem}").format(
        source=error.source, item=error.item, problem=error.problem
    )


def service_error(error: ServiceError) -> str:
    if isinstance(error, InputFileError):
        return input_file_error(error)
    return _("The request could not be carried out ({reason}).").format(reason=error.reason)
