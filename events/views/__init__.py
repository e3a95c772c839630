"""Routes only: parse the request, call a service, commit, render or redirect."""
