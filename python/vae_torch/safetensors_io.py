"""The safetensors format for torch tensors, read as untrusted input and written as the reference implementation
does (8-byte little-endian header length, a JSON header, the tensors' bytes; header padded with spaces so the
tensors start at a multiple of 8). Written here because Debian packages no `safetensors` for Python; the checks are
the same as @vae/models' (packages/models/src/safetensors/format.ts): a bounded header length within the file,
UTF-8 JSON, unique names, known dtypes, shapes of non-negative integers, offsets inside the buffer, sizes equal to
the shapes, no overlaps and no gaps.
"""

import json
from collections import OrderedDict

import numpy as np
import torch

MAX_HEADER_BYTES = 100_000_000
MAX_RANK = 16

# dtype -> (bytes per element, numpy little-endian type, torch dtype); None: parsed and checked, not loadable here
DTYPES = {
    "BOOL": (1, "|b1", torch.bool),
    "U8": (1, "|u1", torch.uint8),
    "I8": (1, "|i1", torch.int8),
    "F8_E4M3": (1, None, None),
    "F8_E5M2": (1, None, None),
    "U16": (2, None, None),
    "I16": (2, "<i2", torch.int16),
    "F16": (2, "<f2", torch.float16),
    "BF16": (2, "<u2", torch.bfloat16),
    "U32": (4, None, None),
    "I32": (4, "<i4", torch.int32),
    "F32": (4, "<f4", torch.float32),
    "U64": (8, None, None),
    "I64": (8, "<i8", torch.int64),
    "F64": (8, "<f8", torch.float64),
}
TORCH_NAMES = {torch_dtype: name for name, (_, _, torch_dtype) in DTYPES.items() if torch_dtype is not None}


class SafetensorsError(ValueError):
    """A file that is not a valid safetensors file, or that does not fit what reads it."""


def _reject_duplicates(pairs):
    seen = set()
    for key, _ in pairs:
        if key in seen:
            raise SafetensorsError(f"names '{key[:200]}' twice")
        seen.add(key)
    return OrderedDict(pairs)


