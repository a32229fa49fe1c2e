"""The losses against closed forms computed in float64 with `math`, and the models' objectives against the terms
they are made of."""

import math
import unittest

import torch

from vae_torch import build_model, losses


def bce(x, logit):
    p = 1 / (1 + math.exp(-logit))
    return -(x * math.log(p) + (1 - x) * math.log(1 - p))


class LossTest(unittest.TestCase):
    def test_bce_with_logits_matches_the_definition_and_is_stable(self):
        x = [[0.0, 1.0, 0.3], [1.0, 0.0, 0.5]]
        logits = [[-2.0, 0.5, 1.5], [3.0, -0.25, 0.0]]
        expected = [sum(bce(a, b) for a, b in zip(xs, ls)) for xs, ls in zip(x, logits)]
        got = losses.bce_with_logits(torch.tensor(x), torch.tensor(logits))
        for g, e in zip(got.tolist(), expected):
            self.assertAlmostEqual(g, e, places=5)
        # saturated logits: the loss is finite and equals |l| for the wrong target
        big = losses.bce_with_logits(torch.tensor([[0.0, 1.0]]), torch.tensor([[100.0, -100.0]]))
        self.assertAlmostEqual(float(big), 200.0, places=3)

    def test_gaussian_likelihoods_include_the_constant(self):
        x = torch.tensor([[0.5, -1.0, 2.0]])
        mean = torch.tensor([[0.0, 0.0, 1.0]])
        squared = 0.25 + 1.0 + 1.0
        self.assertAlmostEqual(float(losses.gaussian_nll_fixed(x, mean, 1)), squared / 2 + 1.5 * math.log(2 * math.pi), places=5)
        variance = 0.5
        expected = squared / (2 * variance) + 1.5 * (math.log(2 * math.pi) + math.log(variance))
        self.assertAlmostEqual(float(losses.gaussian_nll_fixed(x, mean, variance)), expected, places=5)
        log_var = torch.tensor([[0.0, math.log(2.0), -1.0]])
        terms = [(0.25, 0.0), (1.0, math.log(2.0)), (1.0, -1.0)]
        expected = sum(0.5 * (lv + math.log(2 * math.pi) + d / math.exp(lv)) for d, lv in terms)
        self.assertAlmostEqual(float(losses.gaussian_nll(x, mean, log_var)), expected, places=5)

    def test_kl_of_known_pairs(self):
        # KL(N(mu, s^2) || N(0, 1)) = (mu^2 + s^2 - 1 - log s^2) / 2 per dimension
        mean = torch.tensor([[0.0, 1.0, -2.0]])
        log_var = torch.tensor([[0.0, 0.0, math.log(0.25)]])
        expected = 0 + 0.5 + 0.5 * (4 + 0.25 - 1 - math.log(0.25))
        self.assertAlmostEqual(float(losses.kl_standard_normal(mean, log_var)), expected, places=5)
        self.assertEqual(float(losses.kl_standard_normal(torch.zeros(1, 4), torch.zeros(1, 4))), 0.0)

    def test_importance_weighted_bound(self):
        log_weights = torch.tensor([[0.0, -1.0], [math.log(3.0), -1.0]])
        bound = losses.importance_weighted_bound(log_weights)
        self.assertAlmostEqual(float(bound[0]), math.log(2.0), places=6)
        self.assertAlmostEqual(float(bound[1]), -1.0, places=6)

    def test_sparsity_penalty(self):
        rho = 0.1
        activations = torch.tensor([[0.1, 0.3], [0.1, 0.1]])
        rho_hat = [0.1, 0.2]
        expected = sum(rho * math.log(rho / r) + (1 - rho) * math.log((1 - rho) / (1 - r)) for r in rho_hat)
        self.assertAlmostEqual(float(losses.sparsity_penalty(activations, rho)), expected, places=6)

    def test_closed_form_contractive_penalty_equals_autodiff(self):
        torch.manual_seed(0)
        layer = torch.nn.Linear(5, 3)
        x = torch.rand(4, 5)
        for name in ("sigmoid", "tanh", "linear"):
            activation = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "linear": lambda v: v}[name]
            closed = losses.dense_contractive_penalty(activation(layer(x)), layer.weight, name)
            automatic = losses.contractive_penalty(lambda v: activation(layer(v)), x, create_graph=False)
            torch.testing.assert_close(closed, automatic, rtol=1e-5, atol=1e-6)

    def test_schedules(self):
        self.assertEqual(losses.kl_weight({"kind": "constant", "value": 4}, 9), 4)
        self.assertAlmostEqual(losses.kl_weight({"kind": "linear", "steps": 10, "delay": 5}, 10), 0.5)
        self.assertAlmostEqual(losses.kl_weight({"kind": "cyclical", "period": 10}, 12), 0.4)
        self.assertAlmostEqual(losses.kl_weight({"kind": "cyclical", "period": 10, "cycles": 1}, 12), 1.0)
        self.assertAlmostEqual(losses.kl_weight({"kind": "cosine", "steps": 10}, 5), 0.5)
        capacity = {"kind": "capacity", "gamma": 10, "maxCapacity": 5, "steps": 100}
        self.assertAlmostEqual(losses.capacity_at(capacity, 50), 2.5)
        _, kl, weighted, _ = losses.loss_terms(torch.tensor([1.0]), torch.tensor([4.0]), capacity, 50)
        self.assertAlmostEqual(float(weighted), 10 * 1.5, places=5)


