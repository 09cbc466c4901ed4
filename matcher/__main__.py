"""``python -m matcher`` runs the parkmatch command line."""

from .cli import main

if __name__ == "__main__":
    main()
