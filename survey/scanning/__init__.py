"""Machine-readable paper questionnaires: printing them, reading scanned stacks back.

``readings`` holds what the reader hands to the review (the interface between reading and
storing); printing, layout and recognition live beside it.
"""
