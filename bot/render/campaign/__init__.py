"""Messages the bot starts itself and the coordinator's reminder settings."""
