"""Pure rendering: result objects → text and button rows. No I/O; every string through gettext."""
