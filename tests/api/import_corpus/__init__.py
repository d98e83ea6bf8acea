"""Builders for applicant files used by tests/api/test_import_*.py.

Files are generated inside each test's tmp_path (or in memory), so no binary
test asset is committed. ID numbers are made with an independent formulation of
the GB 11643 check character (ISO 7064 MOD 11-2, weights 2^k mod 11), not with
the code under test.
"""
