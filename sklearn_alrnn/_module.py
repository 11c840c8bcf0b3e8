"""The Almost-Linear RNN as PyTorch modules.

Glossary (the paper's letters live here and in ``inspection.py`` only):

====  ==================================================================
B     batch: windows or cases processed together
T     time steps
M     latent units (``n_units``)
P     nonlinear (ReLU) units (``n_nonlinear``): the LAST P of the M units
N     observed channels, read out and teacher-forced on units ``[:N]``
K     external input channels (classification: the sequence itself)
A     diagonal self-coupling, shape (M,)
W     coupling, shape (M, M), diagonal fixed at zero (A carries it)
h     bias, shape (M,)
C     input matrix, shape (M, K)
====  ==================================================================

The update is::

    z_t = A * z_{t-1} + W phi(z_{t-1}) + h + C s_t
    phi(z) = (z_1, ..., z_{M-P}, max(0, z_{M-P+1}), ..., max(0, z_M))

``phi`` is one ``torch.maximum`` against a per-unit floor (-inf for linear
units, 0 for ReLU units), so P = 0 needs no special case. With W's diagonal
fixed at zero, each region's linear map is ``diag(A) + W D`` with ``D`` the
0/1 diagonal of active units -- the form ``inspection`` analyses.

Teacher forcing replaces ``z_t[:N]`` by the observation ``x_t``. The
replaced entries are data, so no gradient flows through them.
``ForecastModule`` can also drive the hidden units with the observation (see
its docstring): the measured cure for the one-step lag with which the ReLU
units would otherwise see each observation.

Every recurrence -- a forced window, a free run, a sequence driving the
state -- goes through one kernel, :func:`scan`: a loop over time whose
per-step cost is a fixed number of small ops, so it runs with its own
backward pass (:class:`_Scan`) rather than through autograd step by step.
"""

import functools

import torch
from torch import nn
from torch.autograd.function import once_differentiable
from torch.nn import functional as F

# Steps per scan in a long free run: bounds the latent states held at once
# (the kernel keeps about three float64 copies of them, 0.5 KB a step for M = 20).
_FREE_RUN_CHUNK = 10_000


def relu_floor(n_units: int, n_nonlinear: int, like: torch.Tensor) -> torch.Tensor:
    """Per-unit lower bound of phi: -inf for the first M - P units, 0 for the last P."""
    floor = torch.full((n_units,), -torch.inf, dtype=like.dtype, device=like.device)
    floor[n_units - n_nonlinear :] = 0.0
    return floor


# Up to this much work a step, B (M + P)^2 multiply-adds, the compiled loops
# run (if numba is installed): there they beat the torch ones, whose cost is
# a few microseconds of dispatch per op (benchmarks/README.md), and BLAS
# still runs each matmul on one thread, so it never competes with torch's.
_COMPILED_MAX_WORK = 2**16


