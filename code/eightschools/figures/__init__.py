"""The book's figures, grouped by what they draw; each function returns a Figure.

Modules: ``style`` (palette, figure factory), ``data``, ``chains``, ``hyperparameters`` and
``effects``. Every number a figure shows is computed elsewhere in the package and passed in.
"""
