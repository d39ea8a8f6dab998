"""The demo province: units, personas, answers and evidence files."""
