"""Evaluates a PyTorch folder (model.safetensors + config.json, from vae_torch.train or `vae export --format
safetensors`) on the MNIST test images: the loss terms in nats per example, as JSON on stdout.

    python3 -m vae_torch.evaluate FOLDER [--data-dir DIR] [--test-limit N] [--seed S]
"""

import argparse
import json
import sys

import torch

from .data import find_mnist, load_idx_split
from .io import load_folder
from .train import evaluate


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python3 -m vae_torch.evaluate", description=__doc__.split("\n\n")[0])
    parser.add_argument("folder")
    parser.add_argument("--data-dir")
    parser.add_argument("--test-limit", type=int)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--batch-size", type=int, default=1000)
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    model = load_folder(args.folder)
    model.eval()
    x, labels = load_idx_split(args.data_dir or find_mnist(), "test", args.test_limit)
    terms = evaluate(model, x, labels, 0, 1, torch.device("cpu"), args.batch_size, args.seed)
    print(json.dumps({"model": model.class_name, **terms}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