class _Scan(torch.autograd.Function):
    """:func:`scan` as one autograd node, with a hand-written backward.

    A step is one affine map and one clamp of a row of width M + P,
    ``x_t = (z_t, relu(z_t[L:]))`` with L = M - P, which holds each ReLU unit
    twice: raw (for A z and the returned state) and rectified (for W phi)::

        x_t = max(x_{t-1} @ V + c_t, floor)    # floor: -inf, then 0 on the last P
        V = U[cols].T,   U = [W[:, :L] | 0 | W[:, L:]] + [diag(A) | 0]    (M, M + P)

    ``cols`` names the unit behind each row column (0 .. M-1, then L .. M-1)
    and c_t is ``(h + drive_t)[cols]``. A forced step uses V with the forced
    units' columns zeroed and has the observation in c_t, so forcing costs no
    op of its own. It may also take its V from other (A, W) than the free
    steps (``forced_params``), as a sparsely forced run with input drive needs:
    that costs nothing a step either, only one more matmul in the backward.

    Autograd would record a dozen nodes a step of that loop. The backward
    below walks the steps with one matmul and one mask each instead, and
    gets dA, dW and dh from all steps at once, as one (M + P, T B) @ (T B, M)
    matmul after the loop. The steps themselves run in torch ops (any device)
    or, for small CPU problems with numba installed, in a compiled loop.
    """

    @staticmethod
    def forward(ctx, z0, A, W, h, n_nonlinear, n_steps, drive, forcing, forced, A_f, W_f):
        B, M = z0.shape  # batch, latent
        T, P, L = n_steps, n_nonlinear, M - n_nonlinear
        N = 0 if forcing is None else forcing.shape[2]
        if forced is None:
            forced = [N > 0] * T
        else:  # one read of a mask that may live on the GPU, then plain bools
            forced = [N > 0 and f for f in torch.as_tensor(forced, dtype=torch.bool).tolist()]
        steps = slice(None) if all(forced) else [t for t, f in enumerate(forced) if f]

        cols = torch.arange(M + P, device=z0.device)
        cols[M:] -= P

        def rows(A, W):  # (M + P, M + P), row c: what x_{t-1} adds to column c of x_t
            U = torch.cat([W[:, :L], torch.zeros_like(W[:, L:]), W[:, L:]], dim=1)
            torch.diagonal(U).add_(A)
            return U[cols]

        Vt = rows(A, W)
        Vt_forced = Vt if A_f is None else rows(A_f, W_f)
        if N:
            Vt_forced = Vt_forced * (cols >= N)[:, None]

        X = z0.new_empty(T + 1, B, M + P)  # x_0 .. x_T, time-major: each x_t contiguous
        X[0, :, :M] = z0
        if drive is None:
            X[1:, :, :M] = h
        else:
            torch.add(drive.transpose(0, 1), h, out=X[1:, :, :M])
        if N:
            X[1:, :, :N][steps] = forcing.transpose(0, 1)[steps]
        X[..., M:] = X[..., L:M]
        X[0].clamp_(min=relu_floor(M + P, P, X))
        forward_steps, _ = _step_loops(X)
        forward_steps(X, Vt.T.contiguous(), Vt_forced.T.contiguous(), forced, P)

        ctx.save_for_backward(X, Vt, Vt_forced)
        ctx.forced, ctx.steps, ctx.sizes = forced, steps, (M, P, N)
        ctx.own_forced_params = A_f is not None
        return X[1:, :, :M].transpose(0, 1)  # a view, as nn.RNN(batch_first=True) returns

    @staticmethod
    @once_differentiable
    def backward(ctx, grad):
        X, Vt, Vt_forced = ctx.saved_tensors
        forced, steps, (M, P, N) = ctx.forced, ctx.steps, ctx.sizes
        T, L = X.shape[0] - 1, M - P
        # R[t] is dL/dx_t, turned in place into dL/d(x_t before the clamp).
        R = torch.empty_like(X)
        R[0] = 0.0
        R[1:, :, :M] = grad.transpose(0, 1)
        R[1:, :, M:] = 0.0
        # The clamp's slope on the rectified columns is torch.maximum's: 1 above
        # 0, 0 below, 1/2 at a tie (as the plain loop, and z0 = 0 is common).
        slope = 0.5 + 0.5 * torch.sign(X[..., L:M])
        _, backward_steps = _step_loops(X)
        backward_steps(R, slope, Vt, Vt_forced, forced)
        R[..., L:M] += R[..., M:]  # both copies of a ReLU unit are the same z
        G = R[1:, :, :M]  # dL/d(A z + W phi(z) + h + drive), (T, B, M)

        needs = ctx.needs_input_grad
        d_forcing = None
        if N:
            if needs[7]:
                d_forcing = torch.zeros_like(G[..., :N])
                d_forcing[steps] = G[steps, :, :N]
                d_forcing = d_forcing.transpose(0, 1)
            G[steps, :, :N] = 0.0  # a forced unit's own update is discarded

        def d_params(X, G):  # (dA, dW) of the steps x_t -> x_{t+1} with these rows
            d_Ut = X.reshape(-1, M + P).T @ G.reshape(-1, M)  # (M + P, M)
            return torch.diagonal(d_Ut), torch.cat([d_Ut[:L], d_Ut[M:]]).T

        d_A = d_W = d_h = d_A_f = d_W_f = None
        if ctx.own_forced_params:  # each step's gradient goes to the (A, W) it used
            free = torch.tensor(forced, device=G.device).logical_not()
            d_A, d_W = d_params(X[:T][free], G[free])
            d_A_f, d_W_f = d_params(X[:T][steps], G[steps])  # zeros if nothing is forced
        elif any(needs[1:4]):
            d_A, d_W = d_params(X[:T], G)
        if any(needs[1:4]):
            d_h = G.sum((0, 1))
        d_z0 = R[0, :, :M] if needs[0] else None
        d_drive = G.transpose(0, 1) if needs[6] else None
        return d_z0, d_A, d_W, d_h, None, None, d_drive, d_forcing, None, d_A_f, d_W_f


