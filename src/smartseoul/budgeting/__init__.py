"""Participatory budgeting: Pabulib files and the rules that turn ballots into funded projects.

Pure Python (no Django models yet): :mod:`.pabulib` reads and writes the Pabulib ``.pb``
format; :mod:`.profile` holds who approved what; :mod:`.rules` computes winners with the
greedy rule or the Method of Equal Shares (one run in :mod:`.mes`) and explains why each
project won or lost (:mod:`.explain`); :mod:`.simulate` runs a rule on a Pabulib file and
exports a result. The budget proof for encrypted ballots is
:mod:`smartseoul.voting.crypto.budget`. ``docs/budgeting.md`` describes all of it.
"""
