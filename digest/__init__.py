"""digest: a newsroom's articles → RSS, Atom and JSON feeds and an email digest."""

__version__ = "0.1.0"

from digest.config import Config, load_config
from digest.errors import DigestError
from digest.models import BuildResult
from digest.pipeline import build

__all__ = ["BuildResult", "Config", "DigestError", "__version__", "build", "load_config"]
