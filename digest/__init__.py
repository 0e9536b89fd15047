"""digest: a newsroom's articles → RSS, Atom and JSON feeds and an email digest."""

__version__ = "0.1.0"

from .config import Config, load_config  # noqa: E402
from .errors import DigestError  # noqa: E402
from .pipeline import BuildResult, build  # noqa: E402

__all__ = ["BuildResult", "Config", "DigestError", "__version__", "build", "load_config"]
