"""The local stack (`make demo`, tests/e2e): every part as a local process under honcho."""
