from contracts.events import beds, intake, notifications
from contracts.events.base import Event, NeedsFacts, PartyFacts

__all__ = ["Event", "NeedsFacts", "PartyFacts", "beds", "intake", "notifications"]
