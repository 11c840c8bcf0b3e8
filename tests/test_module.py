"""The AL-RNN modules against independent re-implementations and closed forms."""

import numpy as np
import pytest
import torch
from torch.autograd import gradcheck

from sklearn_alrnn import _module
from sklearn_alrnn._module import ALRNNCell, ClassifierModule, ForecastModule


def make_module(n_channels=2, n_units=6, n_nonlinear=2, input_drive=True, seed=0):
    """A float64 ForecastModule with every parameter random (none left at zero)."""
    module = ForecastModule(
        n_channels, n_channels, horizon=3, n_units=n_units, n_nonlinear=n_nonlinear,
        input_drive=input_drive, generator=torch.Generator().manual_seed(seed),
    ).double()
    gen = torch.Generator().manual_seed(seed + 1)
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(0.4 * torch.randn(p.shape, generator=gen, dtype=p.dtype))
    return module


def numpy_trajectory(module, x, n_steps):
    """The update equations of the docstrings, written again in NumPy."""
    A = module.cell.A.detach().numpy()
    W = module.cell.W.detach().numpy() * (1 - np.eye(len(A)))
    h = module.cell.h.detach().numpy()
    L, b = (p.detach().numpy() for p in (module.init_hidden.weight, module.init_hidden.bias))
    C = None if module.C_obs is None else module.C_obs.detach().numpy()
    M, P, N = len(A), module.cell.n_nonlinear, x.shape[2]

    def phi(z):
        out = z.copy()
        out[:, M - P :] = np.maximum(out[:, M - P :], 0.0)
        return out

    def observe(u, o):
        hidden = u[:, N:] + (o @ C.T if C is not None else 0.0)
        return np.concatenate([o, hidden], axis=1)

    z = np.concatenate([x[:, 0], x[:, 0] @ L.T + b], axis=1)
    states = [z]
    for t in range(1, x.shape[1] + n_steps):
        u = A * z + phi(z) @ W.T + h
        z = observe(u, x[:, t] if t < x.shape[1] else u[:, :N])
        states.append(z)
    return np.stack(states, axis=1)


@pytest.mark.parametrize("input_drive", [False, True])
@pytest.mark.parametrize("n_nonlinear", [0, 1, 4])
def test_matches_numpy_reimplementation(n_nonlinear, input_drive):
    module = make_module(n_nonlinear=n_nonlinear, input_drive=input_drive)
    x = np.random.RandomState(1).randn(5, 7, 2)
    got = module.trajectory(torch.from_numpy(x), n_steps=4).detach().numpy()
    np.testing.assert_allclose(got, numpy_trajectory(module, x, 4), rtol=0, atol=1e-10)


def test_linear_model_is_closed_form_recursion():
    """P = 0: the free run is z_{T+k} = J^k z_T + sum_{j<k} J^j h with J = diag(A) + W."""
    module = make_module(n_nonlinear=0, input_drive=False)
    x = torch.randn(3, 5, 2, dtype=torch.float64)
    states = module.trajectory(x, n_steps=6).detach()
    A, W, h = module.autonomous_parameters()
    J = torch.diag(A) + W
    z = states[:, 4]
    for k in range(1, 7):
        powers = [torch.linalg.matrix_power(J, j) for j in range(k)]
        expected = z @ torch.linalg.matrix_power(J, k).T + sum(powers) @ h
        torch.testing.assert_close(states[:, 4 + k], expected, rtol=0, atol=1e-10)


def test_all_nonlinear_cell_is_a_plrnn():
    """P = M: every unit is ReLU, the PLRNN z_t = A z + W relu(z) + h."""
    cell = ALRNNCell(5, 5, generator=torch.Generator().manual_seed(0)).double()
    z = torch.randn(4, 5, dtype=torch.float64)
    W = cell.W.detach() * (1 - torch.eye(5, dtype=torch.float64))
    expected = cell.A.detach() * z + torch.relu(z) @ W.T + cell.h.detach()
    torch.testing.assert_close(cell(z).detach(), expected, rtol=0, atol=1e-12)


def test_relu_acts_on_last_units_only():
    cell = ALRNNCell(5, 2)
    z = -torch.ones(1, 5)
    assert cell.phi(z).tolist() == [[-1.0, -1.0, -1.0, 0.0, 0.0]]
    assert ALRNNCell(5, 0).phi(z).tolist() == z.tolist()  # P = 0 is not z[..., -0:]


