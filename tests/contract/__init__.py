"""The event-log contract: what any backend must do to be an ``EventLog``.

``log_contract.EventLogContract`` holds the tests; each ``test_*_contract.py``
subclasses it for one backend and says how to make and reopen a log.
"""
