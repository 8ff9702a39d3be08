"""Rules of the registry: no Qt, no SQL."""
