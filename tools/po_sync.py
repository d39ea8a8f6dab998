"""Keep locales/vi/LC_MESSAGES/messages.po in step with the code.

    python tools/po_sync.py [translations.tsv]

Extracts every gettext string from bot/ and storage/, adds translations given in the TSV file
(msgid<TAB>msgstr per line, \\n for newlines), drops entries the code no longer uses, writes the
catalogue sorted, and lists strings still untranslated (exit code 1 if any).
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.test_locales import PO, extracted_messages  # noqa: E402


def main() -> int:
    with PO.open("rb") as fh:
        old = read_po(fh)
    known = {m.id: m.string for m in old if m.id}
    if len(sys.argv) > 1:
        for line in Path(sys.argv[1]).read_text(encoding="utf-8").splitlines():
            if line.strip():
                msgid, msgstr = line.split("\t")
                known[msgid.replace("\\n", "\n")] = msgstr.replace("\\n", "\n")
    wanted = extracted_messages()
    stamp = datetime(2026, 11, 22, tzinfo=UTC)  # fixed, so that a sync changes only real entries
    catalog = Catalog(
        locale="vi",
        project="dti-bot",
        version="1",
        msgid_bugs_address="",
        last_translator="dti-bot",
        language_team="Vietnamese",
        creation_date=stamp,
        revision_date=stamp,
        fuzzy=False,
    )
    catalog.header_comment = (
        "# Vietnamese catalogue of dti-bot. Every user-facing string of the code is translated here."
    )
    for msgid in sorted(wanted):
        catalog.add(msgid, known.get(msgid, ""))
    with PO.open("wb") as fh:
        write_po(fh, catalog, width=0, omit_header=False, sort_output=True, no_location=True)
    missing = sorted(m for m in wanted if not known.get(m))
    for m in missing:
        print(f"untranslated: {m!r}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
