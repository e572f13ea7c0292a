"""Mesa agents of the community and their behaviour rules (battery, pricing)."""

from agents.prosumer import ProsumerAgent

__all__ = ["ProsumerAgent"]
