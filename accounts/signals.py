"""Signals accounts sends; ``live`` receives them (``LiveConfig.ready``), so that accounts, near
the bottom of the layers, never imports the socket layer."""

from django.dispatch import Signal

#: A student left a classroom or was taken off its roster. Sender: ``Classroom``; arguments:
#: ``classroom_id``, ``student_id``. Their open sockets on that classroom must close now.
classroom_student_removed = Signal()
