"""Reports made from the history: the yearly review of pending recommendations."""
