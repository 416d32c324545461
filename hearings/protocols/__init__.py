"""The official hearing protocol: versions, sign-off workflow, signed PDF."""
