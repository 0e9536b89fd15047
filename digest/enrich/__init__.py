"""What a story adds to an article: lead quote, related links, rendered body."""
