"""Results you can trust after edits, crashes and bad input (issue 16).

Content-addressed runs, one writer per output folder, ``report`` and ``analyse`` on damaged
or wrong folders, size caps, clean-up after kills, safe addresses, and escapes that never
reach the terminal. Broken input files live in the corpus (``tests/data/bad/``, checked by
``tests/test_hardening.py``); what needs a folder, two processes or a command line is here.
"""

from __future__ import annotations

import pytest

from experiments.cli import main
from model.errors import InputError, Problem, printable

HOSTILE = "a\x1b[2J\x1b]0;t\x07\u202eb\u2066c\u200fd\r\n\udc80e\u2028"


def _clean(text: str) -> bool:
    """No character a terminal would act on (newlines between lines excepted)."""
    return all(c.isprintable() or c == "\n" for c in text)


def test_printable_escapes_controls_bidi_and_surrogates() -> None:
    out = printable(HOSTILE)
    assert _clean(out) and "\n" not in out
    assert out == "a\\x1b[2J\\x1b]0;t\\x07\\u202eb\\u2066c\\u200fd\\x0d\\x0a\\udc80e\\u2028"
    assert printable("école 中文 ok") == "école 中文 ok"


def test_every_part_of_a_message_is_escaped() -> None:
    error = InputError(HOSTILE, [Problem(HOSTILE, HOSTILE, HOSTILE, 3)])
    text = error.render()
    assert _clean(text) and len(text.splitlines()) == 1
    assert text.startswith("error: a\\x1b[2J")


@pytest.mark.parametrize(
    "argv",
    [
        ["run", "s.yaml", "--households", HOSTILE],
        ["compare", "s.yaml", "--seed", HOSTILE],
        ["run", "s.yaml", f"--{HOSTILE}"],
        [HOSTILE],
    ],
)
def test_argument_errors_are_escaped(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "\\x1b[2J" in err and _clean(err), err


def test_a_file_name_with_escapes_is_escaped(cli) -> None:
    result = cli(["validate", f"{HOSTILE}.yaml"])
    assert result.code == 2 and _clean(result.err) and "not found" in result.err


# -- nonsense refused ------------------------------------------------------------------------


def test_policy_names_follow_the_models_renaming() -> None:
    """The loader predicts the names the model gives policies (and so their columns)."""
    from model.inclusion_model import InclusionModel
    from model.loader import policy_names, scenario_from_dict

    policies = [
        {"type": "affordability"},
        {"type": "affordability"},
        {"type": "skills_training", "name": "training"},
        {"type": "affordability", "name": "basket"},
        {"type": "affordability"},
    ]
    loaded = scenario_from_dict(
        {"name": "n", "label": "N", "region": "lac", "end": "2021Q2", "policies": policies}
    )
    model = InclusionModel(loaded, 0, 300)
    predicted = policy_names(list(loaded.policies))
    assert predicted == [p.name for p in model.policies]
    assert predicted == [
        "affordability",
        "affordability_2",
        "training",
        "basket",
        "affordability_3",
    ]
