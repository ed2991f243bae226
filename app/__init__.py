"""peel-api: HMICFRS PEEL inspection judgments and findings over HTTP."""
