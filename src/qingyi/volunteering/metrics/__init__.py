"""The figures volunteering contributes to the metrics registry (``core.metrics``), imported here
so that they register: ``projects`` (what the projects an organisation runs delivered) and
``volunteers`` (what its own volunteers gave, and the cuts of verified hours)."""

from qingyi.volunteering.metrics import projects, volunteers

__all__ = ["projects", "volunteers"]
