"""Every domain and service error as Vietnamese text, in one place."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from bot.i18n import _
from bot.render.assessment.editability import read_only_sentence
from bot.render.labels import period_action_label, period_state_label, role_label
from bot.render.numbers import vn_date, vn_number
from bot.services.errors import InputFileError, InputFileErrors, ServiceError
from scoring import FrameworkError, InvalidAnswer


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
        "unknown_cohort": _("Unit {unit}: the cohort “{value}” is not in any framework (cohorts: {known})."),
        "duplicate_column": _("The column “{column}” appears twice."),
        "not_utf8": _("The file must be saved as UTF-8."),
        "unsupported_table": _("Only .xlsx and .csv files can be imported (got {name})."),
        "not_xlsx": _("The file is not a readable Excel workbook (.xlsx)."),
        "bad_role": _("Unknown role “{value}” (roles: {known})."),
        "role_needs_unit": _("The role {value} belongs to a unit: fill in unit_code."),
        "bad_count": _("The count “{value}” must be a whole number from 1 to 1000."),
        "role_is_campaign_wide": _("The role {value} is campaign-wide: leave unit_code empty."),
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
        "period_exists": _(
            "Period {period} already exists for {framework}, year {year}. To open a second one, "
            'give the reason with --again "…".'
        ),
        "reason_required": _('Give the reason (at least 3 characters) with --reason "…".'),
        "unknown_move": _("Unknown move “{move}”."),
        "supplement_before_deadline": _(
            "The supplement deadline ({date}) cannot be before the self-assessment deadline ({deadline})."
        ),
        "date_in_past": _("The date {date} has already passed (today is {today})."),
        "no_date_for_move": _("This move sets no date: leave out --until."),
        "no_periods": _("There is no assessment period yet."),
        "reason_required_chat": _("Type the reason (at least 3 characters)."),
        "phase_moved_meanwhile": _("The period has moved to another phase meanwhile; nothing was changed."),
        "approval_off": _("This period does not ask for the unit leader's approval."),
        "not_waiting_approval": _("No self-assessment is waiting for approval: it is {approval}."),
        "deadline_before_opening": _("The deadline {deadline} is before the period opened ({opened})."),
        "unknown_role": _("Unknown role “{role}” (roles: {known})."),
        "role_needs_unit": _("The role {role} belongs to a unit: give --unit."),
        "bad_count": _("The number of invitations must be between 1 and {limit}."),
        "unknown_unit": _("Unit {unit} does not exist."),
        "not_empty": _("The database already has data: the demo is only seeded into an empty database."),
        "not_allowed": _("You are not allowed to do that."),
        "no_period": _("No assessment period is open for your unit yet."),
        "unknown_item": _("This button is no longer valid. Open the menu with /menu."),
        "expect_button": _("Please answer with the buttons under the question."),
        "nothing_open": _("No item is open. Type /tiep to continue the self-assessment."),
        "choice_expired": _("This choice is no longer open. Type the number again."),
        "not_skippable": _("Item {code} must be answered; it cannot be skipped."),
        "nothing_to_submit": _("There is nothing to submit yet: answer some items first."),
        "already_submitted": _("Item {code} is already submitted: its evidence can no longer be removed."),
        "accepted_evidence": _(
            "Item {code} was accepted by the appraisers: its evidence cannot be removed. To replace it, "
            "change the answer first; the item then goes back to appraisal."
        ),
        "no_item_open": _("Open an item first (/tiep), then send its evidence."),
        "invite_unknown": _(
            "This invitation code is not valid. Check the link, or ask your coordinator for a new one."
        ),
        "invite_used": _(
            "This invitation has already been used. Each link works once: ask your coordinator for a new one."
        ),
        "invite_expired": _("This invitation expired on {expired}. Ask your coordinator for a new one."),
        "invite_revoked": _("This invitation has been revoked. Ask your coordinator for a new one."),
        "role_is_campaign_wide": _("The role {role} is campaign-wide: do not give --unit."),
        "person_unknown": _("Nobody with Telegram id {telegram_id} has used an invitation."),
        "role_not_held": _("{name} does not hold the role {role}."),
        "role_in_several_units": _("The role {role} is held in several units ({units}): give --unit."),
        "role_already_removed": _("This role has already been removed."),
        "last_admin": _("This is the last administrator: invite another administrator before removing this role."),
        "invite_not_open": _("Invitation(s) {ids}: not found, or already used, revoked or expired."),
        "no_invites_to_revoke": _("There are no unused invitations to revoke."),
        "too_big": _(
            "The file is larger than 20 MB, which the bot cannot receive. Compress it or split it into "
            "parts, or upload it to a shared drive and send the link instead."
        ),
        "bad_type": _("Files of this type are not accepted ({name}). Accepted: {allowed}; or send a photo."),
        "bad_policy": _("Invalid reminder setting: {field}."),
        "framework_not_pending": _("This framework is no longer waiting for confirmation: send the workbook again."),
        "unit_not_in_period": _("Unit {unit} is not assessed in period {period}."),
        "no_period_to_remind": _("No assessment period is open, so there are no reminders to set."),
        "no_weekday": _("Keep at least one day of the week for sending reminders."),
        "period_not_open": _("That assessment period is no longer open; its reminders cannot be changed."),
        "already_reviewed": _("This item has already been decided (or was not submitted)."),
        "appraisal_provisional": _(
            "Provisional results of {period} are published: the appraisal is closed and its decisions can no "
            "longer be changed. A unit that disagrees raises an objection."
        ),
        "appraisal_final": _(
            "Final results of {period} are published and locked: appraisal decisions can no longer be changed."
        ),
        "appraisal_not_started": _("{period} is still a draft: its items cannot be appraised yet."),
        "not_your_domain": _("Item {code} is not in the domain assigned to you; it is left to its appraiser."),
        "not_approved_yet": _("The self-assessment of {unit} has not been approved by its leader yet."),
        "not_submitted": _("Item {code} has not been submitted by the unit: it cannot be appraised yet."),
        "nothing_complete": _("No waiting item of this unit has complete evidence; open them one by one."),
        "nothing_to_send": _("Every decision on {unit} has already been sent to it."),
        "no_appraisal_period": _("No period is in self-assessment or appraisal now."),
        "appraiser_unknown": _("Nobody “{person}” has used an invitation (give the Telegram id or the full name)."),
        "person_ambiguous": _("Several people are called “{person}”: give the Telegram id."),
        "not_an_appraiser": _("{name} does not hold the appraiser role: invite them as an appraiser first."),
        "no_scope": _("Give the indices or sub-indices to assign, e.g. --scope 1,2.3."),
        "unknown_scope": _("Not an index or sub-index of the framework: {codes} (indices: {known})."),
        "unknown_cohort_code": _("Unknown cohort “{cohort}” (cohorts: {known})."),
        "nothing_to_unassign": _("{name} has no such assignment in this period."),
        "bad_points": _("Type points between 0 and {max}, e.g. 7,5."),
        "bad_comment": _("Type a comment of 3 to 2,000 characters."),
        "bad_explanation": _("Type an explanation of 3 to 2,000 characters."),
        "invisible_text": _("The text you sent shows nothing: it has only invisible characters. Type the content."),
        "broadcast_too_long": _("The message must be 1 to {limit} characters long."),
        "no_open_period": _("No assessment period is open, so there is nobody to send to."),
        "unknown_audience": _("This audience is not known. Start again from the menu."),
        "no_broadcast": _("Start a new message from the menu (📣)."),
        "broadcast_in_past": _("That time has already passed."),
        "broadcast_bad_time": _("The time could not be read. Type the day and the time, e.g. 25/12/2026 08:00."),
        "broadcast_too_far": _("A message can be scheduled at most a year ahead."),
        "broadcast_already_sent": _("Broadcast #{id} has already started going out: it can no longer be cancelled."),
        "broadcast_already_cancelled": _("Broadcast #{id} was already cancelled."),
        # external values (bot.services.results.external_values)
        "no_values_period": _(
            "No period takes figures now: they are entered while a period runs or its results are provisional."
        ),
        "values_closed": _("This period is {state}: its figures can no longer be changed."),
        "not_external": _("Item {code} is answered by the units themselves, not entered by the coordinator."),
        "ambiguous_value": _("“{value}” can be read two ways: type it without thousands dots, e.g. 1500 or 1,5."),
        # objections (bot.services.appraisal.objections)
        "objections_not_provisional": _("Objections can be raised only while the results are provisional."),
        "objections_final": _("The results are final: objections are no longer accepted or answered."),
        "objections_deadline_passed": _("The feedback window closed on {deadline}: objections are no longer accepted."),
        "objection_pending": _("Your objection to item {code} is still waiting for the council's answer."),
        "bad_objection_reason": _("Type the reason in {low} to {high} characters."),
        "objection_reason_first": _("Type the reason of the objection first, then send the evidence."),
        "objection_evidence_limit": _("An objection can carry at most {limit} pieces of evidence."),
        "objection_decided": _("This objection has already been answered."),
        "content_mismatch": _(
            "The file's content does not match its name ({name}). Send the document itself, for example as PDF."
        ),
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
    if error.reason == "read_only":
        return read_only_error(details)
    if isinstance(details.get("expired"), datetime):
        details["expired"] = vn_date(details["expired"])
    if "approval" in details:
        from bot.render.assessment.approval import approval_state_label

        details["approval"] = approval_state_label(details["approval"])
    for key in ("deadline", "opened", "date", "today"):
        if isinstance(details.get(key), date):
            details[key] = vn_date(details[key])
    return template.format(reason=error.reason, **details)


def read_only_error(details: dict) -> str:
    return read_only_sentence(details.get("why"), details.get("deadline"), details.get("until"))


def invalid_answer(error: InvalidAnswer, a_label: str = "a", b_label: str = "b") -> str:
    """Why typed input does not fit, and what to type instead."""

    def num(value: Decimal | None) -> str:  # exact, the Vietnamese way: 1.000.000, 0,5
        if value is None:
            return ""
        exponent = value.normalize().as_tuple().exponent
        return vn_number(value, -exponent if isinstance(exponent, int) and exponent < 0 else 0)

    if error.reason == "not_a_number":
        return _("“{value}” is not a number. Type digits, for example 12 or 12,5.").format(value=error.value)
    if error.reason == "not_an_integer":
        return _("Type a whole number, without a decimal part (a dot groups thousands: 1.234).")
    if error.reason == "too_long":
        return _("The number is too long: at most 15 digits.")
    if error.reason == "out_of_range":
        if error.low is not None and error.high is not None:
            return _("The number must be between {low} and {high}.").format(low=num(error.low), high=num(error.high))
        if error.low is not None:
            return _("The number must be at least {low}.").format(low=num(error.low))
        return _("The number must be at most {high}.").format(high=num(error.high))
    if error.reason == "a_above_b":
        return _("“{a}” cannot be larger than “{b}” ({high}). Check the two numbers.").format(
            a=a_label, b=b_label, high=num(error.high)
        )
    if error.reason == "not_a_link":
        return _("That is not a link. A link starts with http:// or https://; to send a file, attach it.")
    if error.reason == "bad_doc_number":
        return _("Type the document number (at most 128 characters), e.g. 123/QĐ-UBND.")
    if error.reason == "bad_doc_date":
        return _("Type a past date as dd/mm/yyyy, e.g. 24/10/2023.")
    if error.reason == "bad_doc_summary":
        return _("Type the summary (3 to 1024 characters).")
    return _("This answer does not fit the item. Please check it and try again.")
