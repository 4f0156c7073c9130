"""The canonical bytes every leaf hash is taken over are RFC 8785's, whichever encoder writes them."""

from __future__ import annotations

import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.canonical import jcs

scalars = (st.none() | st.booleans() | st.integers(-(2**53) + 1, 2**53 - 1) | st.text()
           | st.floats(allow_nan=False, allow_infinity=False))
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=20)


@settings(max_examples=500)
@given(values)
def test_canonical_bytes_are_exactly_rfc8785s(value):
    try:
        expected = rfc8785.dumps(value)
    except Exception as refused:  # what rfc8785 refuses, jcs refuses alike
        try:
            jcs(value)
        except type(refused):
            return
        raise AssertionError(f"jcs accepted what rfc8785 refuses: {value!r}") from None
    assert jcs(value) == expected


def test_floats_at_the_edges_of_plain_decimals_still_match():
    for number in (1e-4, 0.000123, 9.999999999999998e15, 1e16, 1e21, 1e-7, 35.0, -0.0, 51.1917, 5e-324):
        assert jcs({"lat": number}) == rfc8785.dumps({"lat": number})
