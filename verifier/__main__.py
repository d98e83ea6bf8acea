"""`python -m verifier BUNDLE`: the same as `verify-draw BUNDLE`."""

from verifier.cli import main

raise SystemExit(main())
