"""`torchrun` with one fix for Debian 12's PyTorch 1.13 under Python 3.11: there, every launch fails in
`Std.from_str` (Python 3.11 no longer lists the zero member of an IntFlag when iterating it, so the default
`--redirects 0` / `--tee 0` parse to None and the agent crashes with "'NoneType' object has no attribute 'get'").
This module repairs that parser when it is broken and then runs torch's own launcher with the same arguments:

    python3 -m vae_torch.torchrun --nproc_per_node=2 -m vae_torch.train --config config.json --out trained

Where `torchrun` works (newer PyTorch, or Python 3.10 and older), use it directly; the arguments are the same.
"""

import re
import sys

from torch.distributed.elastic.multiprocessing import api


def _repair():
    Std = api.Std
    if Std.from_str("0") is not None:
        return

    def from_str(value):
        if re.match(api._VALUE_REGEX, value):
            return Std(int(value))
        if re.match(api._MAPPING_REGEX, value):
            return {int(i): Std(int(v)) for i, v in (m.split(":") for m in value.split(","))}
        raise ValueError(f"{value} does not match: <{api._VALUE_REGEX}> or <{api._MAPPING_REGEX}>")

    Std.from_str = staticmethod(from_str)


def main():
    _repair()
    from torch.distributed.run import main as run

    run()


if __name__ == "__main__":
    sys.exit(main())
