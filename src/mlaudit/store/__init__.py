"""Local state that only saves work: atomic files, the entry-file store of every cache, and where the cache lives."""
