"""parkmatch's FastAPI service: a thin adapter over the ``matcher`` library.

Run it with ``python -m service``; build the app with :func:`service.main.create_app`.
"""