def read_safetensors(data, where="safetensors", max_bytes=None):
    """Parses `data` (bytes) and returns (OrderedDict name -> torch tensor, metadata dict, the tensors' bytes).

    Raises SafetensorsError naming the file and the problem.
    """

    def corrupt(why):
        raise SafetensorsError(
            f"{where}: {why}; it is not a valid safetensors file (damaged, truncated or edited)."
        )

    data = memoryview(data)
    if len(data) < 8:
        corrupt(f"it has {len(data)} bytes, fewer than the 8 of the header length")
    header_length = int.from_bytes(bytes(data[:8]), "little")
    if header_length > MAX_HEADER_BYTES:
        corrupt(f"its header length is {header_length:,} bytes, more than the limit of {MAX_HEADER_BYTES:,}")
    if header_length > len(data) - 8:
        corrupt(f"its header length is {header_length:,} bytes but only {len(data) - 8:,} follow")
    start = 8 + header_length
    buffer_length = len(data) - start
    if max_bytes is not None and buffer_length > max_bytes:
        raise SafetensorsError(
            f"{where}: its tensors take {buffer_length:,} bytes, more than the limit of {max_bytes:,}."
        )
    try:
        text = bytes(data[8:start]).decode("utf-8")
    except UnicodeDecodeError:
        corrupt("its header is not UTF-8 text")
    if not text.startswith("{"):
        corrupt("its header does not start with a JSON object")
    try:
        header = json.loads(text, object_pairs_hook=_reject_duplicates)
    except SafetensorsError as error:
        corrupt(f"its header {error}")
    except ValueError as error:
        corrupt(f"its header is not valid JSON ({error})")
    metadata = {}
    entries = []
    for name, info in header.items():
        if name == "__metadata__":
            if info is None:
                continue
            if not isinstance(info, dict):
                corrupt("its __metadata__ is not an object of strings")
            for key, value in info.items():
                if not isinstance(value, str):
                    corrupt(f"its __metadata__ '{key[:200]}' is not a string")
                metadata[key] = value
            continue
        label = f"tensor '{name[:200]}'"
        if not isinstance(info, dict):
            corrupt(f"{label} is not described by an object")
        dtype = info.get("dtype")
        shape = info.get("shape")
        offsets = info.get("data_offsets")
        if not isinstance(dtype, str) or dtype not in DTYPES:
            corrupt(f"{label} has dtype {json.dumps(dtype)[:40]}, not one of {', '.join(DTYPES)}")
        is_size = lambda v: isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 2**53
        if not isinstance(shape, list) or len(shape) > MAX_RANK or not all(is_size(d) for d in shape):
            corrupt(f"{label} has shape {json.dumps(shape)[:80]}, not a list of sizes")
        if not isinstance(offsets, list) or len(offsets) != 2 or not all(is_size(o) for o in offsets):
            corrupt(f"{label} has data_offsets {json.dumps(offsets)[:80]}, not [begin, end]")
        begin, end = offsets
        if begin > end or end > buffer_length:
            corrupt(f"{label} has data_offsets [{begin}, {end}] outside the {buffer_length} bytes of tensors")
        count = 0 if 0 in shape else int(np.prod(shape, dtype=object)) if shape else 1
        expected = count * DTYPES[dtype][0]
        if end - begin != expected:
            corrupt(f"{label} takes {end - begin} bytes but its shape {shape} of {dtype} needs {expected:,}")
        entries.append((name, dtype, shape, begin, end))
    position = 0
    for name, _, _, begin, end in sorted(entries, key=lambda e: (e[3], e[4])):
        if begin < position:
            corrupt(f"tensor '{name[:200]}' overlaps the tensor before it (at byte {begin})")
        if begin > position:
            corrupt(f"bytes {position} to {begin} of the tensors belong to no tensor")
        position = end
    if position != buffer_length:
        corrupt(f"bytes {position} to {buffer_length} of the tensors belong to no tensor")
    tensors = OrderedDict()
    for name, dtype, shape, begin, end in entries:
        size, numpy_type, torch_dtype = DTYPES[dtype]
        if numpy_type is None:
            raise SafetensorsError(f"{where}: tensor '{name[:200]}' is {dtype}, which this reader cannot hold.")
        array = np.frombuffer(data[start + begin : start + end], dtype=numpy_type).copy()
        if dtype == "BF16":
            tensor = torch.from_numpy(array.view(np.int16)).view(torch.bfloat16)
        else:
            tensor = torch.from_numpy(array)
        tensors[name] = tensor.reshape(shape)
    return tensors, metadata, bytes(data[start:])


def tensor_bytes(tensor):
    """The little-endian row-major bytes of a tensor (CPU, contiguous)."""
    tensor = tensor.detach().cpu().contiguous()
    if tensor.dtype == torch.bfloat16:
        return tensor.view(torch.int16).numpy().astype("<i2").tobytes()
    name = TORCH_NAMES.get(tensor.dtype)
    if name is None:
        raise SafetensorsError(f"cannot write a tensor of dtype {tensor.dtype}")
    return tensor.numpy().astype(DTYPES[name][1]).tobytes()


def write_safetensors(tensors, metadata=None):
    """A safetensors file (bytes) from an ordered mapping name -> tensor and a dict of string metadata."""
    header = OrderedDict()
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    chunks = []
    offset = 0
    for name, tensor in tensors.items():
        if name == "__metadata__" or not name:
            raise SafetensorsError(f"the tensor name '{name}' is empty or reserved")
        chunk = tensor_bytes(tensor)
        header[name] = {
            "dtype": TORCH_NAMES[tensor.dtype],
            "shape": list(tensor.shape),
            "data_offsets": [offset, offset + len(chunk)],
        }
        chunks.append(chunk)
        offset += len(chunk)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - (8 + len(text)) % 8) % 8)
    return len(text).to_bytes(8, "little") + text + b"".join(chunks)
