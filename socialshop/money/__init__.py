"""The money engine: attempts, their stored plans, settling them, reconciling the unknown."""
