"""Keys a development checkout makes for itself, in a git-ignored folder, so that `make run`
and the tests need no secret set by hand. Production sets each key in the environment."""

import os
import secrets
from pathlib import Path


def local_key(path: Path) -> str:
    """The key kept in `path`, made (32 random bytes, hex) the first time it is asked for.
    Processes that start together (test workers) agree: only one creates the file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(descriptor, "w") as file:
            file.write(secrets.token_hex(32))
    key = path.read_text().strip()
    if not key:  # read while its maker had opened it and not yet written
        raise RuntimeError(f"{path} is empty: delete it to make a new key.")
    return key
