"""Fault injection: what a hostile or unlucky user does to each part, and what it must say."""
