"""RSS, Atom and JSON Feed: the item model and one writer per format."""
