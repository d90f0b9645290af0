"""PDF form renderers: plain data in, PDF bytes out."""
