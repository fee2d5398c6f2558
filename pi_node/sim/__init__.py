"""The simulator (`parking-node --simulate`): virtual nodes with realistic traffic."""