class ObjectiveTest(unittest.TestCase):
    def test_vae_loss_is_reconstruction_plus_beta_kl_with_the_given_noise(self):
        torch.manual_seed(1)
        model = build_model("BetaVAE", {"inputShape": [4], "hiddenUnits": [3], "latentDim": 2, "beta": 3})
        x = torch.rand(6, 4)
        eps = torch.randn(1, 6, 2)
        mean, log_var = model.encode(x)
        z = (mean + torch.exp(0.5 * log_var) * eps[0])
        reconstruction = losses.bce_with_logits(x, model.decoder_outputs(z)["logits"]).mean()
        kl = losses.kl_standard_normal(mean, log_var).mean()
        terms = model.loss(x, eps=eps)
        torch.testing.assert_close(terms["reconstruction"], reconstruction)
        torch.testing.assert_close(terms["kl"], kl)
        torch.testing.assert_close(terms["total"], reconstruction + 3 * kl)

    def test_iwae_with_one_sample_is_the_one_sample_log_weight(self):
        # L_1 = log p(x|z) + log N(z; 0, I) - log N(z; mean, diag(var)), z = mean + sigma eps
        torch.manual_seed(2)
        model = build_model("IWAE", {"inputShape": [4], "hiddenUnits": [3], "latentDim": 2, "importanceSamples": 1})
        x = torch.rand(5, 4)
        eps = torch.randn(1, 5, 2)
        mean, log_var = model.encode(x)
        z = mean + torch.exp(0.5 * log_var) * eps[0]
        log_likelihood = -losses.bce_with_logits(x, model.decoder_outputs(z)["logits"])
        log_prior = (-0.5 * z**2 - 0.5 * math.log(2 * math.pi)).sum(1)
        log_posterior = (-0.5 * eps[0] ** 2 - 0.5 * log_var - 0.5 * math.log(2 * math.pi)).sum(1)
        expected = log_likelihood + log_prior - log_posterior
        torch.testing.assert_close(model.bound(x, eps=eps)[0], expected, rtol=1e-5, atol=1e-5)

    def test_more_importance_samples_give_a_higher_bound_on_average(self):
        torch.manual_seed(3)
        model = build_model("IWAE", {"inputShape": [6], "hiddenUnits": [4], "latentDim": 2})
        x = torch.rand(200, 6)
        with torch.no_grad():
            one = model.bound(x, samples=1)[0].mean()
            fifty = model.bound(x, samples=50)[0].mean()
        self.assertGreater(float(fifty), float(one))


if __name__ == "__main__":
    unittest.main()