@pytest.mark.parametrize("input_drive", [False, True])
def test_free_run_is_the_autonomous_alrnn(input_drive):
    """autonomous_parameters() reproduce the free run as a plain AL-RNN step."""
    module = make_module(n_nonlinear=2, input_drive=input_drive)
    states = module.trajectory(torch.randn(4, 5, 2, dtype=torch.float64), n_steps=5).detach()
    A, W, h = module.autonomous_parameters()
    phi = module.cell.phi
    for t in range(5, 9):
        z = states[:, t - 1]
        torch.testing.assert_close(states[:, t], A * z + phi(z) @ W.T + h, rtol=0, atol=1e-10)


def test_teacher_forcing_replaces_exactly_the_observed_units():
    module = make_module(n_channels=2, n_units=6)
    x = torch.randn(3, 8, 2, dtype=torch.float64)
    states = module.trajectory(x)
    assert torch.equal(states[..., :2], x)
    # The replaced entries carry no gradient: parameters that only feed the
    # pre-forcing values of the observed units get exactly zero.
    states[..., 2:].sum().backward()
    assert torch.count_nonzero(module.cell.h.grad[:2]) == 0
    assert torch.count_nonzero(module.cell.W.grad[:2]) == 0
    assert torch.count_nonzero(module.cell.h.grad[2:]) == 4


@pytest.mark.parametrize("n_nonlinear", [0, 2, 4])
def test_gradcheck(n_nonlinear):
    module = make_module(n_channels=2, n_units=6, n_nonlinear=n_nonlinear)
    names = [name for name, _ in module.named_parameters()]
    x = torch.randn(2, 4, 2, dtype=torch.float64, requires_grad=True)

    def f(x, *params):
        return torch.func.functional_call(module, dict(zip(names, params)), (x,))

    params = [p.detach().clone().requires_grad_() for p in module.parameters()]
    assert gradcheck(f, (x, *params))


def test_reference_initialisation_is_seeded_and_stable():
    a = ForecastModule(1, 1, 2, 16, 2, generator=torch.Generator().manual_seed(3))
    b = ForecastModule(1, 1, 2, 16, 2, generator=torch.Generator().manual_seed(3))
    for p, q in zip(a.parameters(), b.parameters()):
        assert torch.equal(p, q)
    A = a.cell.A.detach()
    assert (A > 0).all() and (A <= 1).all()
    assert torch.count_nonzero(torch.diagonal(a.cell.coupling())) == 0
    assert a.cell.W.detach().std() < 0.05
    assert torch.count_nonzero(a.cell.h) == 0


def test_reference_initialisation_is_the_closed_form():
    # A = diag(K) / lambda_max(K), K = R^T R / M + I, R ~ N(0, 1) drawn first from the generator.
    M = 16
    R = torch.randn(M, M, generator=torch.Generator().manual_seed(3), dtype=torch.float64)
    K = R.T @ R / M + torch.eye(M, dtype=torch.float64)
    expected = (torch.diagonal(K) / torch.linalg.eigvalsh(K)[-1]).float()
    module = ForecastModule(1, 1, 2, M, 2, generator=torch.Generator().manual_seed(3))
    torch.testing.assert_close(module.cell.A.detach(), expected, rtol=0, atol=0)


