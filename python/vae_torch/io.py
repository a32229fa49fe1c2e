"""Models as safetensors files and PyTorch folders (`model.safetensors` + `config.json`), the same files
@vae/models reads and writes (packages/models/src/safetensors). The file describes itself: its `__metadata__`
holds the class and config. Loading treats a file as untrusted: the header is checked (safetensors_io), the config
against the size of the weights present before anything is built, values must be finite, and the tensors must
match the model's state_dict name for name and shape for shape, in a float dtype.
"""

import hashlib
import json
import math
import os
import stat
import tempfile
from collections import OrderedDict

import torch

from .config import FORMAT, FORMAT_VERSION, ConfigError, read_description, resolve_config
from .models import build_model
from .safetensors_io import SafetensorsError, read_safetensors, tensor_bytes, write_safetensors

SAFETENSORS_FILE = "model.safetensors"
CONFIG_FILE = "config.json"
DEFAULT_MAX_BYTES = 2**30
FLOAT_DTYPES = {"float32": torch.float32, "float16": torch.float16, "bfloat16": torch.bfloat16}


def write_atomic(path, data):
    """Writes bytes or text to `path` through a temporary file in the same folder, flushed, then renamed."""
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    handle, temporary = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".partial", dir=directory)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def model_to_safetensors(model, dtype="float32"):
    """A model's state_dict as a safetensors file (bytes), its class and config in the metadata."""
    torch_dtype = FLOAT_DTYPES[dtype]
    tensors = OrderedDict((name, value.detach().cpu().to(torch_dtype)) for name, value in model.state_dict().items())
    digest = hashlib.sha256(b"".join(tensor_bytes(t) for t in tensors.values())).hexdigest()
    return write_safetensors(
        tensors,
        {
            "format": "pt",
            "vae.format": FORMAT,
            "vae.formatVersion": str(FORMAT_VERSION),
            "vae.className": model.class_name,
            "vae.config": json.dumps(model.config),
            "vae.weightsSha256": digest,
        },
    )


def parameter_lower_bound(config):
    """At least how many weights the encoder of `config` has (kernels only), computed without building it."""
    shape = config["inputShape"]
    flat = math.prod(shape)
    parameters = 0
    if config["network"] == "conv":
        height, width, channels = shape
        k = config["kernelSize"]
        for filters in config["filters"]:
            parameters += k * k * channels * filters
            height, width, channels = math.ceil(height / 2), math.ceil(width / 2), filters
        flat = height * width * channels
    chain = [flat + config.get("numClasses", 0), *config["hiddenUnits"], config["latentDim"]]
    return parameters + sum(a * b for a, b in zip(chain, chain[1:]))


def description_from_metadata(metadata, where):
    """(class name, config) from a file's metadata, or None when it names no model."""
    if "vae.className" not in metadata and "vae.config" not in metadata:
        return None
    if metadata.get("vae.format", FORMAT) != FORMAT:
        raise SafetensorsError(f"{where}: its metadata names the format {metadata['vae.format'][:40]!r}")
    version = metadata.get("vae.formatVersion", "1")
    if not version.isdigit() or int(version) > FORMAT_VERSION:
        raise SafetensorsError(f"{where}: format version {version[:20]!r} is not one this vae_torch reads")
    try:
        config = json.loads(metadata.get("vae.config", "null"))
    except json.JSONDecodeError as error:
        raise SafetensorsError(f"{where}: its metadata's config is not valid JSON ({error})") from error
    if "vae.className" not in metadata or not isinstance(config, dict):
        raise SafetensorsError(f"{where}: its metadata needs both vae.className and a vae.config object")
    return metadata["vae.className"], config


