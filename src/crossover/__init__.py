"""crossover: self-host open-weight LLMs or keep paying per-token APIs, and prove it."""
