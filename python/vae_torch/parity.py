"""The PyTorch half of the parity test (packages/models/src/safetensors/parity.node.test.ts).

    python3 -m vae_torch.parity DIR

DIR holds `defaults.json` (@vae/models' default configs by class) and one folder per case with `tfjs.safetensors`
(a model exported by @vae/models) and `inputs.safetensors` (x as flat channel-major rows, codes z, the noise eps of
the reparameterization, labels, the corrupted input of a denoising autoencoder, an InfoVAE's prior draws, a
FactorVAE's permutations, a VQ-VAE's code indices; the KL step in the metadata). For
each case this writes the outputs of that model here (`torch-on-tfjs.safetensors`), a model initialized by PyTorch
(`torch-model.safetensors`, biases randomized too) and its outputs (`torch-on-torch.safetensors`); the test compares
them with @vae/models' on the same weights. `DIR/result.json` lists default configs that differ and any errors.
"""

import json
import os
import sys
import traceback
from collections import OrderedDict

import torch

from .config import DEFAULTS
from .io import model_from_safetensors, model_to_safetensors
from .models import build_model
from .safetensors_io import read_safetensors, write_safetensors


def outputs_of(model, inputs, metadata):
    """Every output the test compares, as an ordered dict of float32 tensors."""
    out = OrderedDict()
    x = inputs["x"]
    z = inputs["z"]
    labels = inputs.get("labels")
    labels = labels.long() if labels is not None else None
    step = int(metadata.get("step", "0"))
    with torch.no_grad():
        if model.class_name == "VQVAE":
            out["encode"] = model.encode(x)
            out["encodeIndices"] = model.encode_indices(x).float()
            out["decode"] = model.decode(z)
            out["logPriorOfCodes"] = model.log_prior_of_codes(inputs["codes"].long())
            terms = model.loss(x)
        elif model.probabilistic:
            mean, log_var = model.encode(x, labels)
            out["encode.mean"] = mean
            out["encode.logVar"] = log_var
            decoded = model.decoder_outputs(z, labels)
            for key, value in decoded.items():
                out[f"decoder.{'logVar' if key == 'log_var' else key}"] = value
            out["decode"] = model.decode(z, labels)
            out["logLikelihood"] = -model.negative_log_likelihood(x, decoded)
            reconstruction, kl = model.elbo_terms(x, labels, inputs["eps_elbo"])
            out["elbo.reconstruction"] = reconstruction
            out["elbo.kl"] = kl
            if model.class_name == "IWAE":
                out["lowerBound"] = model.bound(x, labels, inputs["eps_loss"])[0]
            if model.class_name == "DBVAE":
                out["classifierLogits"] = model.classifier_logits(x)
            if model.class_name == "BetaTCVAE":
                parts = model.kl_parts(x, inputs["eps_loss"])
                for key, value in zip(("mutualInformation", "totalCorrelation", "dimensionWiseKl"), parts):
                    out[f"klParts.{key}"] = value.reshape(1)
            if model.class_name == "InfoVAE":
                out["mmdToPrior"] = model.mmd_to_prior(z, inputs["prior_draws"]).reshape(1)
            if model.class_name == "PriorVAE":
                out["logPrior"] = model.log_prior(z)
                if model.config["prior"] == "vamp":
                    out["pseudoInputs"] = model.pseudo_inputs()
            if model.class_name == "FactorVAE":
                out["discriminate"] = model.discriminate(z)
                out["discriminatorLoss"] = model.discriminator_loss(x, eps=inputs["eps_loss"], orders=inputs["orders"]).reshape(1)
                out["totalCorrelationEstimate"] = model.total_correlation_estimate(x, inputs["eps_loss"]).reshape(1)
            terms = model.loss(x, labels, step=step, eps=inputs["eps_loss"], prior_draws=inputs.get("prior_draws"))
        else:
            out["encode"] = model.encode(x)
            out["decoder.raw"] = model.decode_raw(z)
            out["decode"] = model.decode(z)
            terms = None
    if not model.probabilistic and terms is None:
        terms = model.loss(x, corrupted=inputs.get("corrupted"))
        if model.class_name == "ContractiveAutoencoder":
            out["jacobianNorm"] = model.jacobian_norm(x.reshape(x.shape[0], -1)).detach()
    for key in ("reconstruction", "kl", "weightedKl", "regularizer", "total"):
        out[f"loss.{key}"] = terms[key].detach().reshape(1)
    return OrderedDict((k, v.detach().to(torch.float32).contiguous()) for k, v in out.items())


def torch_initialized(class_name, config, seed):
    """A model initialized by PyTorch, its biases and buffers randomized too (zeros would hide their layout)."""
    torch.manual_seed(seed)
    model = build_model(class_name, config)
    with torch.no_grad():
        for name, tensor in model.state_dict().items():
            if not name.endswith(".weight") or not tensor.any():  # zeros: a VQ-VAE's autoregressive prior
                tensor.add_(0.3 * torch.randn_like(tensor))
    return model


def run(directory):
    with open(os.path.join(directory, "defaults.json")) as handle:
        defaults = json.load(handle)
    mismatch = []
    for class_name, expected in defaults.items():
        ours = DEFAULTS.get(class_name)
        if ours != expected:
            mismatch.append({"className": class_name, "typescript": expected, "python": ours})
    errors = {}
    cases = sorted(name for name in os.listdir(directory) if os.path.isdir(os.path.join(directory, name)))
    for index, case in enumerate(cases):
        folder = os.path.join(directory, case)
        try:
            with open(os.path.join(folder, "inputs.safetensors"), "rb") as handle:
                inputs, metadata, _ = read_safetensors(handle.read(), "inputs.safetensors")
            with open(os.path.join(folder, "tfjs.safetensors"), "rb") as handle:
                model = model_from_safetensors(handle.read(), f"{case}/tfjs.safetensors")
            with open(os.path.join(folder, "torch-on-tfjs.safetensors"), "wb") as handle:
                handle.write(write_safetensors(outputs_of(model, inputs, metadata)))
            own = torch_initialized(model.class_name, model.config, 1000 + index)
            with open(os.path.join(folder, "torch-model.safetensors"), "wb") as handle:
                handle.write(model_to_safetensors(own))
            with open(os.path.join(folder, "torch-on-torch.safetensors"), "wb") as handle:
                handle.write(write_safetensors(outputs_of(own, inputs, metadata)))
        except Exception as error:  # reported per case, so that one failure does not hide the others
            errors[case] = f"{type(error).__name__}: {error}\n{traceback.format_exc()}"
    with open(os.path.join(directory, "result.json"), "w") as handle:
        json.dump({"defaultsMismatch": mismatch, "errors": errors, "torch": torch.__version__}, handle, indent=2)
    return 1 if errors or mismatch else 0


if __name__ == "__main__":
    torch.set_num_threads(1)
    sys.exit(run(sys.argv[1]))
