"""SequenceSet arithmetic and text form."""

from __future__ import annotations

import pytest

from govmail.imap.protocol.types import SequenceSet


def seq(*ranges: tuple[int | None, int | None], last_result: bool = False) -> SequenceSet:
    return SequenceSet(tuple(ranges), last_result)


@pytest.mark.parametrize(
    ("sequence", "largest", "values"),
    [
        (seq((1, 3), (5, 5), (7, None)), 9, [1, 2, 3, 5, 7, 8, 9]),
        (seq((None, None)), 4, [4]),
        (seq((1, None)), 0, []),
        (seq((None, None)), 0, []),
        (seq((3, 1)), 5, [1, 2, 3]),  # ranges may be written high to low
        (seq((10, None)), 5, [5]),  # 10:* with 5 messages is 5:10
        (seq((None, 2)), 5, [2, 3, 4, 5]),
        (seq((4, 6), (1, 5), (5, 5)), 10, [1, 2, 3, 4, 5, 6]),  # deduplicated, ascending
        (seq((7, 9)), 5, []),
        (seq(last_result=True), 5, []),  # "$" is the session's to resolve
    ],
)
def test_values_and_contains(sequence, largest, values):
    assert list(sequence.values(largest)) == values
    for n in range(0, largest + 3):
        assert sequence.contains(n, largest) == (n in values)


def test_values_of_a_huge_range_are_lazy():
    numbers = seq((1, None)).values(4_000_000_000)
    assert [next(numbers) for _ in range(3)] == [1, 2, 3]
    assert seq((1, None)).contains(3_999_999_999, 4_000_000_000)


@pytest.mark.parametrize(
    ("sequence", "text"),
    [
        (seq((1, 3), (5, 5), (7, None)), "1:3,5,7:*"),
        (seq((None, None)), "*"),
        (seq((None, 4)), "*:4"),
        (seq(last_result=True), "$"),
        (seq((2, 2), last_result=True), "2,$"),
    ],
)
def test_text_form(sequence, text):
    assert str(sequence) == text


def test_from_values_compresses():
    assert SequenceSet.from_values([5, 1, 2, 3, 3, 9, 10]) == seq((1, 3), (5, 5), (9, 10))
    assert str(SequenceSet.from_values([7])) == "7"
    assert SequenceSet.from_values([]) == seq()
