"""Plain SQL in small named functions, one module per aggregate."""
