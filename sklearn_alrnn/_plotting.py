"""Matplotlib drawings for ``sklearn_alrnn.inspection`` (the optional ``plot`` extra).

Functions here take plain arrays and tables, never a model, so that what
is computed stays in ``inspection``/``_profile`` and only drawing lives
here. matplotlib is imported on first use: the package works without it.
"""

import numpy as np


def _pyplot():
    """matplotlib.pyplot, or an ImportError that says how to get it."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as error:
        raise ImportError(
            "Plotting needs matplotlib, an optional dependency of sklearn-alrnn. "
            "Install it with: pip install sklearn-alrnn[plot]"
        ) from error
    return plt


def _axes(ax):
    """``ax``, or the axes of a new figure whose layout leaves room for outside legends."""
    return _pyplot().subplots(layout="constrained")[1] if ax is None else ax


# Channels are told apart by line style (black, then grey past four): colour
# belongs to the regions behind them.
_LINE_STYLES = ("-", "--", ":", "-.")


def draw_regions(values, codes, labels, time_index=None, names=None, ylabel="value", ax=None):
    """Lines of ``values`` (n_channels, T) over bands coloured by ``codes`` (T,).

    ``labels`` maps each region code present to its legend text; code -1
    (padding) is left blank. ``time_index`` (T labels, such as a pandas time
    index) names the ticks of the x axis, which counts steps. ``names`` (one
    per channel; None: "channel 0", "channel 1", ...) label the lines in the
    legend when there are several channels.
    """
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch

    ax = _axes(ax)
    steps = np.arange(values.shape[1])
    names = [f"channel {k}" for k in range(len(values))] if names is None else names
    lines = [
        ax.plot(steps, line, color=("black", "0.5")[k // len(_LINE_STYLES) % 2], linewidth=1,
                linestyle=_LINE_STYLES[k % len(_LINE_STYLES)], label=str(name))[0]
        for k, (line, name) in enumerate(zip(values, names))
    ]
    regions = list(labels)
    # tab10/tab20 keep neighbouring region colours distinct; past 20 they repeat.
    palette = _pyplot().get_cmap("tab10" if len(regions) <= 10 else "tab20")
    colors = [palette(i % palette.N) for i in range(len(regions))]
    index = np.full(len(codes), np.nan)
    for i, region in enumerate(regions):
        index[codes == region] = i
    bottom, top = ax.get_ylim()
    if regions:
        ax.imshow(
            index[None],
            aspect="auto",
            cmap=ListedColormap(colors),
            vmin=-0.5,
            vmax=len(regions) - 0.5,
            extent=(-0.5, len(codes) - 0.5, bottom, top),
            alpha=0.35,
            interpolation="nearest",
            zorder=0,
        )
    ax.set_ylim(bottom, top)
    ax.set_xlim(-0.5, len(codes) - 0.5)
    ax.set_xlabel("time step")
    if time_index is not None:
        from matplotlib.ticker import FuncFormatter, MaxNLocator

        # Dates as coarse as they allow: 1949, 1949-02, 1949-02-03, 1949-02-03 10:00.
        if not hasattr(time_index, "normalize"):  # not dates: the labels as they are
            ticks = [str(v) for v in time_index]
        elif (time_index.normalize() != time_index).any():
            ticks = time_index.strftime("%Y-%m-%d %H:%M")
        elif (time_index.day != 1).any():
            ticks = time_index.strftime("%Y-%m-%d")
        elif (time_index.month != 1).any():
            ticks = time_index.strftime("%Y-%m")
        else:
            ticks = time_index.strftime("%Y")
        ax.xaxis.set_major_locator(MaxNLocator(6, integer=True))
        ax.xaxis.set_major_formatter(
            FuncFormatter(lambda x, _: ticks[int(x)] if 0 <= x < len(ticks) else "")
        )
        ax.set_xlabel(time_index.name or "time")
    ax.set_ylabel(ylabel)
    handles = [
        Patch(color=color, alpha=0.35, label=f"region {region} ({labels[region]})")
        for region, color in zip(regions, colors)
    ]
    # Outside the axes: inside, a legend would hide the bands it explains. One
    # legend, as constrained layout leaves room for an axes' last legend only.
    several = len(lines) > 1
    ax.legend(
        handles=(lines if several else []) + handles, loc="upper left", bbox_to_anchor=(1.0, 1.0),
        fontsize="small", title=None if several else "active region", frameon=False,
    )
    return ax


def draw_forecast(x_history, history, x_future, forecast, truth, names, ax=None):
    """History (T, k) and truth (S, k) solid, forecast (S, k) dashed, one colour a channel
    (one channel: the data in black, the forecast in orange)."""
    ax = _axes(ax)
    # Truth and forecast start from the last value seen, so no line has a gap.
    if hasattr(x_future, "append"):  # a pandas index
        x_joined = x_history[-1:].append(x_future)
    else:
        x_joined = np.concatenate([x_history[-1:], x_future])
    one = history.shape[1] == 1
    for j in range(history.shape[1]):
        name = "series" if names[j] is None else str(names[j])
        data_color, forecast_color = ("0.15", "C1") if one else (f"C{j}", f"C{j}")
        last = history[-1:, j]
        ax.plot(x_history, history[:, j], color=data_color, linewidth=1, label=name)
        if truth is not None:  # the same line continued: no legend entry of its own
            ax.plot(x_joined, np.concatenate([last, truth[:, j]]), color=data_color, linewidth=1)
        ax.plot(x_joined, np.concatenate([last, forecast[:, j]]), color=forecast_color,
                linewidth=1.8, linestyle="--", label=f"{name}, forecast")
    ax.axvline(x_future[0], color="grey", linestyle=":", linewidth=1)
    ax.set_xlabel("time")
    ax.set_ylabel("value")
    ax.legend(loc="upper left", fontsize="small", frameon=False)
    return ax


def draw_profile(table, best, selected, scoring, ax=None):
    """Mean score with standard-error bars against n_nonlinear, the rule's threshold marked."""
    ax = _axes(ax)
    P, mean, se = table["n_nonlinear"], table["mean_score"], table["std_error"]
    ax.errorbar(P, mean, yerr=se, marker="o", capsize=3, color="black")
    threshold = mean[P == best].iloc[0] - se[P == best].iloc[0]
    ax.axhline(threshold, linestyle="--", color="grey", label="best mean - 1 s.e.")
    ax.plot(
        [best], mean[P == best], marker="s", markersize=10, linestyle="none",
        markerfacecolor="none", color="tab:blue", label=f"best mean: {best}",
    )
    ax.plot(
        [selected], mean[P == selected], marker="o", markersize=12, linestyle="none",
        markerfacecolor="none", color="tab:red", label=f"selected: {selected}",
    )
    ax.set_xticks(P)
    ax.set_xlabel("nonlinear units (n_nonlinear)")
    ax.set_ylabel(f"cross-validated {scoring}")
    ax.legend(loc="lower right", fontsize="small")
    return ax
