"""One module per subcommand: plain typed functions that take values and return an exit code.

They never touch click; `qmskit.cli` parses arguments and calls them. Tests call them
directly, too. Nothing shared lives here: loading is `qmskit.loader.open_qms`, the
evaluation date `Qms.evaluation_date`.
"""
