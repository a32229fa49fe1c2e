"""Model descriptions: the class name and config that @vae/models saves with every model (`config.json`,
safetensors `__metadata__`), resolved against the same defaults as packages/models/src/*/*.config.ts. The parity
test in packages/models checks that these defaults equal the TypeScript ones, so that a config written by hand
builds the same model on both sides.
"""

import json

ACTIVATIONS = ("linear", "relu", "sigmoid", "tanh")

MODEL_DEFAULTS = {
    "inputShape": [28, 28, 1],
    "hiddenUnits": [400],
    "activation": "relu",
    "network": "mlp",
    "filters": [32, 64],
    "kernelSize": 4,
}
AUTOENCODER_DEFAULTS = {
    **MODEL_DEFAULTS,
    "hiddenUnits": [],
    "latentDim": 64,
    "codeActivation": "sigmoid",
    "data": "binary",
    "weightDecay": 0,
}
VAE_DEFAULTS = {
    **MODEL_DEFAULTS,
    "latentDim": 20,
    "likelihood": "bernoulli",
    "variance": 1,
    "meanActivation": "sigmoid",
    "beta": 1,
    "samples": 1,
}
DEFAULTS = {
    "Autoencoder": AUTOENCODER_DEFAULTS,
    "LinearAutoencoder": {
        **AUTOENCODER_DEFAULTS,
        "hiddenUnits": [],
        "latentDim": 16,
        "activation": "linear",
        "codeActivation": "linear",
        "data": "real",
        "center": True,
    },
    "TiedAutoencoder": dict(AUTOENCODER_DEFAULTS),
    "SparseAutoencoder": {
        **AUTOENCODER_DEFAULTS,
        "latentDim": 1024,
        "codeActivation": "sigmoid",
        "sparsity": "kl",
        "rho": 0.05,
        "sparsityWeight": 1,
    },
    "DenoisingAutoencoder": {
        **AUTOENCODER_DEFAULTS,
        "hiddenUnits": [],
        "latentDim": 256,
        "noise": "masking",
        "noiseLevel": 0.25,
    },
    "ContractiveAutoencoder": {
        **AUTOENCODER_DEFAULTS,
        "hiddenUnits": [],
        "latentDim": 256,
        "codeActivation": "sigmoid",
        "contractiveWeight": 0.1,
    },
    "VAE": VAE_DEFAULTS,
    "BetaVAE": {**VAE_DEFAULTS, "beta": 4},
    "ConditionalVAE": {**VAE_DEFAULTS, "numClasses": 10},
    "IWAE": {**VAE_DEFAULTS, "importanceSamples": 5},
    # the second wave (packages/models/src/*/*.options.ts)
    "BetaTCVAE": {**VAE_DEFAULTS, "alpha": 1, "beta": 6, "gamma": 1, "estimator": "mws"},
    "DipVAE": {**VAE_DEFAULTS, "dipType": "i", "lambdaOffDiagonal": 10},
    "InfoVAE": {
        **VAE_DEFAULTS,
        "alpha": 1,
        "lambda": 100,
        "kernel": "imq",
        "kernelScales": [0.1, 0.2, 0.5, 1, 2, 5, 10],
    },
    "PriorVAE": {**VAE_DEFAULTS, "prior": "vamp", "components": 500},
    "FactorVAE": {
        **VAE_DEFAULTS,
        "gamma": 35,
        "discriminatorUnits": [256, 256, 256, 256, 256, 256],
        "discriminatorLearningRate": 1e-4,
        "discriminatorBetas": [0.5, 0.9],
    },
    "DBVAE": {**VAE_DEFAULTS, "latentDim": 16, "positiveClass": 1, "classifierWeight": 100},
    "VQVAE": {
        **MODEL_DEFAULTS,
        "likelihood": "bernoulli",
        "variance": 1,
        "meanActivation": "sigmoid",
        "positions": 16,
        "embeddingDim": 8,
        "codebookSize": 64,
        "commitment": 0.25,
        "codebookUpdate": "loss",
        "emaDecay": 0.99,
        "codePrior": "categorical",
        "latentDim": 128,
    },
}
# PriorVAE: K when the config gives none depends on the prior
PRIOR_COMPONENTS_DEFAULTS = {"vamp": 500, "mixture": 10}

FORMAT = "vae-model"
FORMAT_VERSION = 1


class ConfigError(ValueError):
    """A description or config that no model can be built from."""


def _positive_ints(value, allow_empty=True):
    return (
        isinstance(value, list)
        and (allow_empty or len(value) > 0)
        and all(isinstance(v, int) and not isinstance(v, bool) and v >= 1 for v in value)
    )


