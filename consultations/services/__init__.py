"""Services of the consultations feature: every write and every rule."""
