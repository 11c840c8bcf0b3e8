"""Make the figures of the README: python docs/make_figures.py (about a minute on a CPU).

It repeats the README's "Choosing P, and reading a fitted model" example and draws, for the
model it selects, the region the latent state is in along the series, next
to the nonlinearity profile that chose it.
"""

from pathlib import Path

import matplotlib.pyplot as plt

from sklearn_alrnn import ALRNNForecaster, make_windows
from sklearn_alrnn.datasets import make_switching_linear
from sklearn_alrnn.inspection import nonlinearity_profile, plot_regions

HERE = Path(__file__).parent


def main():
    series = make_switching_linear(400, random_state=0)
    X, y = make_windows(series, window=4, horizon=1)
    est = ALRNNForecaster(
        n_units=8, max_epochs=300, lr=0.1, lr_final=0.01, batch_size=512, gradient_clip=1.0,
        random_state=0,
    )
    profile = nonlinearity_profile(est, X, y, n_nonlinear=[0, 1, 2, 4], cv=3, n_jobs=-1)
    est.set_params(n_nonlinear=profile.selected_).fit(X, y)

    fig, (left, right) = plt.subplots(
        1, 2, figsize=(11, 3.2), width_ratios=(2.4, 1), layout="constrained"
    )
    plot_regions(est, series[:80], ax=left)
    left.set_title(f"Active region along the series (n_nonlinear={profile.selected_})")
    profile.plot(ax=right)
    right.set_title("Nonlinearity profile")
    fig.savefig(HERE / "regions.png", dpi=80)


if __name__ == "__main__":
    main()
