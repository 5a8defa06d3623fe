"""Staff tools: open rounds, compare registers, Excel in and out. They write data/, never the site."""
