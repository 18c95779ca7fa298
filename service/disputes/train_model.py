"""Rebuild the shipped model's weights: `python -m service.disputes.train_model FILE.jsonl ...`."""

from __future__ import annotations

import sys

from service.disputes.model import main

if __name__ == "__main__":
    sys.stdout.write(main(sys.argv[1:]) + "\n")
