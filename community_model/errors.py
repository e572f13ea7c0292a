"""The model's error for bad input, in a module of its own so that every layer (parameters,
sources, commands) can raise it without importing the others."""


class ParameterError(ValueError):
    """A parameter value outside what the model accepts; the message names it."""
