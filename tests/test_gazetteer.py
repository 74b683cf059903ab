"""The gazetteer: packaged build (offline), disambiguation, spelling variants, GeoNames dumps, CLI.

The packaged index is built once per session (about half a minute) into a temporary
``$NEWSTRACE_HOME`` with network connections refused, which also proves the build is offline.
"""

from __future__ import annotations

import socket
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from newstrace.cli import app
from newstrace.gazetteer import Gazetteer, GazetteerError, MatchKind
from newstrace.gazetteer import cli as gazetteer_cli
from newstrace.gazetteer.geonames import build_from_geonames
from newstrace.gazetteer.normalize import fold, skeleton, variants

FIXTURES = Path(__file__).parent / "fixtures" / "geonames"
runner = CliRunner()


def _no_network(*_: object) -> None:
    raise AssertionError("the gazetteer build tried to use the network")


@pytest.fixture(scope="session")
def packaged_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("newstrace-home")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("NEWSTRACE_HOME", str(home))
        patch.setattr(socket.socket, "connect", _no_network)
        started = time.perf_counter()
        Gazetteer.open_default().close()
        print(f"\npackaged gazetteer built in {time.perf_counter() - started:.1f} s")
    return home


@pytest.fixture(scope="session")
def gazetteer(packaged_home: Path) -> Iterator[Gazetteer]:
    with Gazetteer.open(packaged_home / "gazetteer.sqlite") as opened:
        yield opened


def _top(gazetteer: Gazetteer, name: str, *countries: str) -> tuple[str, str, str]:
    found = gazetteer.lookup(name, country_codes=countries)
    assert found, name
    entry = found[0].entry
    return entry.id, entry.country_code, entry.feature_type


# --- normalization ----------------------------------------------------------------------


def test_fold_removes_case_accents_marks_and_punctuation() -> None:
    assert fold("Tikrīt") == "tikrit"
    assert fold("Dar'ā") == "dara"
    assert fold("Şalāḩ ad-Dīn") == "salah ad din"
    assert fold("Qaḑā’ Sāmarrā’") == "qada samarra"
    assert fold("الموصل") == "الموصل"  # other scripts stay as written


def test_variants_strip_the_article_and_admin_words() -> None:
    assert variants(fold("Al-Anbar")) == ["anbar"]
    assert "anbar" in variants(fold("Al-Anbar Governorate"), admin=True)
    assert variants(fold("Ramadi")) == []


def test_transliterations_share_a_skeleton() -> None:
    assert skeleton(fold("Deir ez-Zor")) == skeleton(fold("Dayr az Zawr"))
    assert skeleton(fold("Deir Ezzor")) == skeleton(fold("Deir ez-Zor"))
    assert skeleton(fold("Hauran")) == skeleton(fold("Houran"))
    assert skeleton(fold("Idleb")) == skeleton(fold("Idlib"))
    assert skeleton(fold("Ar Raqqah")) == skeleton(fold("Raqqa"))


# --- packaged index -----------------------------------------------------------------------


