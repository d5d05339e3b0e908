#!/usr/bin/python3
"""PyTorch twin of Timbre Workbench's CNN (src-main/core/training/models/cnn.ts), for side-by-side speed.

The same network as our `seed-cnn` preset: `layers` blocks of [1-D convolution over time with
`hidden` filters, 5 taps, 'same' zero padding; ReLU (or tanh); max pool 2 (floor)], then the
readout ('last' flattens every remaining time step, time-major as ours; 'mean'/'max' pool over
time) and one linear classifier. Inputs [batch, steps, dims] (the seed's 100 x 160 raw frames);
weights drawn as PyTorch's Conv1d/Linear do; Adam at 0.0008, cross-entropy, random data.

  /usr/bin/python3 test/bench/cnn_reference.py throughput [--threads N] [--steps N] [--warmup N]

Run with OPENBLAS_NUM_THREADS=1 in the environment to keep OpenBLAS's own threads from competing
with PyTorch's (on 2 cores, --threads 2 without it oversubscribes). Prints one JSON object on its
last line, as seed_lstm_reference.py does.
"""
import argparse, json, os, sys, time

import torch

KERNEL = 5  # CNN_KERNEL in cnn.ts
POOL = 2  # CNN_POOL in cnn.ts


class SeedCNN(torch.nn.Module):
    def __init__(self, dims, steps, hidden, layers, classes, activation, readout):
        super().__init__()
        self.convs = torch.nn.ModuleList(
            torch.nn.Conv1d(dims if i == 0 else hidden, hidden, KERNEL, padding=KERNEL // 2) for i in range(layers)
        )
        self.act = torch.relu if activation == "relu" else torch.tanh
        self.pool = torch.nn.MaxPool1d(POOL)
        self.readout = readout
        left = steps
        for _ in range(layers):
            left //= POOL
        self.fc = torch.nn.Linear(left * hidden if readout == "last" else hidden, classes)

    def forward(self, x):  # x [B, T, C]
        h = x.transpose(1, 2)  # Conv1d wants [B, C, T]
        for conv in self.convs:
            h = self.pool(self.act(conv(h)))
        if self.readout == "last":
            h = h.transpose(1, 2).flatten(1)  # time-major, as ours reshapes [B, T, C] -> [B, T*C]
        elif self.readout == "mean":
            h = h.mean(2)
        else:
            h = h.amax(2)
        return self.fc(h)


def throughput(args):
    torch.manual_seed(args.seed)
    model = SeedCNN(args.dims, args.seq_len, args.hidden, args.layers, 11, args.activation, args.readout)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    loss_fn = torch.nn.CrossEntropyLoss()
    x = torch.randn(args.batch, args.seq_len, args.dims)
    y = torch.randint(0, 11, (args.batch,))

    def step():
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()

    for _ in range(args.warmup):
        step()
    t0 = time.perf_counter()
    for _ in range(args.steps):
        step()
    seconds = time.perf_counter() - t0
    return {"samples_per_s": round(args.steps * args.batch / seconds, 2), "seconds": round(seconds, 3)}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("mode", choices=["throughput"])
    p.add_argument("--lr", type=float, default=0.0008)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--seq-len", type=int, default=100)
    p.add_argument("--dims", type=int, default=160)
    p.add_argument("--hidden", type=int, default=64, help="filters per block (seed-cnn: 64)")
    p.add_argument("--layers", type=int, default=3, help="conv blocks (seed-cnn: 3)")
    p.add_argument("--activation", choices=["relu", "tanh"], default="relu")
    p.add_argument("--readout", choices=["last", "mean", "max"], default="last")
    p.add_argument("--threads", type=int, default=os.cpu_count())
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    result = throughput(args)
    result.update(
        engine=f"pytorch {torch.__version__}", threads=torch.get_num_threads(), mode=args.mode, model="cnn",
        batch=args.batch, hidden=args.hidden, layers=args.layers, steps_x_dims=[args.seq_len, args.dims],
        openblas_threads=os.environ.get("OPENBLAS_NUM_THREADS"),
    )
    print(json.dumps(result))


if __name__ == "__main__":
    sys.exit(main())
