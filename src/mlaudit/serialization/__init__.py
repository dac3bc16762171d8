"""Static scanning of model files for code that would run when they are loaded (the ``serialization`` check)."""
