"""The system of record: tables, engines, migrations, evidence file store."""
