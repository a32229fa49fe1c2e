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


# The second wave (packages/core/src: total-correlation.ts, regularizers.ts, mmd.ts, mixtures.ts, quantization.ts).


def log_aggregate_posterior(z, mean, log_var, dataset_size, estimator="mws"):
    """Minibatch estimates of log q(z_i) ([M]) and of log q(z_id) ([M, D]) at each row's draw z_i, the aggregate
    posterior q(z) = 1/N sum_n q(z|x_n) seen through the batch: 'mws' (minibatch-weighted sampling, Chen et al.) or
    'mss' (stratified weights). As core's `logAggregatePosterior`."""
    batch = z.shape[0]
    if not (isinstance(dataset_size, int) and dataset_size >= 1):
        raise ValueError(f"dataset_size must be a positive integer, got {dataset_size!r}")
    if dataset_size < batch:
        raise ValueError(f"dataset_size ({dataset_size}) is smaller than the batch ({batch}); pass the training set's size")
    if estimator == "mws":
        weights = torch.full((batch, batch), -math.log(dataset_size * batch), dtype=z.dtype, device=z.device)
    elif estimator == "mss":
        if batch < 2:
            raise ValueError("the 'mss' estimator needs a batch of 2 or more rows; use 'mws' or a larger batch")
        own = -math.log(dataset_size)
        other = own if dataset_size == batch else math.log((dataset_size - 1) / (dataset_size * (batch - 1)))
        weights = other + (own - other) * torch.eye(batch, dtype=z.dtype, device=z.device)
    else:
        raise ValueError(f"estimator {estimator!r} is not 'mws' or 'mss'")
    pairs = -0.5 * ((z[:, None, :] - mean[None]) ** 2 * torch.exp(-log_var[None]) + log_var[None] + LOG_TWO_PI)
    joint = torch.logsumexp(pairs.sum(2) + weights, 1)
    marginals = torch.logsumexp(pairs + weights[:, :, None], 1)
    return joint, marginals


def kl_decomposition(z, mean, log_var, dataset_size, estimator="mws"):
    """(index-code mutual information, total correlation, dimension-wise KL), batch means in nats (Chen et al. 2018);
    they add up to mean_i log q(z_i|x_i) - log N(z_i; 0, I) whatever the estimator."""
    joint, marginals = log_aggregate_posterior(z, mean, log_var, dataset_size, estimator)
    conditional = diagonal_gaussian_log_density(z, mean, log_var)
    product = marginals.sum(1)
    prior = standard_normal_log_density(z)
    return (conditional - joint).mean(), (joint - product).mean(), (product - prior).mean()


def dip_covariance_penalty(mean, log_var, dip_type="i", lambda_off_diagonal=10.0, lambda_diagonal=None):
    """DIP-VAE's lambda_od sum_{i != j} C_ij^2 + lambda_d sum_i (C_ii - 1)^2, C = Cov[mu] over the batch (divided by
    M) for 'i', plus E[diag(exp(log_var))] for 'ii': a scalar."""
    if dip_type not in ("i", "ii"):
        raise ValueError(f"dip_type {dip_type!r} is not 'i' or 'ii'")
    if lambda_diagonal is None:
        lambda_diagonal = (10 if dip_type == "i" else 1) * lambda_off_diagonal
    centred = mean - mean.mean(0, keepdim=True)
    covariance = centred.T @ centred / mean.shape[0]
    if dip_type == "ii":
        covariance = covariance + torch.diag(torch.exp(log_var).mean(0))
    diagonal = covariance.diagonal()
    off_diagonal = covariance - torch.diag(diagonal)
    return lambda_off_diagonal * (off_diagonal**2).sum() + lambda_diagonal * ((diagonal - 1) ** 2).sum()


def kernel_matrix(x, y, kernel="rbf", bandwidth=None, scales=(1,)):
    """k(x_i, y_j) [n, m], summed over the scales C s: 'rbf' exp(-d^2 / C), 'imq' C / (C + d^2); C defaults to 2 D."""
    if kernel not in ("rbf", "imq"):
        raise ValueError(f"kernel {kernel!r} is not 'rbf' or 'imq'")
    bandwidth = 2 * x.shape[1] if bandwidth is None else bandwidth
    distances = ((x**2).sum(1, keepdim=True) + (y**2).sum(1)[None] - 2 * x @ y.T).clamp(min=0)
    total = 0
    for s in scales:
        c = bandwidth * s
        total = total + (torch.exp(distances / -c) if kernel == "rbf" else c / (c + distances))
    return total


def maximum_mean_discrepancy(x, y, kernel="rbf", bandwidth=None, scales=(1,), estimator="unbiased"):
    """MMD^2 between the samples x [n, D] and y [m, D]: the unbiased U-statistic (distinct pairs) or the biased one."""
    n, m = x.shape[0], y.shape[0]

    def within(k, size):
        if estimator == "biased":
            return k.mean()
        return (k.sum() - k.diagonal().sum()) / (size * (size - 1))

    if estimator not in ("unbiased", "biased"):
        raise ValueError(f"estimator {estimator!r} is not 'unbiased' or 'biased'")
    if estimator == "unbiased" and (n < 2 or m < 2):
        raise ValueError(f"the unbiased MMD needs at least 2 rows in each sample, got {n} and {m}")
    options = {"kernel": kernel, "bandwidth": bandwidth, "scales": scales}
    return (
        within(kernel_matrix(x, x, **options), n)
        + within(kernel_matrix(y, y, **options), m)
        - 2 * kernel_matrix(x, y, **options).mean()
    )


def mixture_log_density(z, means, log_vars, log_weights):
    """log sum_k w_k N(z; mu_k, diag(exp(log_var_k))) per row of z [batch, D]: [batch]."""
    per_component = diagonal_gaussian_log_density(z[:, None, :], means[None], log_vars[None])
    return torch.logsumexp(per_component + log_weights, 1)


def vector_quantize(z, codebook):
    """(quantized z_e + sg[e - z_e], indices, ||sg[z_e] - e||^2, ||z_e - sg[e]||^2) for rows z [n, d] and the
    codebook [K, d]: the straight-through output, the nearest entries and the two terms of van den Oord et al. per
    row."""
    with torch.no_grad():
        distances = (codebook**2).sum(1)[None] - 2 * z @ codebook.T
        indices = distances.argmin(1)
    codes = codebook[indices]
    quantized = z + (codes - z).detach()
    codebook_loss = ((z.detach() - codes) ** 2).sum(1)
    commitment_loss = ((z - codes.detach()) ** 2).sum(1)
    return quantized, indices, codebook_loss, commitment_loss


def ema_codebook_update(cluster_sizes, sums, z, indices, decay=0.99, epsilon=1e-5, all_reduce=None):
    """One moving-average codebook step (the VQ-VAE paper's appendix): (cluster sizes, sums, codebook). `all_reduce`
    sums the batch's counts and code sums over processes (DistributedDataParallel), so that the step is the one of
    the global batch."""
    codes = sums.shape[0]
    assignments = F.one_hot(indices, codes).to(z.dtype)
    counts = assignments.sum(0)
    assigned = assignments.T @ z
    if all_reduce is not None:
        counts, assigned = all_reduce(counts), all_reduce(assigned)
    cluster_sizes = decay * cluster_sizes + (1 - decay) * counts
    sums = decay * sums + (1 - decay) * assigned
    total = cluster_sizes.sum()
    smoothed = (cluster_sizes + epsilon) / (total + codes * epsilon) * total
    return cluster_sizes, sums, sums / smoothed[:, None]