def _step_loops(X: torch.Tensor):
    """The (forward, backward) step loops for the rows X: compiled when that pays."""
    B, width = X.shape[1], X.shape[2]
    small = 0 < B * width**2 <= _COMPILED_MAX_WORK
    if small and X.device.type == "cpu" and X.dtype in (torch.float32, torch.float64):
        compiled = _compiled_step_loops()
        if compiled is not None:
            return compiled
    return _forward_steps, _backward_steps


@functools.cache
def _compiled_step_loops():
    """numba's (forward, backward) step loops, or None without numba."""
    try:
        from . import _scan_numba
    except ImportError:
        return None
    return _scan_numba.forward_steps, _scan_numba.backward_steps


def _forward_steps(X, V, V_forced, forced, n_rectified):
    """In place, for each step t: x_{t+1} = max(x_t @ V + x_{t+1}, floor).

    X holds c_{t+1} in x_{t+1} on entry; V_forced replaces V at forced steps,
    and ``floor`` is 0 on the last ``n_rectified`` columns, -inf elsewhere.
    """
    floor = relu_floor(X.shape[2], n_rectified, X)
    rows = X.unbind(0)
    for t, is_forced in enumerate(forced):
        rows[t + 1].addmm_(rows[t], V_forced if is_forced else V)
        if n_rectified:
            rows[t + 1].clamp_(min=floor)


def _backward_steps(R, slope, Vt, Vt_forced, forced):
    """In place, for t = T .. 1: R[t] *= slope, then R[t-1] += R[t] @ Vt.

    The slope multiplies the last ``slope.shape[2]`` (rectified) columns;
    Vt_forced replaces Vt after a forced step; last, R[0] *= slope too.
    """
    n_rectified = slope.shape[2]
    rows, slopes = R.unbind(0), slope.unbind(0)
    rectified = R[..., R.shape[2] - n_rectified :].unbind(0)
    for t in range(len(forced), 0, -1):
        if n_rectified:
            rectified[t].mul_(slopes[t])
        rows[t - 1].addmm_(rows[t], Vt_forced if forced[t - 1] else Vt)
    if n_rectified:
        rectified[0].mul_(slopes[0])


