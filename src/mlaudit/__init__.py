"""mlaudit: audits repositories that hold open-source ML models."""

__version__ = "0.1.0"
