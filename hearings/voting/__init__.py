"""Voting engine: participatory-budgeting instances, ballots, rules and pabulib I/O.

Pure Python (NumPy for speed), no Flask. See README.md in this directory.
"""
from .model import (ApprovalBallot, BallotError, BallotLimits, CumulativeBallot, ERROR_CODES,
                    Instance, OrdinalBallot, Project, id_key, validate_ballot)
from .pb import PBFile, PBFormatError, read_pb, write_pb
from .rules import OFFICIAL_RULES, RULES, Outcome, official_rule, tally

__all__ = [
    "Project", "Instance", "BallotLimits", "ApprovalBallot", "CumulativeBallot", "OrdinalBallot",
    "BallotError", "ERROR_CODES", "validate_ballot", "tally", "Outcome", "RULES",
    "OFFICIAL_RULES", "official_rule", "read_pb", "write_pb", "PBFile", "PBFormatError", "id_key",
]
