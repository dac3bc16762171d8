"""Weight integrity: which files are weights, their digests, and the committed manifest."""
