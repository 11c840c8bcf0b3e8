"""Compiled step loops of the AL-RNN scan, for small problems on the CPU.

At a few dozen latent units and windows, a torch op costs more in dispatch
than the arithmetic it does, and the scan runs two ops a step. These loops
make the same in-place updates as their torch twins in ``_module``
(``_forward_steps``, ``_backward_steps``) without leaving compiled code:
one BLAS matmul (``np.dot``) and a short loop for the ReLU columns a step.
Optional: ``_module`` imports this module only when numba is installed
(``pip install sklearn-alrnn[fast]``), and only for problems small enough
that BLAS runs them on one thread. ``cache=True`` keeps the compiled code
on disk, so compiling happens once per machine.
"""

import numba
import numpy as np


def forward_steps(X, V, V_forced, forced, n_rectified):
    """``_module._forward_steps`` on CPU tensors."""
    forced = np.array(forced, dtype=np.bool_)
    _forward(X.numpy(), V.numpy(), V_forced.numpy(), forced, n_rectified)


def backward_steps(R, slope, Vt, Vt_forced, forced):
    """``_module._backward_steps`` on CPU tensors."""
    forced = np.array(forced, dtype=np.bool_)
    _backward(R.numpy(), slope.numpy(), Vt.numpy(), Vt_forced.numpy(), forced)


@numba.njit(cache=True)
def _forward(X, V, V_forced, forced, n_rectified):
    n_rows, width = X.shape[1], X.shape[2]
    for t in range(len(forced)):
        X[t + 1] += np.dot(X[t], V_forced if forced[t] else V)
        for b in range(n_rows):
            for j in range(width - n_rectified, width):
                if X[t + 1, b, j] < 0.0:  # NaN stays NaN, as in torch.clamp
                    X[t + 1, b, j] = 0.0


@numba.njit(cache=True)
def _backward(R, slope, Vt, Vt_forced, forced):
    n_rows, width, n_rectified = R.shape[1], R.shape[2], slope.shape[2]
    for t in range(len(forced), -1, -1):
        for b in range(n_rows):
            for i in range(n_rectified):
                R[t, b, width - n_rectified + i] *= slope[t, b, i]
        if t > 0:
            R[t - 1] += np.dot(R[t], Vt_forced if forced[t - 1] else Vt)
