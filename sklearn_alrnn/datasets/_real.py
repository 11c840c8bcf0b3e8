"""Small real time series shipped inside the package, so loading them never needs a network.

Each loader reads a CSV file from ``sklearn_alrnn/datasets/data/`` (a header line naming the
columns, then one row per time point) and returns a float64 :class:`pandas.Series` with a
named :class:`pandas.DatetimeIndex` that carries its frequency, ready for
``ALRNNForecaster.forecast`` to extend. Every loader's docstring names the original source
and the terms the numbers come with.
"""

from importlib import resources

import pandas as pd


def _read_csv(filename: str) -> pd.DataFrame:
    path = resources.files("sklearn_alrnn.datasets") / "data" / filename
    with path.open("r", encoding="utf-8") as file:
        return pd.read_csv(file)


def _to_series(
    values: pd.Series, dates: pd.Series, freq: str, index_name: str, name: str
) -> pd.Series:
    # Passing freq makes pandas check that the dates are regular, so a corrupted file
    # fails loudly instead of yielding a series without a frequency.
    index = pd.DatetimeIndex(dates, freq=freq, name=index_name)
    return pd.Series(values.to_numpy(dtype="float64"), index=index, name=name)


def load_airline():
    """Load the monthly international airline passenger numbers, 1949-1960.

    The classic Box-Jenkins "Series G": monthly totals of international airline passengers,
    in thousands, from January 1949 to December 1960. A short series with a trend and a
    multiplicative yearly seasonality.

    Returns
    -------
    passengers : pandas.Series of shape (144,)
        Passengers in thousands (float64), named ``"passengers"``, indexed by a
        :class:`pandas.DatetimeIndex` named ``"month"`` with frequency ``"MS"`` (month
        start), from 1949-01-01 to 1960-12-01.

    Notes
    -----
    Source: Box, Jenkins and Reinsel [1]_, Series G, who took it from Brown [2]_. The same
    144 numbers are R's ``AirPassengers`` data set; the file shipped here was transcribed
    from the copy in sktime 1.2.0 (``sktime/datasets/data/Airline/Airline.csv``, sktime is
    BSD-3-Clause licensed) and checked against the published values (first value 112, last
    432, total 40 363). The numbers are historical facts and carry no licence of their own.

    References
    ----------
    .. [1] G. E. P. Box, G. M. Jenkins and G. C. Reinsel, "Time Series Analysis: Forecasting
       and Control", 3rd edition, Prentice Hall, 1994. Series G.
    .. [2] R. G. Brown, "Smoothing, Forecasting and Prediction of Discrete Time Series",
       Prentice-Hall, 1963.

    Examples
    --------
    >>> from sklearn_alrnn.datasets import load_airline
    >>> y = load_airline()
    >>> y.head(3)
    month
    1949-01-01    112.0
    1949-02-01    118.0
    1949-03-01    132.0
    Freq: MS, Name: passengers, dtype: float64
    """
    frame = _read_csv("airline.csv")
    dates = pd.to_datetime(frame["month"], format="%Y-%m")
    return _to_series(frame["passengers"], dates, "MS", "month", "passengers")


def load_sunspots():
    """Load the yearly mean sunspot numbers, 1700-2008.

    Yearly means of the International (Wolf/Zürich) sunspot number, version 1.0 of the
    series: the classic nonlinear, roughly 11-year cyclic benchmark of time-series analysis.

    Returns
    -------
    sunspots : pandas.Series of shape (309,)
        Yearly mean sunspot number (float64), named ``"sunspots"``, indexed by a
        :class:`pandas.DatetimeIndex` named ``"year"`` with frequency ``"YS"`` (year start),
        from 1700-01-01 to 2008-01-01.

    Notes
    -----
    These are the values of version 1.0 of the International Sunspot Number, as distributed
    before the 2015 recalibration [2]_ (version 2.0 values are about 1.4 to 1.7 times
    larger; for example 1957, the maximum here, is 190.2 in version 1.0 and 269.3 in
    version 2.0). The series was compiled by the Zürich observatory and then by the
    Sunspot Index and Long-term Solar Observations centre (WDC-SILSO, Royal Observatory of
    Belgium, Brussels) [1]_, and was distributed by the US National Geophysical Data Center
    (NOAA NGDC). The file shipped here was transcribed from the copy in statsmodels 0.15
    (``statsmodels/datasets/sunspots``, variable ``SUNACTIVITY``), which took it from NOAA
    NGDC and labels it public domain. SILSO, the originator, today distributes its data
    under the Creative Commons BY-NC 4.0 licence and asks for the credit "Source:
    WDC-SILSO, Royal Observatory of Belgium, Brussels"; check those terms before
    redistributing the values commercially.

    References
    ----------
    .. [1] SILSO World Data Center, "The International Sunspot Number", International
       Sunspot Number Monthly Bulletin and online catalogue, Royal Observatory of Belgium,
       Brussels, https://www.sidc.be/SILSO/.
    .. [2] F. Clette, L. Svalgaard, J. M. Vaquero and E. W. Cliver, "Revisiting the Sunspot
       Number", Space Science Reviews, 186, 35-103, 2014.

    Examples
    --------
    >>> from sklearn_alrnn.datasets import load_sunspots
    >>> y = load_sunspots()
    >>> len(y), y.index[0].year, y.index[-1].year
    (309, 1700, 2008)
    >>> float(y.max())
    190.2
    """
    frame = _read_csv("sunspots.csv")
    dates = pd.to_datetime(frame["year"].astype(str), format="%Y")
    return _to_series(frame["sunspots"], dates, "YS", "year", "sunspots")
