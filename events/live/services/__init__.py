"""Every write and rule of the live Q&A; sockets, views and tasks share them."""
