"""The second-wave models of vae_torch (beta-TCVAE, DIP-VAE, InfoVAE, FactorVAE, PriorVAE, VQ-VAE): their maths
against closed forms and enumeration, their objectives assembled from those terms, and the trainer's class-specific
steps (FactorVAE's discriminator optimizer, the VQ-VAE's moving-average codebook) with checkpoints and --resume. Their
parity with @vae/models is tested in packages/models/src/safetensors/parity.node.test.ts."""

import itertools
import json
import math
import os
import tempfile
import unittest

import torch

from vae_torch import build_model, load_folder, losses, model_from_safetensors, model_to_safetensors
from vae_torch.config import ConfigError, resolve_config
from vae_torch.safetensors_io import read_safetensors
from vae_torch.train import main as train_main

from test_models import write_bar_images

SMALL = {"inputShape": [4, 4, 1], "hiddenUnits": [6], "latentDim": 3}


def gaussian(z, mean, log_var):
    """log N(z; mean, diag(exp(log_var))) by the textbook formula, one vector at a time."""
    return sum(
        -0.5 * math.log(2 * math.pi * math.exp(l)) - (a - m) ** 2 / (2 * math.exp(l))
        for a, m, l in zip(z.tolist(), mean.tolist(), log_var.tolist())
    )


class Float64Test(unittest.TestCase):
    """Runs in float64 (closed forms to 10 places), restoring the default dtype after."""

    def setUp(self):
        self.dtype = torch.get_default_dtype()
        torch.set_default_dtype(torch.float64)

    def tearDown(self):
        torch.set_default_dtype(self.dtype)


class AggregatePosteriorTest(Float64Test):
    def setUp(self):
        super().setUp()
        torch.manual_seed(0)
        self.mean = torch.randn(5, 3)
        self.log_var = 0.5 * torch.randn(5, 3)
        self.z = self.mean + torch.exp(0.5 * self.log_var) * torch.randn(5, 3)

    def test_mws_and_mss_by_enumeration(self):
        n, m = 100, 5
        for estimator in ("mws", "mss"):
            joint, marginals = losses.log_aggregate_posterior(self.z, self.mean, self.log_var, n, estimator)
            for i in range(m):
                weights = [
                    1 / (n * m) if estimator == "mws" else (1 / n if j == i else (n - 1) / (n * (m - 1)))
                    for j in range(m)
                ]
                q = sum(w * math.exp(gaussian(self.z[i], self.mean[j], self.log_var[j])) for j, w in enumerate(weights))
                self.assertAlmostEqual(float(joint[i]), math.log(q), places=9)
                for d in range(3):
                    q_d = sum(
                        w * math.exp(gaussian(self.z[i, d : d + 1], self.mean[j, d : d + 1], self.log_var[j, d : d + 1]))
                        for j, w in enumerate(weights)
                    )
                    self.assertAlmostEqual(float(marginals[i, d]), math.log(q_d), places=9)

    def test_the_parts_add_up_to_the_monte_carlo_kl(self):
        for estimator in ("mws", "mss"):
            parts = losses.kl_decomposition(self.z, self.mean, self.log_var, 50, estimator)
            mc = (
                losses.diagonal_gaussian_log_density(self.z, self.mean, self.log_var)
                - losses.standard_normal_log_density(self.z)
            ).mean()
            self.assertAlmostEqual(float(sum(parts)), float(mc), places=10)

    def test_identical_factorized_posteriors_have_no_mutual_information_or_total_correlation(self):
        mean = torch.tensor([[0.3, -1.0, 2.0]]).repeat(6, 1)
        log_var = torch.tensor([[0.1, -0.4, 0.2]]).repeat(6, 1)
        z = mean + torch.exp(0.5 * log_var) * torch.randn(6, 3)
        mi, tc, dw = losses.kl_decomposition(z, mean, log_var, 6, "mss")  # N = M: q(z) is the batch's mixture
        self.assertAlmostEqual(float(mi), 0, places=10)
        self.assertAlmostEqual(float(tc), 0, places=10)

    def test_refuses_a_dataset_smaller_than_the_batch(self):
        with self.assertRaisesRegex(ValueError, "smaller than the batch"):
            losses.kl_decomposition(self.z, self.mean, self.log_var, 3)


