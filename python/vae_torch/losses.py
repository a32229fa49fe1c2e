"""The losses, divergences, bounds, penalties and KL schedules of @vae/core (packages/core/src: losses.ts,
divergences.ts, bounds.ts, regularizers.ts, schedules.ts), in PyTorch, with the same conventions: every term is in
nats, summed over the values of one example ("per example"), and a batch is reduced by its mean unless a function
says otherwise. Tests compare them with closed forms (tests/test_losses.py) and with @vae/core on the same inputs
(the parity test in packages/models).
"""

import math

import torch
import torch.nn.functional as F

LOG_TWO_PI = math.log(2 * math.pi)


def rows(x):
    """[batch, ...] -> [batch, values]."""
    return x.reshape(x.shape[0], -1)


def bce_with_logits(targets, logits):
    """-log Bernoulli(x; sigmoid(l)) summed over the values of each example, computed stably: [batch]."""
    return F.binary_cross_entropy_with_logits(rows(logits), rows(targets), reduction="none").sum(1)


def squared_error(targets, predictions):
    """sum_j (xhat_j - x_j)^2 per example: [batch]."""
    return ((rows(predictions) - rows(targets)) ** 2).sum(1)


def gaussian_nll_fixed(targets, mean, variance):
    """-log N(x; mean, variance I) per example, with the normalizing constant: [batch]."""
    constant = 0.5 * (LOG_TWO_PI + math.log(variance))
    return ((rows(targets) - rows(mean)) ** 2 / (2 * variance) + constant).sum(1)


def gaussian_nll(targets, mean, log_var):
    """-log N(x; mean, diag(exp(log_var))) per example, with the normalizing constant: [batch]."""
    log_var = rows(log_var)
    return (0.5 * (log_var + LOG_TWO_PI + (rows(targets) - rows(mean)) ** 2 * torch.exp(-log_var))).sum(1)


def kl_standard_normal(mean, log_var):
    """KL(N(mean, diag(exp(log_var))) || N(0, I)) per example, summed over latent dimensions: [batch]."""
    return (0.5 * (mean**2 + torch.exp(log_var) - 1 - log_var)).sum(-1)


def standard_normal_log_density(z):
    """log N(z; 0, I) summed over the last axis."""
    return (-0.5 * (z**2 + LOG_TWO_PI)).sum(-1)


def diagonal_gaussian_log_density(z, mean, log_var):
    """log N(z; mean, diag(exp(log_var))) summed over the last axis (mean and log_var broadcast to z)."""
    return (-0.5 * (LOG_TWO_PI + log_var + (z - mean) ** 2 * torch.exp(-log_var))).sum(-1)


def importance_weighted_bound(log_weights):
    """L_k = log mean_i exp(log w_i) over the first axis of [k, batch]: [batch]."""
    return torch.logsumexp(log_weights, 0) - math.log(log_weights.shape[0])


def sparsity_penalty(activations, rho, epsilon=1e-6):
    """sum_l KL(Bernoulli(rho) || Bernoulli(rho_hat_l)), rho_hat the mean activation over the batch: a scalar."""
    rho_hat = activations.mean(0).clamp(epsilon, 1 - epsilon)
    return (rho * (math.log(rho) - torch.log(rho_hat)) + (1 - rho) * (math.log(1 - rho) - torch.log1p(-rho_hat))).sum()


def l1_penalty(code):
    """|h|_1 per example: [batch]."""
    return rows(code).abs().sum(1)


def l2_penalty(weights):
    """sum of the squares of every given tensor: a scalar."""
    return sum((w**2).sum() for w in weights)


def activation_slope(activation, hidden):
    """The derivative of an activation written in terms of its output h."""
    if activation == "sigmoid":
        return hidden * (1 - hidden)
    if activation == "tanh":
        return 1 - hidden**2
    if activation == "relu":
        return (hidden > 0).to(hidden.dtype)
    return torch.ones_like(hidden)


def dense_contractive_penalty(hidden, weight, activation):
    """|J_x(h)|_F^2 per example for h = activation(x W^T + b), W the nn.Linear weight [units, in]: [batch]."""
    return (activation_slope(activation, hidden) ** 2 * (weight**2).sum(1)).sum(1)


def contractive_penalty(encoder, x, create_graph):
    """|J_x(h)|_F^2 per example by automatic differentiation, examples independent: [batch]."""
    with torch.enable_grad():
        x = x.detach().requires_grad_(True)
        code = encoder(x)
        total = torch.zeros(x.shape[0], dtype=x.dtype, device=x.device)
        for unit in range(code.shape[1]):
            (gradient,) = torch.autograd.grad(code[:, unit].sum(), x, create_graph=create_graph, retain_graph=True)
            total = total + rows(gradient).pow(2).sum(1)
    return total


# KL schedules: plain dicts as in @vae/core (schedules.ts), evaluated at a 0-based optimizer step.


def _ramp(start, end, progress):
    return start + (end - start) * min(1.0, max(0.0, progress))


def kl_weight(schedule, step):
    """The weight of the KL term at `step` (gamma for a capacity schedule)."""
    kind = schedule["kind"]
    if kind == "constant":
        return schedule["value"]
    if kind == "linear":
        return _ramp(schedule.get("from", 0), schedule.get("to", 1), (step - schedule.get("delay", 0)) / schedule["steps"])
    if kind == "cyclical":
        top = schedule.get("max", 1)
        if schedule.get("cycles") is not None and step >= schedule["cycles"] * schedule["period"]:
            return top
        position = (step % schedule["period"]) / schedule["period"]
        return _ramp(schedule.get("min", 0), top, position / schedule.get("rampFraction", 0.5))
    if kind == "cosine":
        start, end = schedule.get("from", 0), schedule.get("to", 1)
        progress = min(1.0, step / schedule["steps"])
        return end + (start - end) * (1 + math.cos(math.pi * progress)) / 2
    if kind == "capacity":
        return schedule["gamma"]
    raise ValueError(f"unknown KL schedule kind {kind!r}")


def capacity_at(schedule, step):
    """The target capacity C (nats) of a capacity schedule at `step`."""
    return _ramp(schedule.get("from", 0), schedule["maxCapacity"], step / schedule["steps"])


def loss_terms(reconstruction, kl, weight, step):
    """core's lossTerms with mean reduction: (reconstruction, kl, weighted_kl, total) as scalars.

    `weight` is a number (beta) or a schedule dict; a capacity schedule gives gamma |mean KL - C(step)|.
    """
    reconstruction = reconstruction.mean()
    kl = kl.mean()
    if isinstance(weight, dict):
        if weight["kind"] == "capacity":
            weighted = weight["gamma"] * (kl - capacity_at(weight, step)).abs()
        else:
            weighted = kl * kl_weight(weight, step)
    else:
        weighted = kl * weight
    return reconstruction, kl, weighted, reconstruction + weighted
