"""Use cases: one module per capability, no aiogram import; each owns its transaction."""
