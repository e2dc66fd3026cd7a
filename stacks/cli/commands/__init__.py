"""One module per CLI subcommand; see `stacks.cli`."""
