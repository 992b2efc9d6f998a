#!/usr/bin/env python3
"""PyTorch reference of the lmm flat transformer (src/models/flat_transformer.cpp, layers.cpp,
frame_decoder.cpp), module for module and name for name, so weights saved by the C++ model
load with load_state_dict(strict=True).

Used by the golden test (tests/unit/test_golden_flat.cpp):
  flat_reference.py --config cfg.json --inputs in.pt --out expected.pt
    in.pt       torch::pickle_save'd dict: parameter name -> tensor, plus "input.context"
                (B, 120, 75) and "input.target" (B, 30, 75)
    expected.pt dict: "teacher_forced" (B, 30, 75), "loss" (), "forecast" (B, 30, 75)
and by bench/models_reference.py (training and forecast speed, prefix re-run decoding).
"""
import argparse
import json
import math

import torch
from torch import nn

FPS = 15.0
JOINTS = 25


def time_encoding(times, d, min_period, max_period):
    """times (..) seconds -> (.., d): [sin(2 pi t / P_i), cos(2 pi t / P_i)], P_i geometric."""
    half = d // 2
    i = torch.arange(half, dtype=torch.float32) / float(half - 1)
    omega = 2 * math.pi / (min_period * torch.pow(max_period / min_period, i))
    angle = times.float().unsqueeze(-1) * omega
    return torch.cat([torch.sin(angle), torch.cos(angle)], -1)


def frame_times(n, first):
    return first + torch.arange(n, dtype=torch.float32) / FPS


def causal_mask(n):
    return torch.triu(torch.full((n, n), float("-inf")), 1)


def positions(frames):  # (.., 75) -> (.., 50)
    return frames.unflatten(-1, (JOINTS, 3))[..., :2].flatten(-2)


def confidence(frames):  # (.., 75) -> (.., 25)
    return frames.unflatten(-1, (JOINTS, 3))[..., 2]


def join_frame(xy, conf):  # (.., 50), (.., 25) -> (.., 75)
    xy = xy.unflatten(-1, (JOINTS, 2))
    return torch.cat([xy, conf.unsqueeze(-1).expand_as(xy[..., :1])], -1).flatten(-2)


def position_mse(pred, target):
    visible = (confidence(target) > 0).to(pred.dtype).unsqueeze(-1)
    diff = (positions(pred) - positions(target)).unflatten(-1, (JOINTS, 2))
    return (visible * diff.square()).sum() / (2 * visible.sum()).clamp_min(1)


