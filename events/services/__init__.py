"""Every write and rule of the events feature. Services check permissions, never commit."""
