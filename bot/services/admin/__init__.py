"""Units and people, invitations, frameworks, exports, spreadsheets, health checks."""
