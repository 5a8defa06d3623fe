"""The county guideline: text in, parts, sections and articles out."""