class PenaltyTest(Float64Test):
    def test_dip_covariance_penalty_closed_form(self):
        mean = torch.tensor([[1.0, 0.0], [-1.0, 0.0], [0.0, 2.0], [0.0, -2.0]])  # Cov = diag(0.5, 2)
        log_var = torch.full((4, 2), math.log(0.5))
        self.assertAlmostEqual(float(losses.dip_covariance_penalty(mean, log_var, "i", 7, 3)), 3 * (0.25 + 1), places=12)
        # II: + E[diag(sigma^2)] = diag(1, 2.5)
        self.assertAlmostEqual(float(losses.dip_covariance_penalty(mean, log_var, "ii", 7, 3)), 3 * 2.25, places=12)
        skew = torch.tensor([[1.0, 1.0], [-1.0, -1.0]])  # Cov = [[1, 1], [1, 1]]: off-diagonal 1 twice
        self.assertAlmostEqual(float(losses.dip_covariance_penalty(skew, None, "i", 7, 3)), 14, places=12)
        # lambda_d defaults to 10 lambda_od (I) or lambda_od (II)
        self.assertAlmostEqual(float(losses.dip_covariance_penalty(mean, log_var, "i", 2)), 20 * 1.25, places=12)

    def test_mmd_by_enumeration(self):
        torch.manual_seed(1)
        x, y = torch.randn(4, 2), torch.randn(5, 2) + 1
        for kernel, scales in (("rbf", (1,)), ("imq", (0.5, 2))):
            c = 1.7

            def k(a, b):
                d = float(((a - b) ** 2).sum())
                return sum(math.exp(-d / (c * s)) if kernel == "rbf" else c * s / (c * s + d) for s in scales)

            xx = sum(k(x[i], x[j]) for i, j in itertools.permutations(range(4), 2)) / 12
            yy = sum(k(y[i], y[j]) for i, j in itertools.permutations(range(5), 2)) / 20
            xy = sum(k(a, b) for a in x for b in y) / 20
            mmd = losses.maximum_mean_discrepancy(x, y, kernel, c, scales)
            self.assertAlmostEqual(float(mmd), xx + yy - 2 * xy, places=10)
        self.assertAlmostEqual(float(losses.maximum_mean_discrepancy(x, x, "rbf", estimator="biased")), 0, places=10)

    def test_mixture_log_density(self):
        torch.manual_seed(2)
        z, means, log_vars = torch.randn(4, 3), torch.randn(2, 3), torch.randn(2, 3)
        log_weights = torch.log(torch.tensor([0.25, 0.75]))
        got = losses.mixture_log_density(z, means, log_vars, log_weights)
        for i in range(4):
            expected = math.log(sum(w * math.exp(gaussian(z[i], means[k], log_vars[k])) for k, w in enumerate((0.25, 0.75))))
            self.assertAlmostEqual(float(got[i]), expected, places=10)


