"""Where articles come from: the Source protocol, the Markdown folder, front matter."""
