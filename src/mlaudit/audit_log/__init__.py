"""The tamper-evident audit log: hash-chained JSON lines (``chain``) and the audit entry (``entry``)."""
