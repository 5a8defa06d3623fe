"""Render stage: records → output files (Markdown pages, SVG, downloads, PDFs). Pure: no I/O, no clock."""
