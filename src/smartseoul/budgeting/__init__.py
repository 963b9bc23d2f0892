"""Participatory budgeting: Pabulib files and the rules that turn ballots into funded projects.

Pure Python (no Django models yet): :mod:`.pabulib` reads and writes the Pabulib ``.pb``
format, :mod:`.rules` computes winners with the greedy rule or the Method of Equal Shares and
explains why each project won or lost. ``docs/budgeting.md`` describes both.
"""
