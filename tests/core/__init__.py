"""Tests of :mod:`app.core`: the codebook, offsets and word snapping (pure Python)."""