def model_from_safetensors(data, where="safetensors", description=None, max_bytes=DEFAULT_MAX_BYTES):
    """Builds the model a safetensors file describes (or `description`, (class name, config)) with its weights."""
    tensors, metadata, buffer = read_safetensors(data, where, max_bytes)
    own = description_from_metadata(metadata, where)
    if own and description and (own[0] != description[0] or own[1] != description[1]):
        raise SafetensorsError(
            f"{where}: its metadata describes a {own[0][:100]} with another config than config.json "
            f"(a {str(description[0])[:100]}); the files do not belong together"
        )
    chosen = own or description
    if chosen is None:
        raise SafetensorsError(f"{where}: its metadata names no model and no config.json describes it")
    expected_digest = metadata.get("vae.weightsSha256")
    if expected_digest is not None and hashlib.sha256(buffer).hexdigest() != expected_digest:
        raise SafetensorsError(
            f"{where}: the tensors do not match their recorded SHA-256; the file is damaged or was changed"
        )
    class_name, config = chosen
    try:
        resolved = resolve_config(class_name, config)
    except ConfigError as error:
        raise SafetensorsError(f"{where}: the config is not valid ({error})") from error
    not_float = [f"{name} ({t.dtype})" for name, t in tensors.items() if not t.is_floating_point()]
    if not_float:
        raise SafetensorsError(f"{where}: {', '.join(not_float[:12])} not float32, float16 or bfloat16")
    present = sum(t.numel() for t in tensors.values())
    needed = parameter_lower_bound(resolved)
    if needed > present:
        raise SafetensorsError(
            f"{where}: the config describes a model with at least {needed:,} weights but the file holds "
            f"{present:,}; the config and the weights do not belong together"
        )
    for name, tensor in tensors.items():
        if not torch.isfinite(tensor.float()).all():
            raise SafetensorsError(f"{where}: tensor '{name}' holds a non-finite value (NaN or infinity)")
    model = build_model(class_name, config)
    state = model.state_dict()
    missing = [name for name in state if name not in tensors]
    unexpected = [name for name in tensors if name not in state]
    misshaped = [
        f"{name} {list(tensors[name].shape)} (expected {list(state[name].shape)})"
        for name in state
        if name in tensors and tensors[name].shape != state[name].shape
    ]
    if missing or unexpected or misshaped:
        parts = [
            f"{label}: {', '.join(names[:12])}{f' and {len(names) - 12} more' if len(names) > 12 else ''}"
            for label, names in (("missing", missing), ("unexpected", unexpected), ("mis-shaped", misshaped))
            if names
        ]
        raise SafetensorsError(f"{where} does not match the {class_name} its config describes; {'; '.join(parts)}")
    model.load_state_dict(OrderedDict((name, tensors[name].to(torch.float32)) for name in state))
    return model


def save_safetensors(model, path, dtype="float32"):
    write_atomic(path, model_to_safetensors(model, dtype))


def load_safetensors(path, description=None, max_bytes=DEFAULT_MAX_BYTES):
    return model_from_safetensors(_read_regular_file(path, max_bytes + 8 + 100_000_000), path, description, max_bytes)


def _read_regular_file(path, limit):
    """The bytes of a regular file of at most `limit` bytes (a FIFO or device is refused without blocking)."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)
    descriptor = os.open(path, flags)
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            raise SafetensorsError(f"{path} is not a regular file")
        if info.st_size > limit:
            raise SafetensorsError(f"{path} is {info.st_size:,} bytes, more than the limit of {limit:,}")
        with os.fdopen(descriptor, "rb", closefd=False) as handle:
            return handle.read(info.st_size)
    finally:
        os.close(descriptor)


def save_folder(model, directory, dtype="float32", extra=None):
    """Writes `model.safetensors` and `config.json` ({format, formatVersion, className, config, ...extra})."""
    save_safetensors(model, os.path.join(directory, SAFETENSORS_FILE), dtype)
    description = {
        "format": FORMAT,
        "formatVersion": FORMAT_VERSION,
        "className": model.class_name,
        "config": model.config,
        **(extra or {}),
    }
    write_atomic(os.path.join(directory, CONFIG_FILE), json.dumps(description, indent=2) + "\n")


def load_folder(directory, max_bytes=DEFAULT_MAX_BYTES):
    """The model of a PyTorch folder (`model.safetensors`, described by its metadata and by config.json)."""
    weights = os.path.join(directory, SAFETENSORS_FILE)
    if not os.path.exists(weights):
        raise SafetensorsError(f"no {SAFETENSORS_FILE} in {directory}")
    config_path = os.path.join(directory, CONFIG_FILE)
    description = read_description(config_path) if os.path.exists(config_path) else None
    return load_safetensors(weights, description, max_bytes)