def test_open_default_reuses_the_built_index(
    packaged_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSTRACE_HOME", str(packaged_home))
    index = packaged_home / "gazetteer.sqlite"
    built = index.stat().st_mtime_ns
    started = time.perf_counter()
    with Gazetteer.open_default() as opened:
        assert opened.path == index
    assert time.perf_counter() - started < 1.0
    assert index.stat().st_mtime_ns == built


def test_configured_prefers_the_environment(
    gazetteer: Gazetteer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSTRACE_GAZETTEER", str(gazetteer.path))
    monkeypatch.setenv("NEWSTRACE_HOME", "/nonexistent")
    with Gazetteer.configured() as opened:
        assert opened.path == gazetteer.path


def test_namesakes_follow_the_country_hint_or_population(gazetteer: Gazetteer) -> None:
    assert _top(gazetteer, "Damascus")[1:] == ("SY", "city")
    assert _top(gazetteer, "Damascus", "SY")[1] == "SY"
    assert _top(gazetteer, "Damascus", "US")[1] == "US"
    assert _top(gazetteer, "Kerman", "IR")[1] == "IR"
    assert _top(gazetteer, "Kerman", "US")[1] == "US"
    assert _top(gazetteer, "Palmyra", "SY")[1] == "SY"


def test_an_admin_region_outranks_a_village_of_the_same_name(gazetteer: Gazetteer) -> None:
    assert _top(gazetteer, "Anbar")[1:] == ("IQ", "admin1")
    assert _top(gazetteer, "Al Anbar")[1:] == ("IQ", "admin1")
    # ...but a large city keeps its name against the region named after it
    assert _top(gazetteer, "Aleppo")[1:] == ("SY", "city")
    assert _top(gazetteer, "Kirkuk")[1:] == ("IQ", "city")


@pytest.mark.parametrize(
    "spellings",
    [
        ("Deir ez-Zor", "Deir Ezzor", "Dayr az Zawr"),
        ("Mosul", "Al Mawsil"),
        ("Tikrit", "Tikrīt"),
        ("Ramadi", "Al Ramadi"),
        ("Kirkuk", "Kirkūk"),
        ("Idlib", "Idleb"),
        ("Raqqa", "Ar Raqqah"),
    ],
)
def test_spelling_variants_resolve_to_one_place(
    gazetteer: Gazetteer, spellings: tuple[str, ...]
) -> None:
    places = {_top(gazetteer, spelling)[0] for spelling in spellings}
    assert len(places) == 1, places


def test_typos_resolve_through_fuzzy_matching(gazetteer: Gazetteer) -> None:
    found = gazetteer.lookup("Kirkuc", country_codes=["IQ"])
    assert found[0].match is MatchKind.FUZZY
    assert found[0].entry.name == "Kirkuk"
    assert found[0].similarity < 100


def test_feature_type_filter(gazetteer: Gazetteer) -> None:
    found = gazetteer.lookup("Aleppo", feature_types=["admin1"])
    assert [c.entry.feature_type for c in found] == ["admin1"] * len(found)
    assert found[0].entry.country_code == "SY"


def test_countries_by_name_alias_and_code(gazetteer: Gazetteer) -> None:
    for query in ("Syria", "Syrian Arab Republic", "SY", "SYR", "sy"):
        country = gazetteer.country(query)
        assert country is not None, query
        assert (country.country_code, country.feature_type) == ("SY", "country")
    iraq = gazetteer.country("Iraq")
    assert iraq is not None and iraq.precision_note == "representative point: capital, Baghdad"
    assert gazetteer.country("Atlantis") is None


@pytest.mark.parametrize(
    ("name", "country_code"),
    [
        ("Nineveh", "IQ"),
        ("Ninawa", "IQ"),
        ("Salah al-Din", "IQ"),
        ("Diyala", "IQ"),
        ("Deir ez-Zor", "SY"),
        ("Daraa", "SY"),
        ("Hama", "SY"),
        ("Homs", None),
        ("Aleppo", None),
    ],
)
def test_admin1_regions_have_a_flagged_point(
    gazetteer: Gazetteer, name: str, country_code: str | None
) -> None:
    region = gazetteer.admin1(name, country_code)
    assert region is not None, name
    assert region.feature_type == "admin1"
    assert region.country_code in {"IQ", "SY"}
    assert region.precision_note and region.precision_note.startswith("representative point")


def test_entries_carry_country_and_admin1_names(gazetteer: Gazetteer) -> None:
    mosul = gazetteer.lookup("Mosul", limit=1)[0].entry
    assert (mosul.country, mosul.admin1, mosul.precision_note) == ("Iraq", "Nīnawá", None)
    assert mosul.population > 1_000_000
    assert 36 < mosul.latitude < 37 and 43 < mosul.longitude < 44


def test_coverage_of_iraq_and_syria(gazetteer: Gazetteer) -> None:
    for code in ("IQ", "SY"):
        summary = gazetteer.summary([code])
        assert summary["admin1"][0] >= 14
        assert sum(count for count, _ in summary.values()) > 200


def test_names_for_an_entity_ruler_are_a_bounded_set(gazetteer: Gazetteer) -> None:
    names = set(gazetteer.names(min_population=15_000, exonym_population=100_000))
    # countries, provinces (with their aliases), cities under own, ASCII and other names
    assert {"Syria", "Anbar", "Mosul", "Al Mawsil", "Erbil", "Idlib"} <= names
    assert "Tall Abyad" not in names  # a village below the population threshold
    assert "Sinjar" in names and "Shengal" not in names  # a town: transliterations only
    assert not any(name.isupper() or not name[0].isupper() for name in names)  # no codes
    assert all(name.isascii() or name[0].isalpha() for name in names)
    assert len(names) < 200_000


def test_lookups_are_fast(gazetteer: Gazetteer) -> None:
    started = time.perf_counter()
    for _ in range(50):
        gazetteer.lookup("Damascus", fuzzy=False)
        gazetteer.lookup("Deir Ezzor")
    assert (time.perf_counter() - started) / 100 < 0.02


# --- GeoNames dumps -------------------------------------------------------------------


def _zipped(folder: Path, name: str, members: dict[str, str]) -> Path:
    path = folder / name
    with zipfile.ZipFile(path, "w") as archive:
        for member, text in members.items():
            archive.writestr(member, text)
    return path


@pytest.fixture
def dump_files(tmp_path: Path) -> list[Path]:
    places = _zipped(
        tmp_path, "ZZ.zip", {"ZZ.txt": (FIXTURES / "ZZ.txt").read_text(), "readme.txt": "x"}
    )
    alternates = _zipped(
        tmp_path,
        "alternateNamesV2.zip",
        {
            "alternateNamesV2.txt": (FIXTURES / "alternateNamesV2.txt").read_text(),
            "iso-languagecodes.txt": "ISO 639-3\tISO 639-2\n",
        },
    )
    return [alternates, places, FIXTURES / "admin1CodesASCII.txt"]


@pytest.fixture
def dump_index(tmp_path: Path, dump_files: list[Path]) -> Iterator[Gazetteer]:
    path = build_from_geonames(dump_files, tmp_path / "dump.sqlite")
    with Gazetteer.open(path) as opened:
        yield opened


def test_dump_feature_types(dump_index: Gazetteer) -> None:
    types = {
        name: _top(dump_index, name)[2]
        for name in (
            "Testland",
            "Northern Governorate",
            "Qasr al-Mithal",
            "Tall Sabir",
            "Wadi Zubran",
            "Nukhayl Desert",
            "Falak Air Base",
            "Hudud Crossing",
            "Jabal Thalj",
            "An-Nur Camp",
            "Hayy as-Salam",
        )
    }
    assert types == {
        "Testland": "country",
        "Northern Governorate": "admin1",
        "Qasr al-Mithal": "city",
        "Tall Sabir": "village",
        "Wadi Zubran": "valley",
        "Nukhayl Desert": "desert",
        "Falak Air Base": "base",
        "Hudud Crossing": "crossing",
        "Jabal Thalj": "mountain",
        "An-Nur Camp": "camp",
        "Hayy as-Salam": "neighbourhood",
    }


def test_dump_entries_keep_their_own_coordinates_and_admin1(dump_index: Gazetteer) -> None:
    city = dump_index.lookup("Kasr el Mithal")[0]
    assert city.match is MatchKind.ALTERNATE
    entry = city.entry
    assert (entry.id, entry.feature_code, entry.population) == ("geonames:9900003", "PPLA", 250000)
    assert (entry.latitude, entry.longitude, entry.precision_note) == (11.25, 20.05, None)
    assert (entry.country, entry.admin1) == ("Testland", "Northern Governorate")
    assert dump_index.lookup("Jabal Thalj")[0].entry.admin1 == "Northern Governorate"
    assert dump_index.lookup("Sahra an Nukhayl")[0].entry.admin1 == "Eastern Province"


def test_dump_alternate_names_file(dump_index: Gazetteer) -> None:
    assert dump_index.lookup("Zubran Valley")[0].entry.id == "geonames:9900005"
    assert dump_index.lookup("Falak Airbase")[0].match is MatchKind.ALTERNATE
    assert not dump_index.lookup("Nowhere At All", fuzzy=False)
    assert not dump_index.lookup("https://example.org/wiki/Wadi_Zubran", fuzzy=False)


def test_dump_spelling_variants_and_hints(dump_index: Gazetteer) -> None:
    tell = {_top(dump_index, name)[0] for name in ("Tall Sabir", "Tell Sabir", "Tal Saber")}
    assert tell == {"geonames:9900004"}
    assert _top(dump_index, "Wadi Zoubran")[0] == _top(dump_index, "Wadi Zubraan")[0]
    assert _top(dump_index, "Sabir")[1] == "ZY"  # the larger namesake
    assert _top(dump_index, "Sabir", "ZZ")[1] == "ZZ"
    assert _top(dump_index, "Mithal")[0] == "geonames:9900003"  # "Al Mithal" without article


def test_dump_country_and_admin1(dump_index: Gazetteer) -> None:
    for query in ("Testlandia", "ZZ"):
        country = dump_index.country(query)
        assert country is not None and country.id == "geonames:9900001", query
    region = dump_index.admin1("Shamal", "ZZ")
    assert region is not None and region.id == "geonames:9900002"
    assert region.precision_note is None


def test_dump_country_filter_and_damaged_line(tmp_path: Path, dump_files: list[Path]) -> None:
    path = build_from_geonames(dump_files, tmp_path / "zz.sqlite", countries=["zz"])
    with Gazetteer.open(path) as opened:
        assert {c.entry.country_code for c in opened.lookup("Sabir")} == {"ZZ"}
        assert not opened.lookup("Sabeer", fuzzy=False)
        assert not opened.lookup("Broken", fuzzy=False)
        assert opened.meta["entries"] == "13"


def test_not_a_geonames_file(tmp_path: Path) -> None:
    bogus = tmp_path / "notes.txt"
    bogus.write_text("just\ttwo columns\n")
    with pytest.raises(GazetteerError, match="not a GeoNames table"):
        build_from_geonames([bogus], tmp_path / "out.sqlite")
    assert not (tmp_path / "out.sqlite").exists()
    with pytest.raises(GazetteerError, match="not a newstrace gazetteer"):
        Gazetteer.open(bogus)


# --- command line ----------------------------------------------------------------------


@pytest.fixture
def wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tables printed 200 columns wide, so ids and names are not cut in the captured output."""
    monkeypatch.setattr(gazetteer_cli, "out", Console(width=200))


@pytest.mark.usefixtures("wide_console")
def test_cli_build_lookup_info(tmp_path: Path, dump_files: list[Path]) -> None:
    out = tmp_path / "cli.sqlite"
    built = runner.invoke(app, ["gazetteer", "build", *map(str, dump_files), "--out", str(out)])
    assert built.exit_code == 0, built.output
    assert "14 places" in built.output

    found = runner.invoke(
        app,
        ["gazetteer", "lookup", "Sabir", "--country", "ZZ", "--gazetteer", str(out)],
    )
    assert found.exit_code == 0, found.output
    lines = [line for line in found.output.splitlines() if "geonames:99000" in line]
    assert "geonames:9900013" in lines[0] and "geonames:9900012" in lines[1]

    info = runner.invoke(app, ["gazetteer", "info", "--gazetteer", str(out)])
    assert info.exit_code == 0, info.output
    assert "valley" in info.output and "ZZ.zip" in info.output

    environment = {"NEWSTRACE_GAZETTEER": str(out)}
    missing = runner.invoke(app, ["gazetteer", "lookup", "Atlantis", "--no-fuzzy"], env=environment)
    assert missing.exit_code == 1
    assert "no place called 'Atlantis'" in missing.output


@pytest.mark.usefixtures("wide_console")
def test_cli_lookup_on_the_packaged_index(packaged_home: Path) -> None:
    result = runner.invoke(
        app,
        ["gazetteer", "lookup", "Anbar"],
        env={"NEWSTRACE_HOME": str(packaged_home)},
    )
    assert result.exit_code == 0, result.output
    assert "admin1" in result.output and "Iraq" in result.output


def test_cli_build_rejects_bad_input(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.txt"
    bogus.write_text("a\tb\n")
    result = runner.invoke(app, ["gazetteer", "build", str(bogus), "--out", str(tmp_path / "x")])
    assert result.exit_code == 1
    assert "not a GeoNames table" in result.output
    result = runner.invoke(app, ["gazetteer", "build", str(FIXTURES / "ZZ.txt")])
    assert result.exit_code == 1
    assert "--out is required" in result.output
