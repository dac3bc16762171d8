"""Pure parsers of model and repository files: bounded, streaming, never executing content."""
