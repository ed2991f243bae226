"""Query functions per resource: take a session and plain arguments, return rows."""
