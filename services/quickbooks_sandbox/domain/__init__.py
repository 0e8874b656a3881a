"""Pure, I/O-free model of a QuickBooks Online company (realm) and its API rules."""