class QuantizationTest(Float64Test):
    def test_nearest_codes_straight_through_and_the_two_terms(self):
        torch.manual_seed(3)
        z = torch.randn(6, 2, requires_grad=True)
        codebook = torch.randn(4, 2, requires_grad=True)
        quantized, indices, codebook_loss, commitment = losses.vector_quantize(z, codebook)
        for i in range(6):
            distances = [float(((z[i] - e) ** 2).sum()) for e in codebook]
            self.assertEqual(int(indices[i]), distances.index(min(distances)))
            self.assertAlmostEqual(float(codebook_loss[i]), min(distances), places=12)
            self.assertAlmostEqual(float(commitment[i]), min(distances), places=12)
        torch.testing.assert_close(quantized, codebook[indices])
        (gz,) = torch.autograd.grad(quantized.sum(), z, retain_graph=True)
        torch.testing.assert_close(gz, torch.ones_like(z))  # straight through
        gz, gc = torch.autograd.grad(codebook_loss.sum(), (z, codebook), allow_unused=True, retain_graph=True)
        self.assertTrue(gz is None or not gz.any())  # sg[z_e]: only the codebook learns from it
        self.assertTrue(gc.any())
        gz, gc = torch.autograd.grad(commitment.sum(), (z, codebook), allow_unused=True)
        self.assertTrue(gc is None or not gc.any())  # sg[e]: only the encoder
        torch.testing.assert_close(gz, 2 * (z - codebook[indices]).detach())

    def test_ema_update_without_memory_is_the_mean_of_the_assigned_codes(self):
        z = torch.tensor([[0.0, 1.0], [2.0, 3.0], [10.0, 10.0]])
        indices = torch.tensor([0, 0, 2])
        sizes, sums, book = losses.ema_codebook_update(torch.ones(3), torch.zeros(3, 2), z, indices, decay=0.0, epsilon=1e-9)
        torch.testing.assert_close(sizes, torch.tensor([2.0, 0.0, 1.0]))
        torch.testing.assert_close(book[0], torch.tensor([1.0, 2.0]))
        torch.testing.assert_close(book[2], torch.tensor([10.0, 10.0]))
        self.assertTrue(torch.isfinite(book).all())  # the unused entry stays finite (Laplace smoothing)


def batch(seed=4, rows=5):
    torch.manual_seed(seed)
    return torch.rand(rows, 16), torch.randn(1, rows, 3)


