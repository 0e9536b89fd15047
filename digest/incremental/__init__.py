"""Doing no work twice: the build cache, replay, fingerprints, workers."""