def scan(
    z0, A, W, h, n_nonlinear, n_steps, drive=None, forcing=None, forced=None, forced_params=None
):
    """Run the AL-RNN ``n_steps`` from ``z0``.

    Each step is ``z = A * z + W phi(z) + h (+ drive_t)``, then, at forced
    steps, ``z[:, :N] = forcing_t``. Gradients reach ``z0``, ``A``, ``W``,
    ``h``, ``drive``, ``forcing`` and ``forced_params`` (the forced values are
    data: no gradient flows through the update they replace). Works on any
    device; see :class:`_Scan` for how a step is kept to two ops.

    Parameters
    ----------
    z0 : Tensor of shape (B, M)
    A : Tensor of shape (M,)
    W : Tensor of shape (M, M)
        Used as given (zero its diagonal beforehand if wanted).
    h : Tensor of shape (M,)
    n_nonlinear : int
        P: phi is ReLU on the last P units, identity on the others.
    n_steps : int
    drive : Tensor of shape (B, n_steps, M), optional
        Added after each step, e.g. C s_t.
    forcing : Tensor of shape (B, n_steps, N), optional
        Observations replacing the first N units after each forced step.
    forced : sequence of bool of length n_steps, optional
        Which steps are forced (sparse teacher forcing); all when omitted.
    forced_params : (Tensor of shape (M,), Tensor of shape (M, M)), optional
        The (A, W) of the forced steps, when they differ from the free
        steps' (:meth:`ForecastModule.sparsely_forced` with input drive).

    Returns
    -------
    Tensor of shape (B, n_steps, M)
        z_1 .. z_{n_steps}.
    """
    if n_steps == 0:
        return z0.new_empty(z0.shape[0], 0, z0.shape[1])
    A_f, W_f = (None, None) if forced_params is None else forced_params
    return _Scan.apply(z0, A, W, h, n_nonlinear, n_steps, drive, forcing, forced, A_f, W_f)


def reference_init(n_units: int, generator: torch.Generator) -> torch.Tensor:
    """Diagonal of the reference initialisation A = diag(K) / lambda_max(K).

    K = R^T R / M + I with R ~ N(0, 1)^{M x M}, which puts A_ii around 0.3-0.7:
    stable, slowly decaying linear memory.
    """
    R = torch.randn(n_units, n_units, generator=generator, dtype=torch.float64)
    K = R.T @ R / n_units + torch.eye(n_units, dtype=torch.float64)
    return (torch.diagonal(K) / torch.linalg.eigvalsh(K)[-1]).float()


class ALRNNCell(nn.Module):
    """One step of the AL-RNN latent dynamics.

    Parameters
    ----------
    n_units : int
        M, the number of latent units.
    n_nonlinear : int
        P, the number of ReLU units (the last P of the M units).
    n_inputs : int, default=0
        K, the number of external input channels driving the state via C.
    init_self_coupling : float, optional
        Draw each A_ii uniformly from [init_self_coupling, 1) instead of the
        reference initialisation: slower-decaying memory for long sequences.
    generator : torch.Generator, optional
        Seeds the reference initialisation.
    """

    def __init__(self, n_units, n_nonlinear, n_inputs=0, init_self_coupling=None,
                 generator=None):
        super().__init__()
        M, P, K = n_units, n_nonlinear, n_inputs
        self.n_units, self.n_nonlinear, self.n_inputs = M, P, K
        self.A = nn.Parameter(torch.empty(M))
        self.W = nn.Parameter(torch.empty(M, M))
        self.h = nn.Parameter(torch.empty(M))
        self.C = nn.Parameter(torch.empty(M, K)) if K else None
        self.register_buffer("floor", relu_floor(M, P, torch.empty(0)), persistent=False)
        self.register_buffer("offdiag", 1.0 - torch.eye(M), persistent=False)
        self._init_weights(generator, init_self_coupling)

    @torch.no_grad()
    def _init_weights(self, generator, init_self_coupling):
        self.A.copy_(reference_init(self.n_units, generator))
        self.W.normal_(0.0, 0.01, generator=generator).mul_(self.offdiag)
        self.h.zero_()
        if self.C is not None:
            bound = self.n_inputs**-0.5
            self.C.uniform_(-bound, bound, generator=generator)
        if init_self_coupling is not None:
            # Drawn last, so that W and C are those of the reference initialisation.
            self.A.uniform_(init_self_coupling, 1.0, generator=generator)

    def phi(self, z):
        """Identity on the first M - P units, ReLU on the last P. Any shape (..., M)."""
        return torch.maximum(z, self.floor)

    def coupling(self):
        """W with its diagonal held at zero, shape (M, M)."""
        return self.W * self.offdiag

    def forward(self, z):
        """One autonomous step: (B, M) z_{t-1} -> (B, M) z_t."""
        return self.A * z + self.phi(z) @ self.coupling().T + self.h

    def scan(self, z0, n_steps, drive=None, forcing=None, forced=None):
        """:func:`scan` with this cell's parameters: (B, M) -> (B, n_steps, M)."""
        A, W, h, P = self.A, self.coupling(), self.h, self.n_nonlinear
        return scan(z0, A, W, h, P, n_steps, drive, forcing, forced)


