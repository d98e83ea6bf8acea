"""`python -m verifier BUNDLE`: the same as `verify-draw BUNDLE`."""

from verifier.cli import entry_point

entry_point()