class ObjectiveTest(Float64Test):
    def test_beta_tcvae_reweights_the_kl_parts(self):
        x, eps = batch()
        base = build_model("BetaTCVAE", {**SMALL, "alpha": 1, "beta": 1, "gamma": 1, "seed": 1})
        vae = build_model("VAE", SMALL)
        vae.load_state_dict(base.state_dict())
        with torch.no_grad():
            plain, elbo = base.loss(x, eps=eps), vae.loss(x, eps=eps)
            for key in ("total", "reconstruction", "kl", "weightedKl"):
                self.assertAlmostEqual(float(plain[key]), float(elbo[key]), places=10)  # alpha = beta = gamma = 1: the ELBO
            model = build_model("BetaTCVAE", {**SMALL, "alpha": 0.5, "beta": 6, "gamma": 2})
            model.load_state_dict(base.state_dict())
            terms = model.loss(x, eps=eps)
            mi, tc, dw = model.kl_parts(x, eps[0])
        self.assertAlmostEqual(float(terms["weightedKl"]), float(terms["kl"] - 0.5 * mi + 5 * tc + dw), places=10)
        self.assertAlmostEqual(float(terms["total"]), float(terms["reconstruction"] + terms["weightedKl"]), places=10)

    def test_beta_tcvae_takes_n_from_the_config_or_the_training_set(self):
        model = build_model("BetaTCVAE", SMALL)
        self.assertEqual(model.dataset_size(8), 8)
        model.training_size = 1000
        self.assertEqual(model.dataset_size(8), 1000)
        self.assertEqual(build_model("BetaTCVAE", {**SMALL, "datasetSize": 50}).dataset_size(8), 50)

    def test_dip_vae_adds_the_penalty_of_the_batch_means(self):
        x, eps = batch()
        for dip_type in ("i", "ii"):
            model = build_model("DipVAE", {**SMALL, "dipType": dip_type, "lambdaOffDiagonal": 3})
            with torch.no_grad():
                terms = model.loss(x, eps=eps)
                mean, log_var = model.encode(x)
            penalty = losses.dip_covariance_penalty(mean, log_var, dip_type, 3, 30 if dip_type == "i" else 3)
            self.assertAlmostEqual(float(terms["regularizer"]), float(penalty), places=10)
            self.assertAlmostEqual(float(terms["weightedKl"]), float(terms["kl"]), places=12)

    def test_info_vae_weights_kl_and_mmd(self):
        x, eps = batch()
        prior = torch.randn(5, 3)
        model = build_model("InfoVAE", {**SMALL, "alpha": 0.25, "lambda": 3, "kernel": "rbf", "kernelScales": [1]})
        with torch.no_grad():
            terms = model.loss(x, eps=eps, prior_draws=prior)
            mean, log_var = model.encode(x)
        z = mean + torch.exp(0.5 * log_var) * eps[0]
        mmd = losses.maximum_mean_discrepancy(z, prior, "rbf", 6, [1])  # C = 2 latentDim
        self.assertAlmostEqual(float(terms["weightedKl"]), 0.75 * float(terms["kl"]), places=10)
        self.assertAlmostEqual(float(terms["regularizer"]), 2.25 * float(mmd), places=10)
        wae = build_model("InfoVAE", SMALL)  # alpha = 1: no KL (WAE-MMD), lambda = 100
        self.assertEqual(float(wae.loss(x, eps=eps)["weightedKl"]), 0)

    def test_factor_vae_discriminator(self):
        x, eps = batch()
        model = build_model("FactorVAE", {**SMALL, "gamma": 4, "discriminatorUnits": [5]})
        with torch.no_grad():
            for p in model.discriminator.parameters():
                p.zero_()
            model.discriminator.logit.bias.fill_(0.7)  # D's logit is 0.7 everywhere
            terms = model.loss(x, eps=eps)
            self.assertAlmostEqual(float(terms["regularizer"]), 4 * 0.7, places=12)
            loss = model.discriminator_loss(x, eps=eps[0])
        self.assertAlmostEqual(float(loss), 0.5 * (math.log1p(math.exp(-0.7)) + math.log1p(math.exp(0.7))), places=12)
        names = {name for name, _ in model.named_parameters()}
        self.assertEqual(
            {n for n in names if n.startswith("discriminator.")},
            {"discriminator.hidden.0.weight", "discriminator.hidden.0.bias", "discriminator.logit.weight", "discriminator.logit.bias"},
        )
        self.assertEqual(len(model.vae_parameters()) + len(model.discriminator_parameters()), len(names))

    def test_factor_vae_permutes_each_dimension(self):
        model = build_model("FactorVAE", {**SMALL, "discriminatorUnits": [4]})
        seen = []
        model.discriminate = lambda z: seen.append(z) or z.sum(1)
        orders = torch.tensor([[1, 2, 3, 4, 0], [0, 1, 2, 3, 4], [4, 3, 2, 1, 0]])
        x, eps = batch()
        model.discriminator_loss(x, eps=eps[0], orders=orders)
        joint, shuffled = seen
        for d in range(3):
            torch.testing.assert_close(shuffled[:, d], joint[orders[d], d])

    def test_prior_vae_monte_carlo_kl(self):
        x, eps = batch()
        model = build_model("PriorVAE", {**SMALL, "prior": "mixture", "components": 1})
        with torch.no_grad():
            model.prior.means.zero_()
            model.prior.log_vars.zero_()
            _, kl = model.elbo_terms(x, eps=eps)
            mean, log_var = model.encode(x)
        z = mean + torch.exp(0.5 * log_var) * eps[0]
        expected = losses.diagonal_gaussian_log_density(z, mean, log_var) - losses.standard_normal_log_density(z)
        torch.testing.assert_close(kl, expected)  # one component N(0, I): the standard prior, one draw
        with torch.no_grad():  # many draws: the closed-form KL
            many = torch.randn(4000, 5, 3)
            model.config["samples"] = 4000
            _, kl = model.elbo_terms(x, eps=many)
        torch.testing.assert_close(kl, losses.kl_standard_normal(mean, log_var), atol=0.05, rtol=0.05)

    def test_vamp_prior_is_the_posterior_at_the_pseudo_inputs(self):
        model = build_model("PriorVAE", {**SMALL, "components": 1})
        with torch.no_grad():
            model.prior.pseudo_inputs.fill_(1.5)  # clipped to 1 (Bernoulli data)
            z = torch.randn(4, 3)
            mean, log_var = model.encode(torch.ones(1, 16))
            torch.testing.assert_close(model.log_prior(z), losses.diagonal_gaussian_log_density(z, mean, log_var))

    def test_vqvae_code_priors_by_enumeration(self):
        model = build_model("VQVAE", {"inputShape": [4, 4, 1], "hiddenUnits": [6], "positions": 2, "embeddingDim": 2,
                                      "codebookSize": 3})
        with torch.no_grad():
            model.prior.logits.copy_(torch.randn(2, 3))
            total = sum(math.exp(float(model.log_prior_of_codes(torch.tensor([[a, b]])))) for a in range(3) for b in range(3))
        self.assertAlmostEqual(total, 1, places=10)
        ar = build_model("VQVAE", {"inputShape": [4, 4, 1], "hiddenUnits": [6], "positions": 3, "embeddingDim": 2,
                                   "codebookSize": 2, "codePrior": "autoregressive"})
        with torch.no_grad():
            ar.prior.weight.copy_(torch.randn(6, 6))
            ar.prior.bias.copy_(torch.randn(6))
            codes = torch.tensor(list(itertools.product(range(2), repeat=3)))
            probabilities = torch.exp(ar.log_prior_of_codes(codes))
            self.assertAlmostEqual(float(probabilities.sum()), 1, places=10)
            logits = ar.prior(codes)
            torch.testing.assert_close(logits[:, 0], ar.prior.bias[:2].expand(8, 2))  # position 0 sees no code
            torch.testing.assert_close(ar.prior(codes ^ torch.tensor([0, 0, 1]))[:, :3], logits[:, :3])  # nor the last

    def test_vqvae_objective(self):
        x, _ = batch()
        config = {"inputShape": [4, 4, 1], "hiddenUnits": [6], "positions": 2, "embeddingDim": 2, "codebookSize": 4,
                  "commitment": 0.3}
        model = build_model("VQVAE", config)
        self.assertEqual(model.config["latentDim"], 4)
        with torch.no_grad():
            terms = model.loss(x)
            z = model.encoder_rows(x)
            _, indices, book, commit = losses.vector_quantize(z, model.codebook.embeddings)
        self.assertAlmostEqual(float(terms["regularizer"]), float(1.3 * book.sum() / 5), places=10)
        self.assertAlmostEqual(float(terms["kl"]), 2 * math.log(4), places=10)  # the initial uniform prior
        ema = build_model("VQVAE", {**config, "codebookUpdate": "ema"})
        before = ema.codebook.embeddings.clone()
        with torch.no_grad():
            self.assertAlmostEqual(float(ema.loss(x)["regularizer"]), float(0.3 * losses.vector_quantize(
                ema.encoder_rows(x), before)[3].sum() / 5), places=10)
            torch.testing.assert_close(ema.codebook.embeddings, before)  # evaluation leaves it
            ema.loss(x, training=True)
        self.assertFalse(torch.equal(ema.codebook.embeddings, before))
        self.assertEqual([n for n, _ in ema.named_parameters() if n.startswith("codebook")], [])
        with self.assertRaisesRegex(ConfigError, "latentDim is positions x embeddingDim"):
            resolve_config("VQVAE", {**config, "latentDim": 5})

    def test_db_vae_masks_the_vae_terms_to_the_positives(self):
        x, eps = batch()
        model = build_model("DBVAE", {**SMALL, "positiveClass": 2, "classifierWeight": 3, "beta": 2})
        labels = torch.tensor([2, 0, 2, 1, 5])
        with torch.no_grad():
            terms = model.loss(x, labels, eps=eps)
            both = model.encoder(x)
            mean, log_var, logit = both[:, :3], both[:, 3:6], both[:, 6]
            z = mean + torch.exp(0.5 * log_var) * eps[0]
            nll = losses.bce_with_logits(x, model.decoder_outputs(z)["logits"])
            kl = losses.kl_standard_normal(mean, log_var)
        positive = torch.tensor([1.0, 0, 1, 0, 0])
        self.assertEqual(model.encoder.posterior.out_features, 7)  # mean, log-variance, logit
        self.assertAlmostEqual(float(terms["reconstruction"]), float((nll * positive).sum() / 5), places=10)
        self.assertAlmostEqual(float(terms["weightedKl"]), 2 * float((kl * positive).sum() / 5), places=10)
        bce = sum(math.log1p(math.exp(-float(l))) if p else math.log1p(math.exp(float(l))) for l, p in zip(logit, positive)) / 5
        self.assertAlmostEqual(float(terms["regularizer"]), 3 * bce, places=10)
        torch.testing.assert_close(model.classifier_logits(x), logit)
        with self.assertRaisesRegex(ValueError, "labels"):
            model.loss(x)
        with self.assertRaisesRegex(ConfigError, "samples must be 1"):
            resolve_config("DBVAE", {"samples": 2})

    def test_round_trips_and_defaults(self):
        self.assertEqual(resolve_config("PriorVAE", {"prior": "mixture"})["components"], 10)
        self.assertEqual(resolve_config("PriorVAE", {})["components"], 500)
        for name, config in (("BetaTCVAE", SMALL), ("DipVAE", SMALL), ("InfoVAE", SMALL),
                             ("FactorVAE", {**SMALL, "discriminatorUnits": [4]}),
                             ("PriorVAE", {**SMALL, "components": 3}),
                             ("VQVAE", {"inputShape": [4, 4, 1], "codebookUpdate": "ema", "positions": 2})):
            model = build_model(name, config)
            again = model_from_safetensors(model_to_safetensors(model))
            self.assertEqual(again.class_name, name)
            for key, value in model.state_dict().items():
                torch.testing.assert_close(again.state_dict()[key].double(), value.double(), msg=key)
        with self.assertRaisesRegex(ConfigError, "estimator"):
            resolve_config("BetaTCVAE", {"estimator": "exact"})
        with self.assertRaisesRegex(ConfigError, "lambda"):
            resolve_config("InfoVAE", {"alpha": 0, "lambda": 0.5})


