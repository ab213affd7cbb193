import numpy as np
import pandas as pd
import pytest

from loaders.acs_values import normalise_geoid, null_jam_values
from loaders.errors import SourceFormatError


def test_jam_values_become_null_with_a_note():
    values = pd.Series(
        [100, -666666666, -999999999, -555555555, -333333333, -222222222, -888888888]
    )
    numbers, notes = null_jam_values(values)
    assert numbers.iloc[0] == 100
    assert numbers.iloc[1:].isna().all()
    assert notes.iloc[0] is pd.NA
    assert "not computable" in notes.iloc[1]
    assert "controlled" in notes.iloc[3]
    assert "open-ended" in notes.iloc[4]


def test_annotation_codes_and_top_codes():
    values = pd.Series(["(X)", "-", "**", "***", "*****", "N", "250,000+", "2,500-", "1,234", ""])
    numbers, notes = null_jam_values(values)
    assert numbers.iloc[:6].isna().all()
    assert numbers.iloc[6] == 250000 and notes.iloc[6].startswith("top-coded")
    assert numbers.iloc[7] == 2500 and notes.iloc[7].startswith("bottom-coded")
    assert numbers.iloc[8] == 1234 and notes.iloc[8] is pd.NA
    assert np.isnan(numbers.iloc[9])


def test_unknown_code_is_an_error_not_a_silent_null():
    with pytest.raises(ValueError, match="unrecognised"):
        null_jam_values(pd.Series(["12", "n/a?"]))


def test_publisher_missing_code():
    numbers, notes = null_jam_values(pd.Series(["-999.0", "5"]), {-999.0: "SVI missing"})
    assert np.isnan(numbers.iloc[0]) and notes.iloc[0] == "SVI missing"


def test_geoids_are_zero_padded_and_validated():
    out = normalise_geoid(pd.Series(["6037101110", "06037101122", "1400000US06037206300"]), "t")
    assert list(out) == ["06037101110", "06037101122", "06037206300"]
    with pytest.raises(SourceFormatError):
        normalise_geoid(pd.Series(["60371011"]), "t")
