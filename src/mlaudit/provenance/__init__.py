"""Provenance from Git: which commits touched each weight file, who made them, signed or not."""
