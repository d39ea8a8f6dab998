"""The campaign's course: periods, reminders and their policy, broadcasts, the outbox, digest, progress."""
