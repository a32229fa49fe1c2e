"""vae_torch: the PyTorch side of @vae. Builds the nn.Module of any @vae model from its saved config.json, with the
same losses (nats per example), reads and writes the same safetensors files, and trains under torchrun with
DistributedDataParallel. See python/README.md and docs/training-at-scale.md.
"""

from .config import DEFAULTS, resolve_config
from .io import load_folder, load_safetensors, model_from_safetensors, model_to_safetensors, save_folder
from .models import MODEL_CLASSES, build_model

__all__ = [
    "DEFAULTS",
    "MODEL_CLASSES",
    "build_model",
    "load_folder",
    "load_safetensors",
    "model_from_safetensors",
    "model_to_safetensors",
    "resolve_config",
    "save_folder",
]