def test_a_free_run_longer_than_a_chunk_carries_its_state_on(monkeypatch):
    module = ForecastModule(2, 2, 3, 6, 2, generator=torch.Generator().manual_seed(0)).double()
    x = torch.randn(2, 5, 2, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    whole = module.rollout(x, 20).detach()
    monkeypatch.setattr(_module, "_FREE_RUN_CHUNK", 7)  # chunks of 7, 7 and 6 steps
    torch.testing.assert_close(module.rollout(x, 20).detach(), whole, rtol=0, atol=1e-12)


def test_classifier_module_is_seeded_by_its_generator_alone():
    a = ClassifierModule(2, 3, 8, 2, generator=torch.Generator().manual_seed(3))
    torch.rand(5)  # the global generator moves on; the head must not depend on it
    b = ClassifierModule(2, 3, 8, 2, generator=torch.Generator().manual_seed(3))
    for (name, p), q in zip(a.named_parameters(), b.parameters()):
        assert torch.equal(p, q), name
    assert a.head.weight.abs().max() <= 8**-0.5


def numpy_sparse_predictions(module, x, future, interval):
    """Sparse teacher forcing from the docstrings, in NumPy: predictions of x_1 .. x_{S-1}.

    o_t is the observation throughout the window and at every ``interval``-th
    step after it (in the future only its first channels are known), and the
    model's own prediction u_t[:N] elsewhere.
    """
    A = module.cell.A.detach().numpy()
    W = module.cell.W.detach().numpy() * (1 - np.eye(len(A)))
    h = module.cell.h.detach().numpy()
    L, b = (p.detach().numpy() for p in (module.init_hidden.weight, module.init_hidden.bias))
    C = np.zeros((len(A) - x.shape[2], x.shape[2]))
    if module.C_obs is not None:
        C = module.C_obs.detach().numpy()
    M, P, (T, N) = len(A), module.cell.n_nonlinear, x.shape[1:]
    observed = [x[:, t] for t in range(T)] + [future[:, t] for t in range(future.shape[1])]
    z = np.concatenate([x[:, 0], x[:, 0] @ L.T + b], axis=1)
    predictions = []
    for t in range(1, len(observed)):
        u = A * z + np.concatenate([z[:, : M - P], np.maximum(z[:, M - P :], 0)], 1) @ W.T + h
        o = u[:, :N].copy()
        predictions.append(u[:, :N].copy())
        if t < T or (t - T + 1) % interval == 0:
            o[:, : observed[t].shape[1]] = observed[t]
        z = np.concatenate([o, u[:, N:] + o @ C.T], axis=1)
    return np.stack(predictions, axis=1)


@pytest.mark.parametrize("interval", [1, 3, 20])
@pytest.mark.parametrize("input_drive", [False, True])
@pytest.mark.parametrize("n_nonlinear", [0, 2])
@pytest.mark.parametrize("n_future", [1, 2])  # with 1, the second channel is a covariate
def test_sparse_forcing_matches_numpy_reimplementation(
    interval, input_drive, n_nonlinear, n_future
):
    """The window is forced at every step, the future (its targets) every interval-th step."""
    module = make_module(n_nonlinear=n_nonlinear, input_drive=input_drive)
    rng = np.random.RandomState(2)
    x, future = rng.randn(4, 7, 2), rng.randn(4, 5, n_future)
    got = module.sparsely_forced(torch.from_numpy(x), torch.from_numpy(future), interval)
    expected = numpy_sparse_predictions(module, x, future, interval)
    assert got.shape == (4, 11, 2)
    np.testing.assert_allclose(got.detach().numpy(), expected, rtol=0, atol=1e-10)


@pytest.mark.parametrize("interval", [1, 4])
@pytest.mark.parametrize("input_drive", [False, True])
def test_sparse_forcing_reads_the_window_fully_forced(interval, input_drive):
    """In the window each prediction is the one-step forecast after a fully forced prefix,
    whatever the interval; with interval 1 so is every prediction after it, and with one
    longer than the future, the future is the free run after the window."""
    module = make_module(input_drive=input_drive)
    sequence = torch.randn(3, 9, 2, dtype=torch.float64)
    got = module.sparsely_forced(sequence[:, :6], sequence[:, 6:], interval).detach()
    for t in range(1, 9 if interval == 1 else 6):
        one_step = module.rollout(sequence[:, :t], 1)[:, 0].detach()
        torch.testing.assert_close(got[:, t - 1], one_step, rtol=0, atol=1e-10)
    if interval > 3:
        free = module.rollout(sequence[:, :6], 3).detach()
        torch.testing.assert_close(got[:, 5:], free, rtol=0, atol=1e-10)


@pytest.mark.parametrize("input_drive", [False, True])
@pytest.mark.parametrize("n_future", [1, 2])
def test_sparse_forcing_gradcheck(input_drive, n_future):
    module = make_module(n_nonlinear=2, input_drive=input_drive)
    module.forcing_interval = 3  # forward() is then the sparsely forced objective
    module.n_targets = n_future
    names = [name for name, _ in module.named_parameters()]
    x = torch.randn(2, 4, 2, dtype=torch.float64)
    future = torch.randn(2, 3, n_future, dtype=torch.float64)

    def f(*params):
        return torch.func.functional_call(module, dict(zip(names, params)), (x, future))

    params = [p.detach().clone().requires_grad_() for p in module.parameters()]
    assert gradcheck(f, params)
