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

The time loop is written plainly, one step per iteration.
"""

import torch
from torch import nn


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
    generator : torch.Generator, optional
        Seeds the reference initialisation.
    """

    def __init__(self, n_units, n_nonlinear, n_inputs=0, generator=None):
        super().__init__()
        M, P, K = n_units, n_nonlinear, n_inputs
        self.n_units, self.n_nonlinear, self.n_inputs = M, P, K
        self.A = nn.Parameter(torch.empty(M))
        self.W = nn.Parameter(torch.empty(M, M))
        self.h = nn.Parameter(torch.empty(M))
        self.C = nn.Parameter(torch.empty(M, K)) if K else None
        floor = torch.full((M,), -torch.inf)
        floor[M - P :] = 0.0
        self.register_buffer("floor", floor, persistent=False)
        self.register_buffer("offdiag", 1.0 - torch.eye(M), persistent=False)
        self._init_weights(generator)

    @torch.no_grad()
    def _init_weights(self, generator):
        self.A.copy_(reference_init(self.n_units, generator))
        self.W.normal_(0.0, 0.01, generator=generator).mul_(self.offdiag)
        self.h.zero_()
        if self.C is not None:
            bound = self.n_inputs**-0.5
            self.C.uniform_(-bound, bound, generator=generator)

    def phi(self, z):
        """Identity on the first M - P units, ReLU on the last P. Any shape (..., M)."""
        return torch.maximum(z, self.floor)

    def coupling(self):
        """W with its diagonal held at zero, shape (M, M)."""
        return self.W * self.offdiag

    def forward(self, z, drive=None):
        """Advance the state one step.

        Parameters
        ----------
        z : Tensor of shape (B, M)
            z_{t-1}.
        drive : Tensor of shape (B, M), optional
            C s_t, precomputed for all steps at once by :meth:`input_drive`.

        Returns
        -------
        Tensor of shape (B, M)
            z_t.
        """
        z_next = self.A * z + self.phi(z) @ self.coupling().T + self.h
        return z_next if drive is None else z_next + drive

    def input_drive(self, s):
        """C s_t for every step: (B, T, K) -> (B, T, M)."""
        return s @ self.C.T


class ForecastModule(nn.Module):
    """AL-RNN with the identity readout: units ``[:N]`` are the observed channels.

    A window is read with every step forced, then the model runs free. With
    ``input_drive``, each step's observation (or, running free, its forecast)
    also reaches the hidden units through a learned (M - N, N) matrix, so the
    nonlinear units react to x_t in the step it arrives rather than one later::

        u_t = A * z_{t-1} + W phi(z_{t-1}) + h
        o_t = x_t if forced else u_t[:N]
        z_t = (o_t, u_t[N:] + C_obs o_t)

    Running free this is again an AL-RNN in z, with the parameters returned
    by :meth:`autonomous_parameters`.

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
        Std of Gaussian noise added to the context window while training.
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
        generator=None,
    ):
        super().__init__()
        N, M = n_channels, n_units
        self.n_targets, self.horizon, self.noise = n_targets, horizon, noise
        self.cell = ALRNNCell(M, n_nonlinear, generator=generator)
        # The hidden units of the initial state are a trainable linear map of x_0.
        self.init_hidden = nn.Linear(N, M - N)
        nn.init.zeros_(self.init_hidden.weight)
        nn.init.zeros_(self.init_hidden.bias)
        self.C_obs = None
        if input_drive:
            bound = N**-0.5
            self.C_obs = nn.Parameter(torch.empty(M - N, N).uniform_(-bound, bound, generator=generator))

    def _observe(self, u, o):
        """z_t from the free update u (B, M) and the observation o (B, N)."""
        hidden = u[:, o.shape[1] :]
        if self.C_obs is not None:
            hidden = hidden + o @ self.C_obs.T
        return torch.cat([o, hidden], dim=1)

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
            z_1 .. z_{T + n_steps}; the last ``n_steps`` are the free run.
        """
        B, T, N = x.shape  # batch, time, observed channels
        if self.training and self.noise:
            x = x + self.noise * torch.randn_like(x)
        z = torch.cat([x[:, 0], self.init_hidden(x[:, 0])], dim=1)
        states = [z]
        for t in range(1, T):
            z = self._observe(self.cell(z), x[:, t])
            states.append(z)
        for _ in range(n_steps):
            u = self.cell(z)
            z = self._observe(u, u[:, :N])
            states.append(z)
        return torch.stack(states, dim=1)

    def rollout(self, x, n_steps):
        """(B, T, N) window -> (B, n_steps, N): the observed units running free after it."""
        return self.trajectory(x, n_steps)[:, x.shape[1] :, : x.shape[2]]

    def forward(self, x):
        """(B, T, N) window -> (B, horizon, n_targets) forecast."""
        return self.rollout(x, self.horizon)[..., : self.n_targets]

    @torch.no_grad()
    def autonomous_parameters(self):
        """(A, W, h) of the AL-RNN that the free run is, as float64 tensors.

        Without input drive these are the cell's own (W with zero diagonal).
        With it, z_t = G(u_t) with G linear, and G(A z + W phi(z) + h) is again
        of the AL-RNN form because the observed units are linear:
        W' = W + C ([diag(A_:N) 0] + W[:N]), h' = h + C h[:N], C = (0; C_obs).
        W' may have a diagonal, so a unit's self-coupling is A + diag(W') phi'.
        """
        cell = self.cell
        A, W, h = (t.detach().double() for t in (cell.A, cell.coupling(), cell.h))
        if self.C_obs is None:
            return A, W, h
        M, N = W.shape[0], self.C_obs.shape[1]
        C = torch.zeros(M, N, dtype=torch.float64, device=W.device)
        C[N:] = self.C_obs.detach().double()
        first = W[:N].clone()
        first[:, :N] += torch.diag(A[:N])
        return A, W + C @ first, h + C @ h[:N]
