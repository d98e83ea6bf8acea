"""Allocation modes of protocol §9-§11, on the array form of `problem`."""
