"""Building, saving and loading models, the safetensors reader on hostile files, and the trainer end to end on a
small synthetic IDX data set (one process; the two-process run is in the repository's round-trip test)."""

import json
import os
import tempfile
import unittest
from collections import OrderedDict

import numpy as np
import torch

from vae_torch import build_model, load_folder, model_from_safetensors, model_to_safetensors, save_folder
from vae_torch.config import ConfigError, resolve_config
from vae_torch.safetensors_io import SafetensorsError, read_safetensors, write_safetensors
from vae_torch.train import main as train_main

CONFIGS = {
    "VAE": {"inputShape": [8, 8, 2], "network": "conv", "filters": [3, 4], "hiddenUnits": [5], "latentDim": 2},
    "ConditionalVAE": {"inputShape": [4, 4, 1], "hiddenUnits": [6], "latentDim": 2, "numClasses": 3},
    "TiedAutoencoder": {"inputShape": [4, 4, 1], "hiddenUnits": [6], "latentDim": 3},
    "LinearAutoencoder": {"inputShape": [3, 3, 2], "latentDim": 2},
}


class BuildTest(unittest.TestCase):
    def test_state_dict_names_follow_the_pytorch_layout(self):
        names = {name: list(build_model(name, config).state_dict()) for name, config in CONFIGS.items()}
        self.assertEqual(
            names["VAE"],
            [
                "encoder.conv.0.weight", "encoder.conv.0.bias", "encoder.conv.1.weight", "encoder.conv.1.bias",
                "encoder.hidden.0.weight", "encoder.hidden.0.bias", "encoder.posterior.weight",
                "encoder.posterior.bias", "decoder.hidden.0.weight", "decoder.hidden.0.bias",
                "decoder.project.weight", "decoder.project.bias", "decoder.deconv.0.weight", "decoder.deconv.0.bias",
                "decoder.deconv.1.weight", "decoder.deconv.1.bias",
            ],
        )
        self.assertEqual(names["TiedAutoencoder"][-2:], ["decoder.hidden.0.bias", "decoder.output.bias"])
        self.assertIn("preprocess.mean", names["LinearAutoencoder"])
        shapes = {k: list(v.shape) for k, v in build_model("VAE", CONFIGS["VAE"]).state_dict().items()}
        self.assertEqual(shapes["encoder.conv.0.weight"], [3, 2, 4, 4])  # OIHW
        self.assertEqual(shapes["decoder.deconv.0.weight"], [4, 3, 4, 4])  # ConvTranspose2d: [in, out, kH, kW]
        self.assertEqual(shapes["decoder.deconv.1.weight"], [3, 2, 4, 4])

    def test_conv_networks_halve_and_double_the_resolution(self):
        for kernel in (1, 2, 3, 4, 5):
            model = build_model("VAE", {**CONFIGS["VAE"], "kernelSize": kernel})
            x = torch.rand(2, 2, 8, 8)
            mean, _ = model.encode(x)
            self.assertEqual(list(mean.shape), [2, 2])
            self.assertEqual(list(model.decode(mean).shape), [2, 128])

    def test_configs_are_checked(self):
        with self.assertRaisesRegex(ConfigError, "unknown model class"):
            resolve_config("Nope", {})
        with self.assertRaisesRegex(ConfigError, "divisible by 4"):
            resolve_config("VAE", {"inputShape": [6, 6, 1], "network": "conv"})
        with self.assertRaisesRegex(ConfigError, "no PyTorch counterpart"):
            resolve_config("VAE", {"layers": {"encoder": {}}})
        self.assertEqual(resolve_config("BetaVAE", {})["beta"], 4)

    def test_training_steps_lower_the_loss(self):
        torch.manual_seed(0)
        for name, config in CONFIGS.items():
            model = build_model(name, config)
            shape = config["inputShape"]
            x = (torch.rand(16, shape[2], shape[0], shape[1]) > 0.5).float()
            labels = torch.arange(16) % 3 if name == "ConditionalVAE" else None
            optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
            eps = torch.randn(1, 16, config["latentDim"])
            before = float(model.loss(x, labels=labels, eps=eps)["total"])
            for _ in range(30):
                optimizer.zero_grad()
                model(x, labels=labels)["total"].backward()
                optimizer.step()
            self.assertLess(float(model.loss(x, labels=labels, eps=eps)["total"]), before, name)