class ForecastModule(nn.Module):
    """AL-RNN with the identity readout: units ``[:N]`` are the observed channels.

    A window is read with every step forced, then the model runs free. With
    ``input_drive``, each step's observation (or, running free, its forecast)
    also reaches the hidden units through a learned (M - N, N) matrix, so the
    nonlinear units react to x_t in the step it arrives rather than one later::

        u_t = A * z_{t-1} + W phi(z_{t-1}) + h
        o_t = x_t if forced else u_t[:N]
        z_t = (o_t, u_t[N:] + C_obs o_t)

    Running free this is again an AL-RNN in z, with the parameters of
    :meth:`autonomous_parameters`; the free run is scanned with those.

    Parameters
    ----------
    n_channels : int
        N, observed channels (targets first, then covariates).
    n_targets : int
        Channels returned by :meth:`forward` (the first ``n_targets``).
    horizon : int
        Free-running steps returned by :meth:`forward`.
    n_units, n_nonlinear : int
        M and P; requires M - P >= N so the observed units are linear.
    input_drive : bool, default=True
        Drive the hidden units with the observation through ``C_obs``.
    noise : float, default=0.0
        Std of Gaussian noise added to the observations the model reads
        while training (never to the targets).
    forcing_interval : int, optional
        tau of sparse teacher forcing: what :meth:`forward` trains (see
        there). None trains the forecast after a fully forced window.
    autoregression : array of shape (L * N + 1, N), optional
        Start the linear units as this vector autoregression instead of the
        reference initialisation (see :meth:`start_as_autoregression`).
    generator : torch.Generator, optional
        Seeds the initialisation.
    """

    def __init__(
        self,
        n_channels,
        n_targets,
        horizon,
        n_units,
        n_nonlinear,
        input_drive=True,
        noise=0.0,
        forcing_interval=None,
        autoregression=None,
        generator=None,
    ):
        super().__init__()
        N, M = n_channels, n_units
        self.n_targets, self.horizon, self.noise = n_targets, horizon, noise
        self.forcing_interval = forcing_interval
        self.cell = ALRNNCell(M, n_nonlinear, generator=generator)
        # The hidden units of the initial state are a trainable linear map of x_0.
        self.init_hidden = nn.Linear(N, M - N)
        nn.init.zeros_(self.init_hidden.weight)
        nn.init.zeros_(self.init_hidden.bias)
        self.C_obs = None
        if input_drive:
            bound = N**-0.5
            C_obs = torch.empty(M - N, N).uniform_(-bound, bound, generator=generator)
            self.C_obs = nn.Parameter(C_obs)
        if autoregression is not None:
            self.start_as_autoregression(autoregression)

    @torch.no_grad()
    def start_as_autoregression(self, coef):
        """Make the linear units the VAR(L) x_t = B_1 x_{t-1} + ... + B_L x_{t-L} + c.

        ``coef`` stacks B_1^T .. B_L^T and c^T, shape (L * N + 1, N), as a
        least-squares fit returns them. Units [:N] are x; unit block k of N
        (k = 1 .. L-1) becomes a delay line holding x_{t-k}; units [:N] read
        the lags from it. Everything else -- the units after the delay line,
        the ReLU units among them, the initial-state map -- keeps its
        initialisation, except that nothing else feeds units [:N] and the
        input drive starts at zero, so the model's first forecasts are the
        VAR's once a window of at least L steps has been read. Needs
        L * N <= M - P: the delay line must be linear.
        """
        coef = torch.as_tensor(coef, dtype=self.cell.A.dtype)
        N = coef.shape[1]
        n_lags = (coef.shape[0] - 1) // N
        A, W, h = self.cell.A, self.cell.W, self.cell.h
        lags = coef[:-1].T  # (N, L * N): columns (k-1)N .. kN are B_k
        W[:N] = 0.0
        W[:N, : n_lags * N] = lags
        A[:N] = torch.diagonal(lags[:, :N])  # W's diagonal is held at zero
        h[:N] = coef[-1]
        for k in range(1, n_lags):
            block = slice(k * N, (k + 1) * N)
            A[block], W[block], h[block] = 0.0, 0.0, 0.0
            W[block, (k - 1) * N : k * N] = torch.eye(N)
        if self.C_obs is not None:
            self.C_obs.zero_()

    def _drive_matrix(self):
        """C_obs as an (M, N) matrix, zero on the observed rows: what x_t adds to z_t."""
        N = self.C_obs.shape[1]
        return F.pad(self.C_obs, (0, 0, N, 0))

    def _autonomous(self):
        """(A, W, h) of the free run, differentiable (see autonomous_parameters)."""
        cell = self.cell
        A, W, h = cell.A, cell.coupling(), cell.h
        if self.C_obs is None:
            return A, W, h
        N = self.C_obs.shape[1]
        C = self._drive_matrix()
        first = W[:N] + F.pad(torch.diag(A[:N]), (0, W.shape[1] - N))
        return A, W + C @ first, h + C @ h[:N]

    @torch.no_grad()
    def autonomous_parameters(self):
        """(A, W, h) of the AL-RNN that the free run is, as float64 tensors.

        Without input drive these are the cell's own (W with zero diagonal).
        With it, z_t = G(u_t) with G linear, and G(A z + W phi(z) + h) is again
        of the AL-RNN form because the observed units are linear:
        W' = W + C ([diag(A_:N) 0] + W[:N]), h' = h + C h[:N], C = (0; C_obs).
        W' may have a diagonal, so a unit's self-coupling is A + diag(W') phi'.
        """
        return tuple(t.detach().double() for t in self._autonomous())

    def trajectory(self, x, n_steps=0):
        """Latent states while reading the window ``x`` forced, then ``n_steps`` free.

        Parameters
        ----------
        x : Tensor of shape (B, T, N)
            The context window, time along axis 1.
        n_steps : int, default=0
            Free-running steps after the window.

        Returns
        -------
        Tensor of shape (B, T + n_steps, M)
            z_0 .. z_{T-1+n_steps} (z_t holds x_t while the window is read, as
            in :meth:`_read`); the last ``n_steps`` are the free run.
        """
        states = self._read(self._noisy(x))
        if n_steps == 0:
            return states
        A, W, h = self._autonomous()
        free = scan(states[:, -1], A, W, h, self.cell.n_nonlinear, n_steps)
        return torch.cat([states, free], dim=1)

    def rollout(self, x, n_steps):
        """(B, T, N) window -> (B, n_steps, N): the observed units running free after it.

        Long runs are scanned in chunks and only their observed units kept, so
        memory beyond the (B, n_steps, N) result stays that of one chunk.
        """
        B, T, N = x.shape  # batch, time, observed channels
        z = self._read(self._noisy(x))[:, -1]
        A, W, h = self._autonomous()
        chunks = [x.new_empty(B, 0, N)]
        for start in range(0, n_steps, _FREE_RUN_CHUNK):
            free = scan(z, A, W, h, self.cell.n_nonlinear, min(_FREE_RUN_CHUNK, n_steps - start))
            chunks.append(free[..., :N].clone())  # a view would keep the whole chunk alive
            z = free[:, -1]
        return torch.cat(chunks, dim=1)

    def _noisy(self, x):
        """``x`` plus the training noise while training, else ``x`` itself."""
        return x + self.noise * torch.randn_like(x) if self.training and self.noise else x

    def _start(self, x):
        """z_0 of the (B, T, N) window ``x``: its first value, and hidden units mapped from it."""
        return torch.cat([x[:, 0], self.init_hidden(x[:, 0])], dim=1)

    def _read(self, x):
        """z_0 .. z_{T-1}, shape (B, T, M): the window ``x`` read with every step forced."""
        z0 = self._start(x)
        drive = None
        if self.C_obs is not None:
            drive = x[:, 1:] @ self._drive_matrix().T  # (B, T-1, M): one pass, no big pad
        read = self.cell.scan(z0, x.shape[1] - 1, drive=drive, forcing=x[:, 1:])
        return torch.cat([z0[:, None], read], dim=1)

    def sparsely_forced(self, x, future, interval):
        """Predictions along window + future: the window forced, the future every ``interval``.

        The window and its future are one sequence x_0 .. x_{S-1}. The window
        is read as :meth:`trajectory` reads it, every step forced, so the
        hidden units are in step with the data when the future begins; from
        there the model runs free, and every ``interval``-th step of the
        future its observed units are reset to the data. The prediction of
        step t is z_t[:N] before any reset: one step ahead in the window, up
        to ``interval`` steps ahead in the future. In the future only the
        target channels are known, so only they are reset; covariate units
        keep the model's own values.

        Running free between resets uses :meth:`autonomous_parameters`, so
        with input drive the hidden units see the model's own prediction at
        unforced steps. A reset then corrects both: with d = x_t - z_t[:N],
        the state becomes z_t + (d, C_obs d), which is the forced update of
        the class docstring. With every channel known in the future, the
        whole sequence is one scan rather than one per forcing interval: a
        forced step, in the window or at a reset, is the cell's own update
        (A, W) driven by C_obs x_t, with units [:N] overwritten, and
        :func:`scan` takes those as the forced steps' parameters and drive.

        Parameters
        ----------
        x : Tensor of shape (B, T, N)
            The window.
        future : Tensor of shape (B, H, n_forced)
            The values after the window of its first ``n_forced`` channels.
        interval : int
            tau: steps from one reset to the next; 1 forces every step.

        Returns
        -------
        Tensor of shape (B, T + H - 1, N)
            Predictions of x_1 .. x_{S-1}.
        """
        B, T, N = x.shape  # batch, window, observed channels
        H = future.shape[1]
        x, future = self._noisy(x), self._noisy(future)
        A, W, h = self._autonomous()
        P = self.cell.n_nonlinear

        def one_step(states):  # each state's prediction of the next observation
            return A[:N] * states[..., :N] + self.cell.phi(states) @ W[:N].T + h[:N]

        if future.shape[2] == N:
            # Reading the window is forcing every step: one scan with a mask does it all.
            t = torch.arange(1, T + H, device=x.device)
            forced = (t < T) | ((t - T + 1) % interval == 0)
            z0 = self._start(x)
            observed = torch.cat([x[:, 1:], future], dim=1)
            drive = forced_params = None
            if self.C_obs is not None:
                # The free steps' h is h + C h[:N] (see _autonomous); a forced step's is h + C x_t.
                drive = ((observed - h[:N]) @ self._drive_matrix().T) * forced[:, None]
                forced_params = (self.cell.A, self.cell.coupling())
            states = scan(z0, A, W, h, P, T + H - 1, drive=drive, forcing=observed,
                          forced=forced, forced_params=forced_params)
            # The scan returns states after each reset; a prediction is one step
            # from the state before it, reset or not.
            return one_step(torch.cat([z0[:, None], states[:, :-1]], dim=1))  # z_0 .. z_{S-2}
        read = self._read(x)
        predictions = [one_step(read[:, :-1])]
        z = read[:, -1]
        for start in range(0, H, interval):
            free = scan(z, A, W, h, P, min(interval, H - start))
            predictions.append(free[..., :N])
            z, t = free[:, -1], start + free.shape[1]
            if t == H:
                break
            observed = future[:, t - 1]
            # The replaced units are data: no gradient through the values they replace.
            delta = F.pad(observed - z[:, : observed.shape[1]], (0, N - observed.shape[1]))
            if self.C_obs is not None:
                delta = torch.cat([delta, delta @ self.C_obs.T], dim=1)
            z = z + F.pad(delta, (0, z.shape[1] - delta.shape[1]))
        return torch.cat(predictions, dim=1)

    def forward(self, x, future=None):
        """What training fits, restricted to the ``n_targets`` target channels.

        Without a forcing interval: the (B, horizon, n_targets) forecast after
        the fully forced (B, T, N) window ``x``. With one: the
        (B, T + H - 1, n_targets) predictions of :meth:`sparsely_forced` along
        the window and its (B, H, n_targets) ``future``.
        """
        if self.forcing_interval is None:
            return self.rollout(x, self.horizon)[..., : self.n_targets]
        return self.sparsely_forced(x, future, self.forcing_interval)[..., : self.n_targets]


