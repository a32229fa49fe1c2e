"""nn.Modules for every model of @vae/models, built from its saved description (class name + config), with the
state_dict names and layouts of packages/models/src/safetensors/pytorch-names.ts and the objectives of
packages/models/src/*/*.model.ts (nats per example, means over the batch):

- Autoencoder, LinearAutoencoder, TiedAutoencoder, SparseAutoencoder, DenoisingAutoencoder, ContractiveAutoencoder
- VAE (Bernoulli; Gaussian with a fixed or learned variance), BetaVAE (beta or the capacity schedule),
  ConditionalVAE, IWAE

with the built-in 'mlp' and 'conv' networks (user-supplied tfjs Layers networks have no counterpart here).
Images are channels-first (NCHW) here; rows are flattened in (channel, height, width) order. Inputs may be
[batch, C, H, W] images or such flat rows.
"""

import math

import torch
import torch.nn.functional as F
from torch import nn

from . import losses
from .config import resolve_config

ACTIVATION_FUNCTIONS = {
    "linear": lambda x: x,
    "relu": torch.relu,
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
}


def same_padding(size, kernel, stride):
    """(before, after) padding of a 'same' convolution as tfjs computes it."""
    out = math.ceil(size / stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


def glorot_uniform_(tensor, fan_in, fan_out):
    limit = math.sqrt(6 / (fan_in + fan_out))
    with torch.no_grad():
        tensor.uniform_(-limit, limit)


class SameConv2d(nn.Conv2d):
    """A strided convolution with tfjs' 'same' padding (pads before the convolution, asymmetric when needed)."""

    def __init__(self, in_channels, out_channels, kernel_size, stride):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding=0)
        glorot_uniform_(self.weight, in_channels * kernel_size**2, out_channels * kernel_size**2)
        nn.init.zeros_(self.bias)

    def forward(self, x):
        k, s = self.kernel_size[0], self.stride[0]
        top, bottom = same_padding(x.shape[-2], k, s)
        left, right = same_padding(x.shape[-1], k, s)
        return super().forward(F.pad(x, (left, right, top, bottom)))


class SameConvTranspose2d(nn.ConvTranspose2d):
    """A transposed convolution giving stride x the input size, cropped as tfjs' 'same' conv2dTranspose does."""

    def __init__(self, in_channels, out_channels, kernel_size, stride):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding=0)
        glorot_uniform_(self.weight, in_channels * kernel_size**2, out_channels * kernel_size**2)
        nn.init.zeros_(self.bias)

    def forward(self, x):
        k, s = self.kernel_size[0], self.stride[0]
        y = F.conv_transpose2d(x, self.weight, None, s)
        height, width = x.shape[-2] * s, x.shape[-1] * s
        top, _ = same_padding(height, k, s)
        left, _ = same_padding(width, k, s)
        need_h = max(top + height - y.shape[-2], 0)
        need_w = max(left + width - y.shape[-1], 0)
        if need_h or need_w:
            y = F.pad(y, (0, need_w, 0, need_h))
        y = y[..., top : top + height, left : left + width]
        return y + self.bias.view(1, -1, 1, 1)


def linear(in_features, out_features):
    layer = nn.Linear(in_features, out_features)
    glorot_uniform_(layer.weight, in_features, out_features)
    nn.init.zeros_(layer.bias)
    return layer


def snake(name):
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name)


class Encoder(nn.Module):
    """x -> [batch, out_units]: strided convolutions ('conv'), then dense layers, then the output layer."""

    def __init__(self, config, out_units, out_name, out_activation="linear", condition_size=0):
        super().__init__()
        self.config = config
        self.activation = ACTIVATION_FUNCTIONS[config["activation"]]
        self.out_activation = ACTIVATION_FUNCTIONS[out_activation]
        self.out_name = out_name
        shape = config["inputShape"]
        self.image_shape = [shape[2], shape[0], shape[1]] if len(shape) == 3 else None
        size = math.prod(shape)
        if config["network"] == "conv":
            height, width, channels = shape
            self.conv = nn.ModuleList()
            for filters in config["filters"]:
                self.conv.append(SameConv2d(channels, filters, config["kernelSize"], 2))
                height, width, channels = math.ceil(height / 2), math.ceil(width / 2), filters
            size = height * width * channels
        size += condition_size
        self.hidden = nn.ModuleList()
        for units in config["hiddenUnits"]:
            self.hidden.append(linear(size, units))
            size = units
        setattr(self, out_name, linear(size, out_units))

    @property
    def dense_layers(self):
        return [*self.hidden, getattr(self, self.out_name)]

    def forward(self, x, condition=None):
        batch = x.shape[0]
        if self.config["network"] == "conv":
            h = x.reshape(batch, *self.image_shape)
            for layer in self.conv:
                h = self.activation(layer(h))
            h = h.flatten(1)
        else:
            h = x.reshape(batch, -1)
        if condition is not None:
            h = torch.cat([h, condition], 1)
        for layer in self.hidden:
            h = self.activation(layer(h))
        return self.out_activation(getattr(self, self.out_name)(h))