def resolve_config(class_name, config):
    """The config with this class's defaults filled in, checked for what building the network needs."""
    if class_name not in DEFAULTS:
        raise ConfigError(f"unknown model class {class_name!r}; known: {', '.join(DEFAULTS)}")
    if not isinstance(config, dict):
        raise ConfigError(f"{class_name} config must be an object, got {type(config).__name__}")
    resolved = {**DEFAULTS[class_name], **config}

    def fail(message):
        raise ConfigError(f"{class_name} config: {message}")

    if class_name == "PriorVAE":
        if resolved["prior"] not in PRIOR_COMPONENTS_DEFAULTS:
            fail(f"prior {resolved['prior']!r} is not 'mixture' or 'vamp'")
        if "components" not in config:
            resolved["components"] = PRIOR_COMPONENTS_DEFAULTS[resolved["prior"]]
    if class_name == "VQVAE":
        for field in ("positions", "embeddingDim", "codebookSize"):
            if not (isinstance(resolved[field], int) and resolved[field] >= 1):
                fail(f"{field} must be a positive integer, got {resolved[field]!r}")
        derived = resolved["positions"] * resolved["embeddingDim"]
        if "latentDim" in config and config["latentDim"] != derived:
            fail(f"latentDim is positions x embeddingDim = {derived}, got {config['latentDim']!r}")
        resolved["latentDim"] = derived
    _check_second_wave(class_name, resolved, fail)

    if not _positive_ints(resolved["inputShape"], allow_empty=False):
        fail(f"inputShape must be a list of positive integers, got {resolved['inputShape']!r}")
    if not _positive_ints(resolved["hiddenUnits"]):
        fail(f"hiddenUnits must be a list of positive integers, got {resolved['hiddenUnits']!r}")
    if not (isinstance(resolved["latentDim"], int) and resolved["latentDim"] >= 1):
        fail(f"latentDim must be a positive integer, got {resolved['latentDim']!r}")
    for field in ("activation", "codeActivation", "decoderActivation"):
        if field in resolved and resolved[field] is not None and resolved[field] not in ACTIVATIONS:
            fail(f"{field} {resolved[field]!r} is not one of {', '.join(ACTIVATIONS)}")
    if resolved["network"] not in ("mlp", "conv"):
        fail(f"network {resolved['network']!r} is not 'mlp' or 'conv'")
    if resolved.get("layers"):
        fail("it has a user-supplied tfjs Layers network (layers), which has no PyTorch counterpart")
    if resolved["network"] == "conv":
        shape = resolved["inputShape"]
        if len(shape) != 3:
            fail(f"network 'conv' needs inputShape [height, width, channels], got {shape}")
        if not _positive_ints(resolved["filters"], allow_empty=False):
            fail(f"filters must be a non-empty list of positive integers, got {resolved['filters']!r}")
        factor = 2 ** len(resolved["filters"])
        if shape[0] % factor or shape[1] % factor:
            fail(f"network 'conv' needs height and width divisible by {factor}, got {shape}")
    if "likelihood" in resolved:
        if resolved["likelihood"] not in ("bernoulli", "gaussian"):
            fail(f"likelihood {resolved['likelihood']!r} is not 'bernoulli' or 'gaussian'")
        variance = resolved["variance"]
        if variance != "learned" and not (isinstance(variance, (int, float)) and variance > 0):
            fail(f"variance must be a number > 0 or 'learned', got {variance!r}")
        if "samples" in resolved and not (isinstance(resolved["samples"], int) and resolved["samples"] >= 1):
            fail(f"samples must be a positive integer, got {resolved['samples']!r}")
    if "data" in resolved and resolved["data"] not in ("binary", "real"):
        fail(f"data {resolved['data']!r} is not 'binary' or 'real'")
    return resolved


