from live.consumers.base import LiveConsumer, UnknownPathConsumer
from live.consumers.classrooms import ClassroomConsumer
from live.consumers.jobs import JobConsumer

__all__ = ["ClassroomConsumer", "JobConsumer", "LiveConsumer", "UnknownPathConsumer"]
