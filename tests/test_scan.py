"""The scan kernel against the plain autograd loop it replaces (the oracle).

Every test runs with the torch step loops and, when numba is installed, with
the compiled ones.
"""

import pytest
import torch
from torch.autograd import gradcheck

from sklearn_alrnn import _module
from sklearn_alrnn._module import relu_floor, scan


@pytest.fixture(autouse=True, params=["torch", "compiled"])
def step_loops(request, monkeypatch):
    """Force one implementation of the step loops, whatever the problem size."""
    if request.param == "compiled" and _module._compiled_step_loops() is None:
        pytest.skip("numba is not installed")
    limit = float("inf") if request.param == "compiled" else -1
    monkeypatch.setattr(_module, "_COMPILED_MAX_WORK", limit)
    return request.param


def reference_scan(
    z0, A, W, h, n_nonlinear, n_steps, drive=None, forcing=None, forced=None, forced_params=None
):
    """The AL-RNN written as the plainest loop, differentiated by autograd step by step."""
    floor = relu_floor(A.shape[0], n_nonlinear, A)
    N = 0 if forcing is None else forcing.shape[2]
    z, states = z0, []
    for t in range(n_steps):
        is_forced = N and (forced is None or forced[t])
        A_t, W_t = forced_params if is_forced and forced_params is not None else (A, W)
        z = A_t * z + torch.maximum(z, floor) @ W_t.T + h
        if drive is not None:
            z = z + drive[:, t]
        if is_forced:
            z = torch.cat([forcing[:, t], z[:, N:]], dim=1)
        states.append(z)
    if not states:
        return z0.new_empty(z0.shape[0], 0, z0.shape[1])
    return torch.stack(states, dim=1)


def make_inputs(M, P, N, T, drive, sparse, dtype, B=3, seed=0):
    """Random ``(z0, A, W, h)`` and ``{drive, forcing}`` requiring grad, and ``forced``.

    W has a diagonal, as the effective parameters of a free run do.
    """
    gen = torch.Generator().manual_seed(seed)

    def rand(*shape, scale=1.0):
        return (scale * torch.randn(*shape, generator=gen, dtype=dtype)).requires_grad_()

    args = [rand(B, M), rand(M, scale=0.5), rand(M, M, scale=0.5 / M**0.5), rand(M)]
    data = {}
    if drive:
        data["drive"] = rand(B, T, M)
    if N:
        data["forcing"] = rand(B, T, N)
    forced = [t % 3 == 0 for t in range(T)] if sparse else None
    return args, data, forced


# (M, P, N): P = 0; 1 < P < M; P = M; no forcing; forcing that reaches ReLU units (N > M - P).
SIZES = [(5, 0, 2), (6, 3, 2), (4, 4, 2), (5, 2, 0), (5, 2, 4)]
FORCING = ["full", "sparse"]


@pytest.mark.parametrize("drive", [False, True])
@pytest.mark.parametrize("forcing", FORCING)
@pytest.mark.parametrize("M, P, N", SIZES)
def test_matches_reference_loop(M, P, N, forcing, drive):
    T = 7
    args, data, forced = make_inputs(M, P, N, T, drive, forcing == "sparse", torch.float32)
    inputs = args + list(data.values())
    got = scan(*args, P, T, forced=forced, **data)
    want = reference_scan(*args, P, T, forced=forced, **data)
    torch.testing.assert_close(got, want, rtol=0, atol=1e-5)
    weights = torch.randn(got.shape)
    got_grads = torch.autograd.grad((got * weights).sum(), inputs)
    want_grads = torch.autograd.grad((want * weights).sum(), inputs)
    for g, w in zip(got_grads, want_grads):
        torch.testing.assert_close(g, w, rtol=0, atol=1e-5)


@pytest.mark.parametrize("drive", [False, True])
@pytest.mark.parametrize("forcing", FORCING)
@pytest.mark.parametrize("M, P, N", SIZES)
def test_gradcheck(M, P, N, forcing, drive):
    T = 5
    args, data, forced = make_inputs(M, P, N, T, drive, forcing == "sparse", torch.float64, B=2)

    def f(*inputs):
        return scan(*inputs[:4], P, T, forced=forced, **dict(zip(data, inputs[4:])))

    assert gradcheck(f, (*args, *data.values()))


@pytest.mark.parametrize("forcing", FORCING)
@pytest.mark.parametrize("M, P, N", SIZES)
def test_forced_steps_with_their_own_params(M, P, N, forcing):
    """forced_params: forced steps use their own (A, W), and each pair gets its own gradient."""
    T = 7
    args, data, forced = make_inputs(M, P, N, T, True, forcing == "sparse", torch.float64, B=2)
    forced_params = make_inputs(M, P, N, T, False, False, torch.float64, seed=1)[0][1:3]
    got = scan(*args, P, T, forced=forced, forced_params=forced_params, **data)
    want = reference_scan(*args, P, T, forced=forced, forced_params=forced_params, **data)
    torch.testing.assert_close(got, want, rtol=0, atol=1e-12)
    inputs = args + list(data.values()) + forced_params
    weights = torch.randn(got.shape, dtype=got.dtype)
    got_grads = torch.autograd.grad((got * weights).sum(), inputs)
    want_grads = torch.autograd.grad((want * weights).sum(), inputs, allow_unused=True)
    for g, w in zip(got_grads, want_grads):
        torch.testing.assert_close(g, torch.zeros_like(g) if w is None else w, rtol=0, atol=1e-12)

    def f(*inputs):
        return scan(*inputs[:4], P, T, forced=forced, forced_params=inputs[-2:],
                    **dict(zip(data, inputs[4:-2])))

    assert gradcheck(f, tuple(inputs))


def test_forced_values_carry_no_gradient_of_the_update():
    """A forced unit's own update is discarded: only forcing gets its gradient."""
    args, data, _ = make_inputs(5, 2, 2, 4, True, False, torch.float32)
    z = scan(*args, 2, 4, **data)
    assert torch.equal(z[..., :2], data["forcing"])
    d_h, d_drive = torch.autograd.grad(z[..., :2].sum(), [args[3], data["drive"]])
    assert torch.count_nonzero(d_h) == 0 and torch.count_nonzero(d_drive) == 0


def test_relu_tie_takes_half_the_gradient_like_the_reference():
    """At z = 0 exactly (a zero-initialised state) both split torch.maximum's tie."""
    z0 = torch.zeros(2, 4, requires_grad=True)
    A, W, h = torch.full((4,), 0.5), torch.ones(4, 4), torch.zeros(4)
    got = torch.autograd.grad(scan(z0, A, W, h, 2, 1).sum(), z0)[0]
    want = torch.autograd.grad(reference_scan(z0, A, W, h, 2, 1).sum(), z0)[0]
    torch.testing.assert_close(got, want)


def test_zero_steps_returns_an_empty_trajectory():
    z0 = torch.randn(3, 4)
    out = scan(z0, torch.ones(4), torch.zeros(4, 4), torch.zeros(4), 2, 0)
    assert out.shape == (3, 0, 4)