class TrainTest(unittest.TestCase):
    def test_factor_vae_ema_vqvae_and_db_vae_train_checkpoint_and_resume(self):
        torch.set_num_threads(1)
        with tempfile.TemporaryDirectory() as root:
            data = write_bar_images(os.path.join(root, "data"), train=48, test=16)
            for name, config in (
                ("FactorVAE", {"hiddenUnits": [16], "latentDim": 2, "discriminatorUnits": [8], "gamma": 2}),
                ("VQVAE", {"hiddenUnits": [16], "positions": 2, "embeddingDim": 2, "codebookSize": 4,
                           "codebookUpdate": "ema", "emaDecay": 0.5}),
                ("DBVAE", {"hiddenUnits": [16], "latentDim": 2}),
            ):
                path = os.path.join(root, f"{name}.json")
                with open(path, "w") as handle:
                    json.dump({"className": name, "config": config}, handle)
                out = os.path.join(root, name)
                common = ["--config", path, "--out", out, "--data-dir", data, "--batch-size", "16", "--quiet"]
                initial = build_model(name, config)
                self.assertEqual(train_main([*common, "--epochs", "1"]), 0)
                trained = load_folder(out)
                if name == "FactorVAE":
                    with open(os.path.join(out, "checkpoint", "optimizer.safetensors"), "rb") as handle:
                        tensors, metadata, _ = read_safetensors(handle.read())
                    steps = json.loads(metadata["steps"])
                    self.assertEqual(steps["discriminator.logit.bias"], 3)  # its own Adam, one step per batch
                    self.assertEqual(steps["encoder.posterior.bias"], 3)
                    with open(os.path.join(out, "metrics.json")) as handle:
                        self.assertIn("discriminator", json.load(handle)["epochs"][0]["train"])
                elif name == "VQVAE":
                    self.assertFalse(torch.equal(trained.codebook.cluster_sizes, initial.codebook.cluster_sizes))
                self.assertEqual(train_main([*common, "--epochs", "2", "--resume"]), 0)
                with open(os.path.join(out, "metrics.json")) as handle:
                    self.assertEqual(json.load(handle)["epochs"][-1]["step"], 6)


if __name__ == "__main__":
    unittest.main()
