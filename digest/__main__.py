"""`python -m digest`."""

from digest.cli import main

if __name__ == "__main__":  # importing this module (say, to unpickle a name) runs nothing
    main()