class ClassifierModule(nn.Module):
    """AL-RNN driven by the sequence through C, with a linear readout to class logits.

    Parameters
    ----------
    n_channels : int
        K, channels of the input sequences.
    n_classes : int
        Number of logits.
    n_units, n_nonlinear : int
        M and P.
    readout : {"last", "mean", "max"}, default="last"
        Read the state at each sequence's last step, its average over time, or
        its maximum over time (per unit).
    noise : float, default=0.0
        Std of Gaussian noise added to the inputs while training.
    init_self_coupling : float, optional
        See :class:`ALRNNCell`.
    generator : torch.Generator, optional
        Seeds the initialisation, the head's too (drawn as nn.Linear draws
        it); None uses torch's global generator.
    """

    def __init__(
        self, n_channels, n_classes, n_units, n_nonlinear, readout="last", noise=0.0,
        init_self_coupling=None, generator=None,
    ):
        super().__init__()
        self.readout, self.noise = readout, noise
        self.cell = ALRNNCell(n_units, n_nonlinear, n_inputs=n_channels,
                              init_self_coupling=init_self_coupling, generator=generator)
        self.head = nn.Linear(n_units, n_classes)
        if generator is not None:  # nn.Linear's own draw, U(-1/sqrt(M), 1/sqrt(M))
            bound = n_units**-0.5
            with torch.no_grad():
                for p in self.head.parameters():
                    p.uniform_(-bound, bound, generator=generator)

    def trajectory(self, x):
        """(B, T, K) inputs -> (B, T, M) states z_1 .. z_T, starting from z_0 = 0."""
        B, T, K = x.shape  # batch, time, input channels
        z0 = x.new_zeros(B, self.cell.n_units)
        return self.cell.scan(z0, T, drive=x @ self.cell.C.T)

    def forward(self, x, lengths):
        """Class logits (B, n_classes) of sequences x (B, T, K) of given lengths (B,).

        Steps at and after ``lengths`` are padding: they never reach the readout.
        """
        if self.training and self.noise:
            x = x + self.noise * torch.randn_like(x)
        states = self.trajectory(x)
        if self.readout == "last":
            features = states[torch.arange(len(x), device=x.device), lengths - 1]
            return self.head(features)
        valid = torch.arange(x.shape[1], device=x.device) < lengths[:, None]
        if self.readout == "mean":
            features = (states * valid[..., None]).sum(1) / lengths[:, None]
        else:  # "max": padding must never win the max, whatever its sign
            features = states.masked_fill(~valid[..., None], -torch.inf).amax(1)
        return self.head(features)
