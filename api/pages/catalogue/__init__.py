"""One message table per language: `zh` (first) and `en`; the same keys in both."""
