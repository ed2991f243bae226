"""The HTTP layer: dependencies and routes."""
