"""The GitHub side of mlaudit: REST client, event, sticky comment, summary, outputs, annotations.

Everything here runs inside GitHub Actions (or against a stand-in API in tests);
nothing here decides the audit's verdict: a failure to talk to GitHub is
reported, never turned into a pass or a fail.
"""
