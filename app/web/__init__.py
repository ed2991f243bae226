"""HTML pages for people (Jinja2, no JavaScript)."""