class SafetensorsTest(unittest.TestCase):
    def test_round_trip_in_every_float_dtype(self):
        torch.manual_seed(1)
        model = build_model("VAE", CONFIGS["VAE"])
        for dtype, tolerance in (("float32", 0), ("float16", 2**-11), ("bfloat16", 2**-8)):
            data = model_to_safetensors(model, dtype)
            tensors, metadata, _ = read_safetensors(data)
            self.assertEqual(metadata["vae.className"], "VAE")
            self.assertEqual(json.loads(metadata["vae.config"]), model.config)
            again = model_from_safetensors(data)
            for (name, a), b in zip(model.state_dict().items(), again.state_dict().values()):
                self.assertTrue(torch.allclose(a, b, rtol=tolerance, atol=1e-7), f"{dtype} {name}")

    def test_folders(self):
        model = build_model("ConditionalVAE", CONFIGS["ConditionalVAE"])
        with tempfile.TemporaryDirectory() as folder:
            save_folder(model, folder)
            with open(os.path.join(folder, "config.json")) as handle:
                self.assertEqual(json.load(handle)["className"], "ConditionalVAE")
            again = load_folder(folder)
            self.assertTrue(all(torch.equal(a, b) for a, b in zip(model.state_dict().values(), again.state_dict().values())))

    def edited(self, data, edit):
        tensors, metadata, _ = read_safetensors(data)
        metadata.pop("vae.weightsSha256")
        edit(tensors, metadata)
        return write_safetensors(tensors, metadata)

    def test_a_file_that_does_not_match_is_refused_naming_the_tensors(self):
        model = build_model("ConditionalVAE", CONFIGS["ConditionalVAE"])
        data = model_to_safetensors(model)

        def edit(tensors, _):
            del tensors["encoder.hidden.0.bias"]
            tensors["decoder.logits.weight"] = torch.zeros(3, 3)
            tensors["extra"] = torch.zeros(1)

        with self.assertRaisesRegex(
            SafetensorsError,
            r"missing: encoder\.hidden\.0\.bias; unexpected: extra; mis-shaped: decoder\.logits\.weight \[3, 3\]",
        ):
            model_from_safetensors(self.edited(data, edit))
        with self.assertRaisesRegex(SafetensorsError, r"decoder\.logits\.bias \(torch\.int32\)"):
            model_from_safetensors(
                self.edited(data, lambda t, _: t.__setitem__("decoder.logits.bias", torch.zeros(16, dtype=torch.int32)))
            )
        with self.assertRaisesRegex(SafetensorsError, "non-finite"):
            model_from_safetensors(
                self.edited(data, lambda t, _: t["decoder.logits.bias"].__setitem__(0, float("nan")))
            )
        with self.assertRaisesRegex(SafetensorsError, "at least"):
            model_from_safetensors(
                self.edited(data, lambda _, m: m.__setitem__("vae.config", json.dumps({**model.config, "latentDim": 10**9})))
            )
        damaged = bytearray(data)
        damaged[-1] ^= 1
        with self.assertRaisesRegex(SafetensorsError, "SHA-256"):
            model_from_safetensors(bytes(damaged))

    def test_hostile_headers(self):
        def craft(header, buffer=b"", length=None):
            text = header if isinstance(header, bytes) else json.dumps(header).encode()
            return (len(text) if length is None else length).to_bytes(8, "little") + text + buffer

        entry = lambda begin, end: {"dtype": "F32", "shape": [(end - begin) // 4], "data_offsets": [begin, end]}
        cases = [
            (b"\x01\x00", "fewer than the 8"),
            (craft({}, length=10**9), "more than the limit"),
            (craft({}, b"", 500), "only"),
            (craft(b'{"a": 1, "a": 2}'), "twice"),
            (craft({"a": {**entry(0, 8), "dtype": "F128"}}, bytes(8)), "dtype"),
            (craft({"a": entry(0, 16)}, bytes(8)), "outside"),
            (craft({"a": {**entry(0, 8), "shape": [3]}}, bytes(8)), "needs 12"),
            (craft({"a": entry(0, 8), "b": entry(4, 8)}, bytes(8)), "overlaps|needs"),
            (craft({"a": entry(0, 4), "b": entry(8, 12)}, bytes(12)), "belong to no tensor"),
            (craft({"a": entry(0, 4)}, bytes(8)), "belong to no tensor"),
            (craft({"__metadata__": {"a": 1}}), "not a string"),
            (craft(b"[1]"), "JSON object"),
            (craft(b'{"a":"\xff"}'), "UTF-8"),
        ]
        for data, pattern in cases:
            with self.assertRaisesRegex(SafetensorsError, pattern, msg=pattern):
                read_safetensors(data, "hostile.safetensors")

    def test_reads_what_it_writes_with_tensors_aligned(self):
        tensors = OrderedDict(a=torch.arange(6, dtype=torch.float32).reshape(2, 3), b=torch.tensor([1, 2], dtype=torch.int64))
        data = write_safetensors(tensors, {"k": "v"})
        self.assertEqual((8 + int.from_bytes(data[:8], "little")) % 8, 0)
        back, metadata, _ = read_safetensors(data)
        self.assertEqual(metadata, {"k": "v"})
        self.assertTrue(torch.equal(back["a"], tensors["a"]) and torch.equal(back["b"], tensors["b"]))


def write_idx(path, array):
    header = bytes([0, 0, 8, array.ndim]) + b"".join(int(d).to_bytes(4, "big") for d in array.shape)
    with open(path, "wb") as handle:
        handle.write(header + array.astype(np.uint8).tobytes())


def write_bar_images(data, train, test):
    """A small MNIST-format data set in `data`: 28 x 28 images of a bright bar whose place is the label."""
    rng = np.random.default_rng(0)
    os.makedirs(data)
    for split, count in (("train", train), ("t10k", test)):
        labels = rng.integers(0, 10, count)
        images = np.zeros((count, 28, 28))
        for i, label in enumerate(labels):
            images[i, 2 * label : 2 * label + 6, 4:24] = 255
        write_idx(os.path.join(data, f"{split}-images-idx3-ubyte"), images)
        write_idx(os.path.join(data, f"{split}-labels-idx1-ubyte"), labels)
    return data


class TrainTest(unittest.TestCase):
    def test_trains_writes_a_folder_and_resumes(self):
        torch.set_num_threads(1)
        with tempfile.TemporaryDirectory() as root:
            data = write_bar_images(os.path.join(root, "data"), train=64, test=32)
            config = os.path.join(root, "config.json")
            with open(config, "w") as handle:
                json.dump({"className": "VAE", "config": {"hiddenUnits": [32], "latentDim": 2}}, handle)
            out = os.path.join(root, "out")
            common = ["--config", config, "--out", out, "--data-dir", data, "--batch-size", "16", "--lr", "3e-3", "--quiet"]
            self.assertEqual(train_main([*common, "--epochs", "2"]), 0)
            with open(os.path.join(out, "metrics.json")) as handle:
                metrics = json.load(handle)
            self.assertEqual(len(metrics["epochs"]), 2)
            self.assertLess(metrics["epochs"][1]["test"]["total"], metrics["epochs"][0]["test"]["total"])
            with open(os.path.join(out, "config.json")) as handle:
                description = json.load(handle)
            self.assertEqual(description["className"], "VAE")
            self.assertEqual(description["training"]["steps"], 8)
            self.assertEqual(train_main([*common, "--epochs", "3", "--resume"]), 0)
            with open(os.path.join(out, "metrics.json")) as handle:
                resumed = json.load(handle)
            self.assertEqual([e["epoch"] for e in resumed["epochs"]], [1, 2, 3])
            self.assertEqual(resumed["epochs"][-1]["step"], 12)
            load_folder(out)


if __name__ == "__main__":
    unittest.main()
