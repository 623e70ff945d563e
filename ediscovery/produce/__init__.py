"""produce package."""
