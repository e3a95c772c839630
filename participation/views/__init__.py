"""Core blueprints: home and preferences, accounts, administration, API basics."""
