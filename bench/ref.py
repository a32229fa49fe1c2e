"""The PyTorch reference for ref-vae (the PyTorch examples' VAE): 784-400-20, BCE + KL, Adam 1e-3, batch 128.
Trains on the first N MNIST training images read from IDX files and prints one JSON line.
With a test-image count it also reports the test loss (negative ELBO with one z sample, nats per image, as the
PyTorch example's test()) on the first test images. Architecture 'conv' is @vae's mnist-conv: 28 -> 14 -> 7 with 32
and 64 filters (kernel 4, stride 2, padding 1, as tfjs 'same'), 256 dense units, latent 20, mirrored by transposed
convolutions in the decoder.
usage: python3 bench/ref.py <dir with train-images-idx3-ubyte> <images> <epochs> <threads> [seed] [test images] [mlp|conv]"""
import json, struct, sys, time
import numpy as np
import torch
from torch import nn
from torch.nn import functional as F


if len(sys.argv) > 1 and sys.argv[1] == "autorec":
    # One I-AutoRec epoch (Sedhain et al. 2015: sigmoid hidden layer of 500, identity output, squared error on
    # observed ratings, lambda/2 weight decay) on synthetic ratings of ML-1M's size, Adam 1e-3, as bench/worker.mjs's
    # autorec task. usage: ref.py autorec <users> <items> <ratings> <epochs> <threads> <batch> [seed]
    users, items, count, epochs, threads, batch = (int(v) for v in sys.argv[2:8])
    seed = int(sys.argv[8]) if len(sys.argv) > 8 else 1
    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    rows_of, cols_of = rng.integers(0, items, count), rng.integers(0, users, count)
    values = torch.from_numpy(rng.integers(1, 6, count).astype(np.float32))
    # item rows kept sparse (CSR), each batch made dense, as RatingRows does
    order_by_row = np.argsort(rows_of, kind="stable")
    columns, values = cols_of[order_by_row], values[torch.from_numpy(order_by_row)]
    row_start = np.concatenate([[0], np.cumsum(np.bincount(rows_of, minlength=items))])

    def dense_rows(indices):
        x = torch.zeros(len(indices), users)
        for j, row in enumerate(indices.tolist()):
            a, b = row_start[row], row_start[row + 1]
            x[j, torch.from_numpy(columns[a:b])] = values[a:b]
        return x

    encoder, decoder = nn.Linear(users, 500), nn.Linear(500, users)
    optimizer = torch.optim.Adam(list(encoder.parameters()) + list(decoder.parameters()), lr=1e-3)
    times = []
    for epoch in range(epochs):
        order = torch.randperm(items)
        start = time.perf_counter()
        for i in range(0, items, batch):
            x = dense_rows(order[i : i + batch])
            mask = (x != 0).float()
            out = decoder(torch.sigmoid(encoder(x)))
            loss = ((out - x) ** 2 * mask).sum() / len(x) + 0.5 / items * (
                encoder.weight.pow(2).sum() + decoder.weight.pow(2).sum())
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        times.append(time.perf_counter() - start)
    measured = times[1:] if len(times) > 1 else times
    seconds = sum(measured) / len(measured)
    print(json.dumps({"secondsPerEpoch": seconds, "rowsPerSecond": items / seconds, "torch": torch.__version__,
                      "threads": threads}))
    sys.exit(0)

directory, images, epochs, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
torch.set_num_threads(threads)
seed = int(sys.argv[5]) if len(sys.argv) > 5 else 1
test_images = int(sys.argv[6]) if len(sys.argv) > 6 else 0
arch = sys.argv[7] if len(sys.argv) > 7 else "mlp"
torch.manual_seed(seed)


def read_images(name, count):
    with open(f"{directory}/{name}", "rb") as f:
        _, n, h, w = struct.unpack(">IIII", f.read(16))
        pixels = np.frombuffer(f.read(n * h * w), dtype=np.uint8).reshape(n, h * w)[:count]
    return torch.from_numpy(pixels.astype(np.float32) / 255.0)


data = read_images("train-images-idx3-ubyte", images)


class VAE(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1, self.fc21, self.fc22 = nn.Linear(784, 400), nn.Linear(400, 20), nn.Linear(400, 20)
        self.fc3, self.fc4 = nn.Linear(20, 400), nn.Linear(400, 784)

    def forward(self, x):
        h = F.relu(self.fc1(x))
        mu, logvar = self.fc21(h), self.fc22(h)
        z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
        return self.fc4(F.relu(self.fc3(z))), mu, logvar


class ConvVAE(nn.Module):
    """@vae's architecture('mnist-conv') (NHWC there, NCHW here: the same arithmetic)."""

    def __init__(self):
        super().__init__()
        self.conv1, self.conv2 = nn.Conv2d(1, 32, 4, 2, 1), nn.Conv2d(32, 64, 4, 2, 1)
        self.hidden, self.posterior = nn.Linear(64 * 7 * 7, 256), nn.Linear(256, 40)
        self.decode_hidden, self.project = nn.Linear(20, 256), nn.Linear(256, 64 * 7 * 7)
        self.deconv1, self.deconv2 = nn.ConvTranspose2d(64, 32, 4, 2, 1), nn.ConvTranspose2d(32, 1, 4, 2, 1)

    def forward(self, x):
        h = F.relu(self.conv2(F.relu(self.conv1(x.view(-1, 1, 28, 28)))))
        mu, logvar = self.posterior(F.relu(self.hidden(h.flatten(1)))).chunk(2, dim=1)
        z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
        d = F.relu(self.project(F.relu(self.decode_hidden(z)))).view(-1, 64, 7, 7)
        return self.deconv2(F.relu(self.deconv1(d))).flatten(1), mu, logvar


def batch_loss(model, x):
    logits, mu, logvar = model(x)
    bce = F.binary_cross_entropy_with_logits(logits, x, reduction="sum")
    kl = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    return bce + kl


model = ConvVAE() if arch == "conv" else VAE()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
measured, loss_value = 0.0, 0.0
for epoch in range(epochs):
    order = torch.randperm(len(data))
    start = time.perf_counter()
    for i in range(0, len(data), 128):
        x = data[order[i : i + 128]]
        loss = batch_loss(model, x) / len(x)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        loss_value = loss.item()
    if epoch > 0 or epochs == 1:
        measured += time.perf_counter() - start
measured_epochs = epochs - 1 if epochs > 1 else 1
result = {"imagesPerSecond": measured_epochs * len(data) / measured, "finalLoss": loss_value,
          "torch": torch.__version__, "threads": threads, "seed": seed, "arch": arch}
if test_images > 0:
    test = read_images("t10k-images-idx3-ubyte", test_images)
    with torch.no_grad():
        total = sum(batch_loss(model, test[i : i + 1000]).item() for i in range(0, len(test), 1000))
    result["testLoss"] = total / len(test)
print(json.dumps(result))