def _check_second_wave(class_name, resolved, fail):
    """The fields the second-wave models add (the same rules as their TypeScript configs)."""

    def number(field, ok, what):
        value = resolved.get(field)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not ok(value):
            fail(f"{field} must be {what}, got {value!r}")

    def choice(field, options):
        if resolved.get(field) not in options:
            fail(f"{field} {resolved.get(field)!r} is not one of {', '.join(options)}")

    if class_name == "BetaTCVAE":
        number("alpha", lambda v: v >= 0, "a number >= 0")
        number("gamma", lambda v: v >= 0, "a number >= 0")
        choice("estimator", ("mws", "mss"))
        size = resolved.get("datasetSize")
        if size is not None and not (isinstance(size, int) and size >= 1):
            fail(f"datasetSize must be a positive integer (training examples), got {size!r}")
    elif class_name == "DipVAE":
        choice("dipType", ("i", "ii"))
        number("lambdaOffDiagonal", lambda v: v >= 0, "a number >= 0")
        if resolved.get("lambdaDiagonal") is not None:
            number("lambdaDiagonal", lambda v: v >= 0, "a number >= 0")
    elif class_name == "InfoVAE":
        number("alpha", lambda v: v <= 1, "a number <= 1 (the KL weight is 1 - alpha)")
        number("lambda", lambda v: resolved["alpha"] + v >= 1, "a number >= 1 - alpha (the MMD weight is alpha + lambda - 1)")
        choice("kernel", ("rbf", "imq"))
        if resolved.get("bandwidth") is not None:
            number("bandwidth", lambda v: v > 0, "a number > 0")
        scales = resolved["kernelScales"]
        if not (isinstance(scales, list) and scales and all(isinstance(s, (int, float)) and s > 0 for s in scales)):
            fail(f"kernelScales must be a non-empty list of numbers > 0, got {scales!r}")
    elif class_name == "PriorVAE":
        components = resolved["components"]
        if not (isinstance(components, int) and not isinstance(components, bool) and 1 <= components <= 100_000):
            fail(f"components must be an integer from 1 to 100000, got {components!r}")
    elif class_name == "FactorVAE":
        number("gamma", lambda v: v >= 0, "a number >= 0")
        if not _positive_ints(resolved["discriminatorUnits"]):
            fail(f"discriminatorUnits must be a list of positive integers, got {resolved['discriminatorUnits']!r}")
        number("discriminatorLearningRate", lambda v: v > 0, "a number > 0")
        betas = resolved["discriminatorBetas"]
        if not (isinstance(betas, list) and len(betas) == 2 and all(isinstance(b, (int, float)) and 0 <= b < 1 for b in betas)):
            fail(f"discriminatorBetas must be two numbers in [0, 1), e.g. [0.5, 0.9], got {betas!r}")
    elif class_name == "DBVAE":
        positive = resolved["positiveClass"]
        if not (isinstance(positive, int) and not isinstance(positive, bool) and positive >= 0):
            fail(f"positiveClass must be an integer label >= 0, got {positive!r}")
        number("classifierWeight", lambda v: v >= 0, "a number >= 0")
        if resolved["samples"] != 1:
            fail(f"samples must be 1 (the classifier and the VAE share one encoder pass per example), got {resolved['samples']!r}")
    elif class_name == "VQVAE":
        number("variance", lambda v: v > 0, "a number > 0 (a VQ-VAE's Gaussian decoder has a fixed variance)")
        number("commitment", lambda v: v >= 0, "a number >= 0")
        choice("codebookUpdate", ("loss", "ema"))
        number("emaDecay", lambda v: 0 <= v < 1, "a number in [0, 1)")
        choice("codePrior", ("categorical", "autoregressive"))
        if resolved["codePrior"] == "autoregressive" and (resolved["positions"] * resolved["codebookSize"]) ** 2 > 2**26:
            fail("the autoregressive prior holds (positions x codebookSize)^2 weights, more than 2^26; use fewer "
                 "positions or codes, or codePrior 'categorical'")


def description_of(json_value):
    """(class name, config) from a PyTorch folder's config.json ({className, config}), a `vae train` run's
    config.json ({modelClass, modelConfig}) or a saved model.json ({modelTopology: {className, config}})."""
    if isinstance(json_value, dict):
        if isinstance(json_value.get("className"), str) and isinstance(json_value.get("config"), dict):
            return json_value["className"], json_value["config"]
        if isinstance(json_value.get("modelClass"), str) and isinstance(json_value.get("modelConfig"), dict):
            return json_value["modelClass"], json_value["modelConfig"]
        topology = json_value.get("modelTopology")
        if isinstance(topology, dict) and isinstance(topology.get("className"), str):
            return topology["className"], topology.get("config", {})
    raise ConfigError(
        "no model description: expected {'className': ..., 'config': {...}} (a PyTorch folder's config.json), "
        "a `vae train` run's config.json or a model.json"
    )


def read_description(path):
    """(class name, config) from a JSON file (see `description_of`)."""
    with open(path, "rb") as handle:
        text = handle.read(64 * 2**20 + 1)
    if len(text) > 64 * 2**20:
        raise ConfigError(f"{path} is larger than 64 MiB; it is not a config")
    try:
        return description_of(json.loads(text))
    except json.JSONDecodeError as error:
        raise ConfigError(f"{path} is not valid JSON ({error})") from error
