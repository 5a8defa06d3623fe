"""Model stage: what the outputs show, gathered once before anything is written.

`public` is the only door from the register to the public site: public renderers receive a
`SiteModel`, built of public types that have no private field. Staff outputs take `StaffModel`.
"""
