"""Services: turn rows into engine inputs and engine outputs into rows, one transaction each."""
