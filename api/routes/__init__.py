"""HTTP routes: thin; each checks the role, calls one service in one transaction, answers."""
