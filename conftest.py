"""Repository-level pytest configuration: the graph-contracts plugin is loaded by its entry point."""
