"""dti-bot: the Telegram adapter, use cases and composition root of the DTI campaign bot."""
