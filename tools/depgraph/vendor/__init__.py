"""The vendor/ tree of links to the staging packages, and the uv workspace that must list them.

Beside the flow: it reads what discovery finds and writes links; nothing else imports it.
"""
