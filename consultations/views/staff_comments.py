"""Routes of this area (see docs/architecture.md)."""
