"""Subcommands of the ``homestudy`` command line, one module each."""
