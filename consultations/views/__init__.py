"""View modules; each attaches routes to the blueprints in consultations.blueprint."""
