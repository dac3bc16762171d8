"""Fleet assurance: inventory, matrix plan, aggregation of many audit reports, history and SLOs.

mlaudit fans out on GitHub Actions' matrix (it never schedules jobs itself):
``plan`` turns the inventory into matrix chunks, each job audits one repository,
and ``aggregate`` streams the reports back into one fleet report.
"""
