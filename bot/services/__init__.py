"""Use cases, one folder per capability (docs/architecture.md); no aiogram import; each owns its transaction."""
