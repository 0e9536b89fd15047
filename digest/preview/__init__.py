"""`digest preview`: the local server and its pages."""
