"""Teacher and district pages, one module per concern (classes, usage)."""