class Decoder(nn.Module):
    """z (plus a condition) -> one flat [batch, inputSize] tensor per head (raw outputs, channel-major)."""

    def __init__(self, config, heads, condition_size=0):
        super().__init__()
        self.config = config
        self.heads = [snake(h) for h in heads]
        self.activation = ACTIVATION_FUNCTIONS[config["activation"]]
        shape = config["inputShape"]
        input_size = math.prod(shape)
        size = config["latentDim"] + condition_size
        self.hidden = nn.ModuleList()
        for units in reversed(config["hiddenUnits"]):
            self.hidden.append(linear(size, units))
            size = units
        if config["network"] == "conv":
            height, width, channels = shape
            filters = config["filters"]
            factor = 2 ** len(filters)
            self.project_shape = [filters[-1], height // factor, width // factor]
            self.project = linear(size, math.prod(self.project_shape))
            outputs = [*reversed(filters[:-1]), channels * len(heads)]
            self.deconv = nn.ModuleList()
            previous = filters[-1]
            for count in outputs:
                self.deconv.append(SameConvTranspose2d(previous, count, config["kernelSize"], 2))
                previous = count
            self.channels = channels
        else:
            for head in self.heads:
                setattr(self, head, linear(size, input_size))

    def forward(self, z, condition=None):
        h = torch.cat([z, condition], 1) if condition is not None else z
        for layer in self.hidden:
            h = self.activation(layer(h))
        if self.config["network"] == "conv":
            h = self.activation(self.project(h)).view(h.shape[0], *self.project_shape)
            for i, layer in enumerate(self.deconv):
                h = layer(h)
                if i < len(self.deconv) - 1:
                    h = self.activation(h)
            parts = h.split(self.channels, 1) if len(self.heads) > 1 else [h]
            return [p.flatten(1) for p in parts]
        return [getattr(self, head)(h) for head in self.heads]


class _Bias(nn.Module):
    def __init__(self, size):
        super().__init__()
        self.bias = nn.Parameter(torch.zeros(size))


class TiedDecoder(nn.Module):
    """The tied autoencoder's decoder: the encoder's dense weights transposed, a bias per layer."""

    def __init__(self, encoder, activation):
        super().__init__()
        layers = list(reversed(encoder.dense_layers))
        self._encoder = [encoder]  # not a submodule: its weights are the encoder's
        self.activation = ACTIVATION_FUNCTIONS[activation]
        self.hidden = nn.ModuleList([_Bias(layer.in_features) for layer in layers[:-1]])
        self.output = _Bias(layers[-1].in_features)

    def forward(self, z, condition=None):
        layers = list(reversed(self._encoder[0].dense_layers))
        biases = [*self.hidden, self.output]
        h = z
        for j, (layer, bias) in enumerate(zip(layers, biases)):
            h = h @ layer.weight + bias.bias
            if j < len(layers) - 1:
                h = self.activation(h)
        return [h]


class _Preprocess(nn.Module):
    def __init__(self, size):
        super().__init__()
        self.register_buffer("mean", torch.zeros(size))


class Autoencoder(nn.Module):
    """Autoencoder and its variants: h = f(x), x_hat = g(h), the reconstruction loss plus a regularizer."""

    class_name = "Autoencoder"
    probabilistic = False

    def __init__(self, config):
        super().__init__()
        self.config = resolve_config(self.class_name, config)
        c = self.config
        self.input_size = math.prod(c["inputShape"])
        self.encoder = Encoder(c, c["latentDim"], "code", c["codeActivation"])
        self.decoder = self.make_decoder()

    def make_decoder(self):
        return Decoder(self.config, ["output"])

    def encode(self, x):
        """The code h of each input, [batch, latentDim]."""
        return self.encoder(x)

    def decode_raw(self, code):
        """Logits (binary data) or values (real data), flat [batch, inputSize]."""
        return self.decoder(code)[0]

    def decode(self, code):
        raw = self.decode_raw(code)
        return torch.sigmoid(raw) if self.config["data"] == "binary" else raw

    def reconstruction_loss(self, targets, raw):
        """[batch]: binary cross-entropy from logits, or the squared error."""
        if self.config["data"] == "binary":
            return losses.bce_with_logits(targets, raw)
        return losses.squared_error(targets, raw)

    def corrupt(self, x):
        return x

    def regularizer(self, inputs, code):
        """weightDecay * |kernels|^2 (dense and conv weights, not biases); subclasses add their penalty."""
        if self.config["weightDecay"] == 0:
            return torch.zeros((), dtype=inputs.dtype)
        kernels = [p for name, p in self.named_parameters() if name.endswith(".weight")]
        return self.config["weightDecay"] * losses.l2_penalty(kernels)

    def forward(self, *args, **kwargs):
        """The objective (see `loss`), so that DistributedDataParallel synchronizes its gradients."""
        return self.loss(*args, **kwargs)

    def loss(self, x, labels=None, step=0, corrupted=None, **_):
        """The objective and its terms (scalars, nats per example). `corrupted`: the denoising input (else drawn)."""
        rows = x.reshape(x.shape[0], -1)
        inputs = corrupted.reshape(rows.shape) if corrupted is not None else self.corrupt(rows)
        code = self.encode(inputs)
        reconstruction = self.reconstruction_loss(rows, self.decode_raw(code)).mean()
        regularizer = self.regularizer(inputs, code)
        zero = torch.zeros((), dtype=rows.dtype)
        return {
            "total": reconstruction + regularizer,
            "reconstruction": reconstruction,
            "kl": zero,
            "weightedKl": zero,
            "regularizer": regularizer,
        }


class LinearAutoencoder(Autoencoder):
    class_name = "LinearAutoencoder"

    def __init__(self, config):
        super().__init__(config)
        self.preprocess = _Preprocess(self.input_size)

    def encode(self, x):
        return self.encoder(x.reshape(x.shape[0], -1) - self.preprocess.mean)

    def decode_raw(self, code):
        return self.decoder(code)[0] + self.preprocess.mean


class TiedAutoencoder(Autoencoder):
    class_name = "TiedAutoencoder"

    def make_decoder(self):
        return TiedDecoder(self.encoder, self.config.get("decoderActivation") or self.config["activation"])


class SparseAutoencoder(Autoencoder):
    class_name = "SparseAutoencoder"

    def regularizer(self, inputs, code):
        c = self.config
        if c["sparsity"] == "kl":
            penalty = losses.sparsity_penalty(code, c["rho"])
        else:
            penalty = losses.l1_penalty(code).mean()
        return super().regularizer(inputs, code) + c["sparsityWeight"] * penalty


class DenoisingAutoencoder(Autoencoder):
    class_name = "DenoisingAutoencoder"

    def corrupt(self, x):
        level = self.config["noiseLevel"]
        if self.config["noise"] == "masking":
            return x * (torch.rand_like(x) >= level).to(x.dtype) if level > 0 else x
        return x + level * torch.randn_like(x)


class ContractiveAutoencoder(Autoencoder):
    class_name = "ContractiveAutoencoder"

    def jacobian_norm(self, inputs, code=None, create_graph=False):
        """|J_x(h)|_F^2 per example: closed form for the one-layer encoder, autodiff otherwise."""
        layers = self.encoder.dense_layers
        if self.config["network"] == "mlp" and len(layers) == 1:
            code = self.encode(inputs) if code is None else code
            return losses.dense_contractive_penalty(code, layers[0].weight, self.config["codeActivation"])
        return losses.contractive_penalty(self.encode, inputs, create_graph)

    def regularizer(self, inputs, code):
        penalty = self.jacobian_norm(inputs, code, create_graph=torch.is_grad_enabled()).mean()
        return super().regularizer(inputs, code) + self.config["contractiveWeight"] * penalty


class VAE(nn.Module):
    """The VAE: q(z|x) = N(mean, diag(exp(logVar))), the reparameterization trick, KL to N(0, I), and a Bernoulli
    or Gaussian decoder; the objective is mean reconstruction + beta KL (or a schedule)."""

    class_name = "VAE"
    probabilistic = True

    def __init__(self, config):
        super().__init__()
        self.config = resolve_config(self.class_name, config)
        c = self.config
        self.input_size = math.prod(c["inputShape"])
        self.latent_dim = c["latentDim"]
        condition = self.condition_size()
        self.encoder = Encoder(c, self.encoder_output_units(), "posterior", "linear", condition)
        self.decoder = Decoder(c, self.head_names(), condition)

    def encoder_output_units(self):
        """The posterior's mean and log-variance (DB-VAE adds a classifier's logit)."""
        return 2 * self.config["latentDim"]

    def head_names(self):
        if self.config["likelihood"] == "bernoulli":
            return ["logits"]
        return ["mean", "logVar"] if self.config["variance"] == "learned" else ["mean"]

    def condition_size(self):
        return 0

    def condition(self, labels, batch):
        return None

    def default_kl_weight(self):
        return self.config["beta"]

    def encode(self, x, labels=None):
        """The posterior's (mean, log_var), each [batch, latentDim]."""
        both = self.encoder(x, self.condition(labels, x.shape[0]))
        return both[:, : self.latent_dim], both[:, self.latent_dim :]

    def decoder_outputs(self, z, labels=None):
        """{'logits'} (Bernoulli) or {'mean'[, 'log_var']} (Gaussian), flat [batch, inputSize]."""
        outputs = self.decoder(z, self.condition(labels, z.shape[0]))
        if self.config["likelihood"] == "bernoulli":
            return {"logits": outputs[0]}
        mean = torch.sigmoid(outputs[0]) if self.config["meanActivation"] == "sigmoid" else outputs[0]
        if self.config["variance"] != "learned":
            return {"mean": mean}
        log_var = outputs[1]
        floor = self.config.get("minLogVar")
        if floor is not None:
            log_var = floor + F.softplus(log_var - floor)
        return {"mean": mean, "log_var": log_var}

    def decode(self, z, labels=None):
        """The mean of p(x|z), flat [batch, inputSize] (channel-major)."""
        outputs = self.decoder_outputs(z, labels)
        return torch.sigmoid(outputs["logits"]) if "logits" in outputs else outputs["mean"]

    def negative_log_likelihood(self, rows, outputs):
        """-log p(x|z) per row, [rows]."""
        if "logits" in outputs:
            return losses.bce_with_logits(rows, outputs["logits"])
        if "log_var" in outputs:
            return losses.gaussian_nll(rows, outputs["mean"], outputs["log_var"])
        return losses.gaussian_nll_fixed(rows, outputs["mean"], self.config["variance"])

    def row_terms(self, x, labels=None, eps=None):
        """Per-example (reconstruction, kl, mean, log_var); eps [samples, batch, latent] (or [batch, latent])."""
        rows = x.reshape(x.shape[0], -1)
        mean, log_var = self.encode(rows, labels)
        samples = self.config["samples"]
        batch = rows.shape[0]
        if eps is None:
            eps = torch.randn(samples, batch, self.latent_dim, dtype=rows.dtype, device=rows.device)
        eps = eps.reshape(samples, batch, self.latent_dim)
        z = mean + torch.exp(0.5 * log_var) * eps
        repeated = labels.repeat(samples) if labels is not None else None
        nll = self.negative_log_likelihood(
            rows.repeat(samples, 1), self.decoder_outputs(z.reshape(samples * batch, self.latent_dim), repeated)
        )
        return nll.reshape(samples, batch).mean(0), self.kl_rows(mean, log_var, eps, z), mean, log_var

    def kl_rows(self, mean, log_var, eps, z):
        """The KL term per row, [batch]: KL(q(z|x) || N(0, I)) in closed form (the draws z [samples, batch, latent]
        are not needed)."""
        return losses.kl_standard_normal(mean, log_var)

    def forward(self, *args, **kwargs):
        """The objective (see `loss`), so that DistributedDataParallel synchronizes its gradients."""
        return self.loss(*args, **kwargs)

    def kl_schedule_for(self, override=None):
        """The KL weight (a number or a schedule dict): `override` when given, else the model's own; a warm-up
        that does not say where it ends ends at the config's beta (as `klScheduleFor` in @vae/models)."""
        if override is None:
            return self.default_kl_weight()
        beta = self.config["beta"]
        if override.get("kind") in ("linear", "cosine") and "to" not in override:
            return {**override, "to": beta}
        if override.get("kind") == "cyclical" and "max" not in override:
            return {**override, "max": beta}
        return override

    def objective_extras(self, rows, mean, log_var, eps, labels=None, **kwargs):
        """Terms a subclass adds to the objective ({'weightedKl', 'regularizer'}, scalars); none here."""
        return {}

    def loss(self, x, labels=None, step=0, eps=None, kl_schedule=None, **kwargs):
        """The objective for a batch and its terms (scalars, nats per example): mean reconstruction + the weighted
        KL (beta, or a schedule at `step`), plus what `objective_extras` adds."""
        rows = x.reshape(x.shape[0], -1)
        if eps is None:
            eps = torch.randn(self.config["samples"], rows.shape[0], self.latent_dim, dtype=rows.dtype, device=rows.device)
        reconstruction, kl, mean, log_var = self.row_terms(rows, labels, eps)
        weight = self.kl_schedule_for(kl_schedule)
        reconstruction, kl, weighted, total = losses.loss_terms(reconstruction, kl, weight, step)
        extra = self.objective_extras(rows, mean, log_var, eps, labels=labels, **kwargs)
        regularizer = extra.get("regularizer", torch.zeros((), dtype=total.dtype, device=total.device))
        if extra:
            weighted = weighted + extra["weightedKl"] if "weightedKl" in extra else weighted
            total = reconstruction + weighted + regularizer
        return {
            "total": total,
            "reconstruction": reconstruction,
            "kl": kl,
            "weightedKl": weighted,
            "regularizer": regularizer,
        }

    def elbo_terms(self, x, labels=None, eps=None):
        """Per-example (reconstruction, kl), each [batch]: the negative ELBO's terms."""
        reconstruction, kl, _, _ = self.row_terms(x, labels, eps)
        return reconstruction, kl


class BetaVAE(VAE):
    class_name = "BetaVAE"

    def default_kl_weight(self):
        return self.config.get("capacity") or self.config["beta"]


class ConditionalVAE(VAE):
    class_name = "ConditionalVAE"

    def condition_size(self):
        return self.config["numClasses"]

    def condition(self, labels, batch):
        if labels is None:
            raise ValueError(f"ConditionalVAE: pass the class labels, one integer in [0, {self.config['numClasses']}) per example")
        return F.one_hot(labels.long(), self.config["numClasses"]).to(torch.float32)


class IWAE(VAE):
    """The VAE's networks trained on the k-sample importance-weighted bound (Burda et al. 2016)."""

    class_name = "IWAE"

    def bound(self, x, labels=None, eps=None, samples=None):
        """(L_k [batch], mean -log p(x|z_i), mean KL)."""
        rows = x.reshape(x.shape[0], -1)
        k = samples or self.config["importanceSamples"]
        mean, log_var = self.encode(rows, labels)
        batch = rows.shape[0]
        if eps is None:
            eps = torch.randn(k, batch, self.latent_dim, dtype=rows.dtype, device=rows.device)
        eps = eps.reshape(k, batch, self.latent_dim)
        z = mean + torch.exp(0.5 * log_var) * eps
        repeated = labels.repeat(k) if labels is not None else None
        nll = self.negative_log_likelihood(
            rows.repeat(k, 1), self.decoder_outputs(z.reshape(k * batch, self.latent_dim), repeated)
        ).reshape(k, batch)
        log_weights = -nll + losses.standard_normal_log_density(z) - losses.diagonal_gaussian_log_density(z, mean, log_var)
        return losses.importance_weighted_bound(log_weights), nll.mean(), losses.kl_standard_normal(mean, log_var).mean()

    def loss(self, x, labels=None, step=0, eps=None, kl_schedule=None, **_):
        if kl_schedule is not None:
            raise ValueError("IWAE: the importance-weighted bound has no separate KL term; train it without a schedule")
        bound, reconstruction, kl = self.bound(x, labels, eps)
        total = -bound.mean()
        return {
            "total": total,
            "reconstruction": reconstruction,
            "kl": kl,
            "weightedKl": total - reconstruction,
            "regularizer": torch.zeros((), dtype=total.dtype),
        }

# The second wave: the disentangling VAEs, learned priors, VQ-VAE (packages/models/src/{beta-tcvae, dip-vae,
# info-vae, factor-vae, prior-vae, vqvae}).


class RegularizedVAE(VAE):
    """The VAE's networks, reconstruction term and closed-form KL plus terms on the batch's posterior as a whole,
    given one draw z of each row: the reconstruction term's first draw (eps[0]), as @vae/models draws it with the
    same seed."""

    def __init__(self, config):
        super().__init__(config)
        self.training_size = None  # N of the minibatch estimators: the trainer sets it to the training set's size

    def dataset_size(self, batch):
        """The N of a minibatch estimator: the config's datasetSize, else the training set's, else the batch."""
        return max(self.config.get("datasetSize") or self.training_size or batch, batch)

    def objective_extras(self, rows, mean, log_var, eps, labels=None, **kwargs):
        z = mean + torch.exp(0.5 * log_var) * eps.reshape(-1, *mean.shape)[0]
        return self.extra_terms(rows, mean, log_var, z, **kwargs)

    def extra_terms(self, rows, mean, log_var, z, **kwargs):
        raise NotImplementedError


class BetaTCVAE(RegularizedVAE):
    """beta-TCVAE (Chen et al. 2018): the closed-form KL (weight 1) plus (alpha - 1) I + (beta - 1) TC +
    (gamma - 1) dimension-wise KL, the parts estimated on the minibatch ('mws' or 'mss')."""

    class_name = "BetaTCVAE"

    def default_kl_weight(self):
        return 1

    def extra_terms(self, rows, mean, log_var, z, **kwargs):
        c = self.config
        mi, tc, dw = losses.kl_decomposition(z, mean, log_var, self.dataset_size(z.shape[0]), c["estimator"])
        return {"weightedKl": (c["alpha"] - 1) * mi + (c["beta"] - 1) * tc + (c["gamma"] - 1) * dw}

    def kl_parts(self, x, eps=None):
        """(mutual information, total correlation, dimension-wise KL) on a batch, nats per example; eps [batch,
        latent] is the noise of the draw (drawn when not given)."""
        rows = x.reshape(x.shape[0], -1)
        mean, log_var = self.encode(rows)
        eps = torch.randn_like(mean) if eps is None else eps.reshape(mean.shape)
        z = mean + torch.exp(0.5 * log_var) * eps
        return losses.kl_decomposition(z, mean, log_var, self.dataset_size(z.shape[0]), self.config["estimator"])


class DipVAE(RegularizedVAE):
    """DIP-VAE I or II (Kumar et al. 2018): the ELBO plus the covariance penalty of the codes."""

    class_name = "DipVAE"

    def extra_terms(self, rows, mean, log_var, z, **kwargs):
        c = self.config
        return {
            "regularizer": losses.dip_covariance_penalty(
                mean, log_var, c["dipType"], c["lambdaOffDiagonal"], c.get("lambdaDiagonal")
            )
        }


class InfoVAE(RegularizedVAE):
    """InfoVAE (Zhao et al. 2019): reconstruction + (1 - alpha) KL + (alpha + lambda - 1) MMD(q(z), N(0, I)), the
    MMD between the batch's draws and as many draws of the prior (`prior_draws`, else drawn); alpha = 1 is WAE-MMD."""

    class_name = "InfoVAE"

    def default_kl_weight(self):
        return 1 - self.config["alpha"]

    def mmd_to_prior(self, z, prior_draws=None):
        c = self.config
        prior = torch.randn_like(z) if prior_draws is None else prior_draws.reshape(z.shape)
        return losses.maximum_mean_discrepancy(z, prior, c["kernel"], c.get("bandwidth"), c["kernelScales"])

    def extra_terms(self, rows, mean, log_var, z, prior_draws=None, **kwargs):
        c = self.config
        return {"regularizer": (c["alpha"] + c["lambda"] - 1) * self.mmd_to_prior(z, prior_draws)}


class _Discriminator(nn.Module):
    """FactorVAE's discriminator: dense layers with leaky ReLU (slope 0.2), then one logit."""

    def __init__(self, latent_dim, units):
        super().__init__()
        sizes = [latent_dim, *units]
        self.hidden = nn.ModuleList([linear(a, b) for a, b in zip(sizes, sizes[1:])])
        self.logit = linear(sizes[-1], 1)

    def forward(self, z):
        h = z
        for layer in self.hidden:
            h = F.leaky_relu(layer(h), 0.2)
        return self.logit(h).reshape(-1)


class FactorVAE(RegularizedVAE):
    """FactorVAE (Kim and Mnih 2018): the ELBO plus gamma times the discriminator's density-ratio estimate of the
    total correlation, mean D-logit of the batch's draws. The discriminator (state_dict `discriminator.*`) is trained
    by its own Adam on `discriminator_loss`, one step after each VAE step (vae_torch.train does it)."""

    class_name = "FactorVAE"

    def __init__(self, config):
        super().__init__(config)
        self.discriminator = _Discriminator(self.latent_dim, self.config["discriminatorUnits"])

    def discriminate(self, z):
        """The discriminator's logit of 'drawn from q(z), not from prod_d q(z_d)', [batch]."""
        return self.discriminator(z)

    def vae_parameters(self):
        return [p for name, p in self.named_parameters() if not name.startswith("discriminator.")]

    def discriminator_parameters(self):
        return list(self.discriminator.parameters())

    def extra_terms(self, rows, mean, log_var, z, **kwargs):
        return {"regularizer": self.config["gamma"] * self.discriminate(z).mean()}

    def discriminator_loss(self, x, labels=None, eps=None, orders=None):
        """Half the cross-entropy of calling the batch's draws 'joint' and their dimension-wise shuffle 'product'
        (Kim and Mnih's permute_dims; `orders` [latent, batch]: row d is dimension d's permutation, drawn when not
        given). Gradients reach the discriminator only."""
        rows = x.reshape(x.shape[0], -1)
        with torch.no_grad():
            mean, log_var = self.encode(rows, labels)
            eps = torch.randn_like(mean) if eps is None else eps.reshape(mean.shape)
            z = mean + torch.exp(0.5 * log_var) * eps
            batch, dims = z.shape
            if orders is None:
                orders = torch.stack([torch.randperm(batch, device=z.device) for _ in range(dims)])
            shuffled = torch.gather(z, 0, orders.long().T.to(z.device))
        joint = self.discriminate(z)
        product = self.discriminate(shuffled)
        return 0.5 * (F.softplus(-joint).mean() + F.softplus(product).mean())

    def total_correlation_estimate(self, x, eps=None):
        rows = x.reshape(x.shape[0], -1)
        mean, log_var = self.encode(rows)
        eps = torch.randn_like(mean) if eps is None else eps.reshape(mean.shape)
        return self.discriminate(mean + torch.exp(0.5 * log_var) * eps).mean()


class _MixturePrior(nn.Module):
    def __init__(self, components, latent_dim):
        super().__init__()
        self.means = nn.Parameter(torch.randn(components, latent_dim))
        self.log_vars = nn.Parameter(torch.zeros(components, latent_dim))
        self.logits = nn.Parameter(torch.zeros(components))


class _VampPrior(nn.Module):
    def __init__(self, components, input_size):
        super().__init__()
        self.pseudo_inputs = nn.Parameter(0.05 + 0.01 * torch.randn(components, input_size))


class PriorVAE(VAE):
    """A VAE with a learned prior (Tomczak and Welling 2018): a mixture of Gaussians (`prior.means`,
    `prior.log_vars` [K, latent], `prior.logits` [K]) or the VampPrior, the encoder's posterior at K learned
    pseudo-inputs (`prior.pseudo_inputs` [K, inputSize], channel-major rows, clipped to [0, 1] for data in [0, 1]).
    The KL term is the Monte Carlo estimate log q(z|x) - log p(z) at the reconstruction term's draws."""

    class_name = "PriorVAE"

    def __init__(self, config):
        super().__init__(config)
        k = self.config["components"]
        if self.config["prior"] == "mixture":
            self.prior = _MixturePrior(k, self.latent_dim)
        else:
            self.prior = _VampPrior(k, self.input_size)

    @property
    def unit_interval(self):
        return self.config["likelihood"] == "bernoulli" or self.config["meanActivation"] == "sigmoid"

    def pseudo_inputs(self):
        raw = self.prior.pseudo_inputs
        return raw.clamp(0, 1) if self.unit_interval else raw

    def prior_components(self):
        """(means, log_vars [K, latent], log-weights [K])."""
        if self.config["prior"] == "mixture":
            return self.prior.means, self.prior.log_vars, torch.log_softmax(self.prior.logits, 0)
        mean, log_var = self.encode(self.pseudo_inputs())
        k = self.config["components"]
        return mean, log_var, torch.full((k,), -math.log(k), dtype=mean.dtype, device=mean.device)

    def log_prior(self, z):
        """log p(z) per code under the learned prior, [batch]."""
        return losses.mixture_log_density(z, *self.prior_components())

    def kl_rows(self, mean, log_var, eps, z):
        log_q = (-0.5 * (log_var + eps**2 + losses.LOG_TWO_PI)).sum(-1)
        samples, batch = eps.shape[0], eps.shape[1]
        log_p = self.log_prior(z.reshape(samples * batch, self.latent_dim)).reshape(samples, batch)
        return (log_q - log_p).mean(0)


class _Codebook(nn.Module):
    """The VQ-VAE's codebook [K, d]: a parameter ('loss'), or buffers moved by moving averages ('ema') with their
    cluster sizes [K] and sums [K, d]."""

    def __init__(self, size, dim, ema):
        super().__init__()
        initial = torch.empty(size, dim).uniform_(-1 / size, 1 / size)
        if ema:
            self.register_buffer("embeddings", initial)
            self.register_buffer("cluster_sizes", torch.ones(size))
            self.register_buffer("sums", initial.clone())
        else:
            self.embeddings = nn.Parameter(initial)


class _CategoricalCodePrior(nn.Module):
    def __init__(self, positions, size):
        super().__init__()
        self.logits = nn.Parameter(torch.zeros(positions, size))

    def forward(self, indices):
        return self.logits.expand(indices.shape[0], *self.logits.shape)


class _AutoregressiveCodePrior(nn.Module):
    """p(k_i | k_<i): a masked linear layer over the one-hot codes (MADE-style), `prior.weight` [P K, P K] (an
    nn.Linear weight, out x in) and `prior.bias`."""

    def __init__(self, positions, size):
        super().__init__()
        self.positions, self.size = positions, size
        self.weight = nn.Parameter(torch.zeros(positions * size, positions * size))
        self.bias = nn.Parameter(torch.zeros(positions * size))
        position = torch.arange(positions * size) // size
        # output (position i) reads input (position j) only when j < i: mask[out, in]
        self.register_buffer("mask", (position[None, :] < position[:, None]).float(), persistent=False)

    def forward(self, indices):
        one_hot = F.one_hot(indices.long().reshape(-1), self.size).to(self.weight.dtype)
        one_hot = one_hot.reshape(indices.shape[0], self.positions * self.size)
        return F.linear(one_hot, self.weight * self.mask, self.bias).reshape(-1, self.positions, self.size)


class VQVAE(nn.Module):
    """VQ-VAE (van den Oord et al. 2017): the encoder's output as `positions` vectors of `embeddingDim` values, each
    replaced by its nearest codebook entry (straight-through gradients), the codebook trained by its loss term or by
    moving averages ('ema', updated in `loss(..., training=True)`, summed over DDP processes), the commitment term,
    and a learned prior over the code indices (its -log p(k) is the `kl` term)."""

    class_name = "VQVAE"
    probabilistic = False

    def __init__(self, config):
        super().__init__()
        self.config = resolve_config(self.class_name, config)
        c = self.config
        self.input_size = math.prod(c["inputShape"])
        self.latent_dim = c["latentDim"]
        self.encoder = Encoder(c, c["latentDim"], "code", "linear")
        self.decoder = Decoder(c, ["logits" if c["likelihood"] == "bernoulli" else "mean"])
        self.codebook = _Codebook(c["codebookSize"], c["embeddingDim"], c["codebookUpdate"] == "ema")
        prior = _CategoricalCodePrior if c["codePrior"] == "categorical" else _AutoregressiveCodePrior
        self.prior = prior(c["positions"], c["codebookSize"])

    def encoder_rows(self, x):
        """z_e(x) as rows of code vectors, [batch * positions, embeddingDim]."""
        return self.encoder(x).reshape(-1, self.config["embeddingDim"])

    def encode_indices(self, x):
        """The nearest codebook entry of each position, [batch, positions]."""
        _, indices, _, _ = losses.vector_quantize(self.encoder_rows(x), self.codebook.embeddings)
        return indices.reshape(x.shape[0], self.config["positions"])

    def encode(self, x):
        """The quantized code z_q(x), flat [batch, positions * embeddingDim]."""
        quantized, _, _, _ = losses.vector_quantize(self.encoder_rows(x), self.codebook.embeddings)
        return quantized.reshape(x.shape[0], self.latent_dim)

    def codes_from_indices(self, indices):
        return self.codebook.embeddings[indices.long().reshape(-1)].reshape(indices.shape[0], self.latent_dim)

    def decode_raw(self, z):
        return self.decoder(z)[0]

    def decode(self, z):
        raw = self.decode_raw(z)
        c = self.config
        return raw if c["likelihood"] == "gaussian" and c["meanActivation"] == "linear" else torch.sigmoid(raw)

    def negative_log_likelihood(self, rows, z):
        raw = self.decode_raw(z)
        c = self.config
        if c["likelihood"] == "bernoulli":
            return losses.bce_with_logits(rows, raw)
        mean = torch.sigmoid(raw) if c["meanActivation"] == "sigmoid" else raw
        return losses.gaussian_nll_fixed(rows, mean, c["variance"])

    def log_prior_of_codes(self, indices):
        """log p(k) of code indices [batch, positions] under the learned prior, [batch]."""
        log_probs = torch.log_softmax(self.prior(indices), -1)
        return log_probs.gather(2, indices.long()[:, :, None]).squeeze(2).sum(1)

    def forward(self, *args, **kwargs):
        return self.loss(*args, **kwargs)

    def loss(self, x, training=False, **_):
        """reconstruction + kl (-log p(k)) + regularizer (commitment * ||z_e - sg[e]||^2, plus ||sg[z_e] - e||^2 when
        the codebook learns by its loss), scalars, nats per example. `training` with 'ema' moves the codebook."""
        c = self.config
        rows = x.reshape(x.shape[0], -1)
        batch, positions = rows.shape[0], c["positions"]
        z = self.encoder_rows(rows)
        quantized, indices, codebook_loss, commitment_loss = losses.vector_quantize(z, self.codebook.embeddings)
        reconstruction = self.negative_log_likelihood(rows, quantized.reshape(batch, self.latent_dim)).mean()
        kl = -self.log_prior_of_codes(indices.reshape(batch, positions)).mean()
        ema = c["codebookUpdate"] == "ema"
        regularizer = c["commitment"] * commitment_loss.reshape(batch, positions).sum(1).mean()
        if not ema:
            regularizer = regularizer + codebook_loss.reshape(batch, positions).sum(1).mean()
        if training and ema:
            self.update_codebook(z.detach(), indices)
        return {
            "total": reconstruction + kl + regularizer,
            "reconstruction": reconstruction,
            "kl": kl,
            "weightedKl": kl,
            "regularizer": regularizer,
        }

    @torch.no_grad()
    def update_codebook(self, z, indices):
        distributed = torch.distributed.is_available() and torch.distributed.is_initialized()

        def all_reduce(tensor):
            torch.distributed.all_reduce(tensor)
            return tensor

        book = self.codebook
        sizes, sums, embeddings = losses.ema_codebook_update(
            book.cluster_sizes, book.sums, z, indices, self.config["emaDecay"], all_reduce=all_reduce if distributed else None
        )
        book.cluster_sizes.copy_(sizes)
        book.sums.copy_(sums)
        book.embeddings.copy_(embeddings)

class DBVAE(VAE):
    """The debiasing VAE (Amini et al. 2019): the encoder's last layer also outputs a binary classifier's logit
    (`encoder.posterior` has 2 latentDim + 1 units: mean, log-variance, logit); the objective is classifierWeight x
    the mean BCE of the classifier plus the VAE's terms on the positives (label == positiveClass) only. The adaptive
    resampling of @vae/models' `debiasingSampler` is a training procedure of `fit`, not part of the model: the
    PyTorch trainer draws batches uniformly."""

    class_name = "DBVAE"

    def encoder_output_units(self):
        return 2 * self.config["latentDim"] + 1

    def encode_with_logit(self, x):
        both = self.encoder(x)
        k = self.latent_dim
        return both[:, :k], both[:, k : 2 * k], both[:, 2 * k]

    def encode(self, x, labels=None):
        mean, log_var, _ = self.encode_with_logit(x)
        return mean, log_var

    def classifier_logits(self, x):
        """The classifier's logit of P(positive | x), [batch]."""
        return self.encode_with_logit(x.reshape(x.shape[0], -1))[2]

    def loss(self, x, labels=None, step=0, eps=None, kl_schedule=None, **_):
        if labels is None:
            raise ValueError(
                "DBVAE: the objective needs the batch's class labels (the classifier's targets; the VAE terms apply "
                f"to label {self.config['positiveClass']})"
            )
        rows = x.reshape(x.shape[0], -1)
        targets = (labels.reshape(-1) == self.config["positiveClass"]).to(rows.dtype)
        mean, log_var, logit = self.encode_with_logit(rows)
        eps = torch.randn_like(mean) if eps is None else eps.reshape(mean.shape)
        z = mean + torch.exp(0.5 * log_var) * eps
        reconstruction = self.negative_log_likelihood(rows, self.decoder_outputs(z)) * targets
        kl = losses.kl_standard_normal(mean, log_var) * targets
        reconstruction, kl, weighted, total = losses.loss_terms(
            reconstruction, kl, self.kl_schedule_for(kl_schedule), step
        )
        regularizer = self.config["classifierWeight"] * losses.bce_with_logits(targets[:, None], logit[:, None]).mean()
        return {
            "total": total + regularizer,
            "reconstruction": reconstruction,
            "kl": kl,
            "weightedKl": weighted,
            "regularizer": regularizer,
        }


MODEL_CLASSES = {
    cls.class_name: cls
    for cls in (
        Autoencoder,
        LinearAutoencoder,
        TiedAutoencoder,
        SparseAutoencoder,
        DenoisingAutoencoder,
        ContractiveAutoencoder,
        VAE,
        BetaVAE,
        ConditionalVAE,
        IWAE,
        BetaTCVAE,
        DipVAE,
        InfoVAE,
        FactorVAE,
        PriorVAE,
        VQVAE,
        DBVAE,
    )
}


def build_model(class_name, config):
    """The nn.Module of a @vae model from its class name and config (defaults filled in)."""
    resolve_config(class_name, config)
    return MODEL_CLASSES[class_name](config)