class MultiheadAttention(nn.Module):
    """in_proj packs the q, k, v projections (rows 0:d, d:2d, 2d:3d) like nn.MultiheadAttention."""

    def __init__(self, d, heads, dropout):
        super().__init__()
        self.heads, self.dropout = heads, dropout
        self.in_proj = nn.Linear(d, 3 * d)
        self.out = nn.Linear(d, d)

    def forward(self, query, source, mask=None):
        B, L, d = query.shape
        w_q, w_kv = self.in_proj.weight.split([d, 2 * d])
        b_q, b_kv = self.in_proj.bias.split([d, 2 * d])
        k, v = nn.functional.linear(source, w_kv, b_kv).view(B, source.shape[1], 2, self.heads, -1).permute(2, 0, 3, 1, 4)
        q = nn.functional.linear(query, w_q, b_q).view(B, L, self.heads, -1).transpose(1, 2)
        scores = (q @ k.transpose(-2, -1)) / math.sqrt(d // self.heads)
        if mask is not None:
            scores = scores + mask
        w = nn.functional.dropout(torch.softmax(scores, -1), self.dropout, self.training)
        return self.out((w @ v).transpose(1, 2).reshape(B, L, d))


class FeedForward(nn.Module):
    def __init__(self, d, ffn, dropout):
        super().__init__()
        self.up, self.down, self.drop = nn.Linear(d, ffn), nn.Linear(ffn, d), nn.Dropout(dropout)

    def forward(self, x):
        return self.down(self.drop(nn.functional.gelu(self.up(x))))


class EncoderLayer(nn.Module):
    def __init__(self, c):
        super().__init__()
        d = c["d_model"]
        self.norm1, self.norm2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.self_attn = MultiheadAttention(d, c["heads"], c["dropout"])
        self.ffn = FeedForward(d, c["ffn"], c["dropout"])
        self.drop = nn.Dropout(c["dropout"])

    def forward(self, x):
        h = self.norm1(x)
        y = x + self.drop(self.self_attn(h, h))
        return y + self.drop(self.ffn(self.norm2(y)))


class DecoderLayer(nn.Module):
    def __init__(self, c):
        super().__init__()
        d = c["d_model"]
        self.norm1, self.norm2, self.norm3 = nn.LayerNorm(d), nn.LayerNorm(d), nn.LayerNorm(d)
        self.self_attn = MultiheadAttention(d, c["heads"], c["dropout"])
        self.cross_attn = MultiheadAttention(d, c["heads"], c["dropout"])
        self.ffn = FeedForward(d, c["ffn"], c["dropout"])
        self.drop = nn.Dropout(c["dropout"])

    def forward(self, x, memory, mask):
        h = self.norm1(x)
        y = x + self.drop(self.self_attn(h, h, mask))
        y = y + self.drop(self.cross_attn(self.norm2(y), memory))
        return y + self.drop(self.ffn(self.norm3(y)))


class Stack(nn.Module):
    def __init__(self, layer, n, d):
        super().__init__()
        self.layers = nn.ModuleList([layer() for _ in range(n)])
        self.norm = nn.LayerNorm(d)


class Encoder(Stack):
    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return self.norm(x)


class Decoder(Stack):
    def forward(self, x, memory, mask):
        for layer in self.layers:
            x = layer(x, memory, mask)
        return self.norm(x)


class FrameDecoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        self.embed = nn.Linear(3 * JOINTS, c["d_model"])
        self.decoder = Decoder(lambda: DecoderLayer(c), c["decoder_layers"], c["d_model"])
        self.head = nn.Linear(c["d_model"], 2 * JOINTS)
        self.drop = nn.Dropout(c["dropout"])

    def forward(self, inputs, memory, anchor):
        H = inputs.shape[1]
        pe = time_encoding(frame_times(H, 0.0), self.c["d_model"], self.c["pe_min_period_s"], self.c["pe_max_period_s"])
        h = self.decoder(self.drop(self.embed(inputs) + pe), memory, causal_mask(H))
        return join_frame(positions(anchor).unsqueeze(1) + self.head(h), confidence(anchor).unsqueeze(1))


class FlatTransformer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        self.embed = nn.Linear(3 * JOINTS, c["d_model"])
        self.encoder = Encoder(lambda: EncoderLayer(c), c["encoder_layers"], c["d_model"])
        self.decoder = FrameDecoder(c)
        self.drop = nn.Dropout(c["dropout"])

    def encode(self, context):
        T = context.shape[1]
        pe = time_encoding(frame_times(T, -(T - 1) / FPS), self.c["d_model"], self.c["pe_min_period_s"],
                           self.c["pe_max_period_s"])
        return self.encoder(self.drop(self.embed(context) + pe))

    def teacher_forced(self, context, target):
        anchor = context[:, -1]
        inputs = torch.cat([anchor.unsqueeze(1), target[:, :-1]], 1)
        return self.decoder(inputs, self.encode(context), anchor)

    def loss(self, context, target):
        return position_mse(self.teacher_forced(context, target), target)

    def forecast(self, context, horizon):
        """Autoregressive forecast without a key/value cache: re-runs the prefix every step."""
        memory, anchor = self.encode(context), context[:, -1]
        fed = anchor.unsqueeze(1)
        for j in range(horizon):
            fed = torch.cat([fed, self.decoder(fed, memory, anchor)[:, j:j + 1]], 1)
        return fed[:, 1:]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--config", required=True)
    ap.add_argument("--inputs", required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    with open(a.config) as f:
        config = json.load(f)
    saved = torch.load(a.inputs)
    model = FlatTransformer(config)
    model.load_state_dict({k: v for k, v in saved.items() if not k.startswith("input.")}, strict=True)
    model.eval()
    context, target = saved["input.context"], saved["input.target"]
    with torch.no_grad():
        out = {"teacher_forced": model.teacher_forced(context, target),
               "loss": model.loss(context, target),
               "forecast": model.forecast(context, target.shape[1])}
    torch.save(out, a.out)


if __name__ == "__main__":
    main()
