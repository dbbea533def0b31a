"""Getting results out: files written atomically, batches, email."""
