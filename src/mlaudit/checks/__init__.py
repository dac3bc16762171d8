"""The checks, one module each; they are registered in ``mlaudit.registry``.

This package's ``__init__`` stays empty so that a hook importing one check
module does not import all the others.
"""
