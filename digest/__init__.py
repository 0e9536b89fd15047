"""digest: a newsroom's articles → RSS, Atom and JSON feeds and an email digest."""

__version__ = "0.1.0"

from .config import Config, load_config
from .errors import DigestError
from .models import BuildResult
from .pipeline import build

__all__ = ["BuildResult", "Config", "DigestError", "__version__", "build", "load_config"]
