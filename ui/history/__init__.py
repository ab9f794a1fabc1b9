"""Session history: a lazily paged table with filters and totals, and a session's detail."""
