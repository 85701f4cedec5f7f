#!/usr/bin/env python3
"""The PyTorch peer of ./run bench: the seed model (784-128 ReLU-Dropout-10), SGD with weight decay, batch 128,
on MNIST read from the IDX files with numpy, x/255 like the toolkit's default.

It trains one epoch per command so that the Java bench can alternate it with its own configurations epoch by
epoch (a process that waits on stdin takes no CPU):
    stdin "epoch" -> stdout "wall_seconds cpu_seconds" of one training epoch (training only, like the toolkit's)
    stdin "eval"  -> stdout test accuracy
    stdin "quit"  -> exit
Threads: set OMP_NUM_THREADS / OPENBLAS_NUM_THREADS before start (torch.set_num_threads does not bound OpenBLAS);
this script also calls torch.set_num_threads.
"""
import argparse
import os
import sys
import time

import numpy as np
import torch
from torch import nn


def idx(path):
    with open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True, help="folder with train_data, train_labels, test_data, test_labels")
    ap.add_argument("--dropout", type=float, default=0.5)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--lr", type=float, default=0.1)
    ap.add_argument("--weight-decay", type=float, default=1e-4)
    ap.add_argument("--batch-size", type=int, default=128)
    ap.add_argument("--seed", type=int, default=42)
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    d = args.data
    x = torch.from_numpy(idx(os.path.join(d, "train_data")).reshape(-1, 784).astype(np.float32) / 255)
    y = torch.from_numpy(idx(os.path.join(d, "train_labels")).astype(np.int64))
    tx = torch.from_numpy(idx(os.path.join(d, "test_data")).reshape(-1, 784).astype(np.float32) / 255)
    ty = torch.from_numpy(idx(os.path.join(d, "test_labels")).astype(np.int64))

    layers = [nn.Linear(784, 128), nn.ReLU()]
    if args.dropout > 0:
        layers.append(nn.Dropout(args.dropout))
    layers.append(nn.Linear(128, 10))
    model = nn.Sequential(*layers)
    opt = torch.optim.SGD(model.parameters(), lr=args.lr, weight_decay=args.weight_decay)
    loss_fn = nn.CrossEntropyLoss()
    n, bs = x.shape[0], args.batch_size

    print("ready threads=%d torch=%s" % (torch.get_num_threads(), torch.__version__), flush=True)
    for line in sys.stdin:
        cmd = line.strip()
        if cmd == "epoch":
            model.train()
            start, cpu = time.perf_counter(), time.process_time()
            order = torch.randperm(n)
            xs, ys = x[order], y[order]
            for i in range(0, n, bs):
                opt.zero_grad(set_to_none=True)
                loss = loss_fn(model(xs[i:i + bs]), ys[i:i + bs])
                loss.backward()
                opt.step()
            print("%.6f %.6f" % (time.perf_counter() - start, time.process_time() - cpu), flush=True)
        elif cmd == "eval":
            model.eval()
            with torch.no_grad():
                acc = (model(tx).argmax(1) == ty).float().mean().item()
            print("%.6f" % acc, flush=True)
        elif cmd == "quit":
            return
        else:
            print("error unknown command " + cmd, flush=True)


if __name__ == "__main__":
    main()
