"""Where a reporting body sits: its level and its administrative division (adcode).

The divisions come from the ``cpca`` package (China's province, prefecture and
county names with their 6-digit administrative codes and coordinates), read
offline from the data file it ships; pinyin folder names (``henan/``,
``pingtan_panel/``) are matched through ``pypinyin``. No names are maintained
here, only rules about how agency names are built.

:func:`infer_region` reads, in order of trust, the agency name (``淮安市洪泽区人民
政府``), the report's text (a township report that names its county) and the
folder names. It returns the body's ``level`` (province, prefecture, county,
township or department), ``region_level`` (the level of the government a
department belongs to), the division names, ``adcode``, ``lat``/``lng`` and
``region_source`` (``agency``, ``text`` or ``folder``: which evidence placed it).
Townships are below what the gazetteer holds: they resolve to their county's code.

Example:
    >>> r = infer_region("荥阳市广武镇人民政府")
    >>> r["level"], r["township"], r["county"], r["adcode"]
    ('township', '广武镇', '荥阳市', '410182')
    >>> r = infer_region("上海市人民政府办公厅")
    >>> r["level"], r["region_level"], r["province"], r["adcode"]
    ('department', 'province', '上海市', '310000')
"""

from __future__ import annotations

import csv
import importlib.util
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, cached_property
from importlib import metadata
from pathlib import Path
from typing import Any

LEVELS = ("province", "prefecture", "county")
# Rows of the code table that are groupings, not places.
_NOT_PLACES = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}
# Real district names that are also everyday words; never matched on their own.
_GENERIC = {"城区", "郊区", "矿区", "东区", "西区", "新区", "市中区"}
_PROVINCE_SHORT = {"内蒙古自治区": "内蒙古", "广西壮族自治区": "广西", "西藏自治区": "西藏",
                   "宁夏回族自治区": "宁夏", "新疆维吾尔自治区": "新疆",
                   "香港特别行政区": "香港", "澳门特别行政区": "澳门"}
# A zone named after the county it covers: 平潭综合实验区 is 平潭县.
_ZONE = re.compile(r"(综合实验区|综合试验区|经济技术开发区|高新技术产业开发区|高新区|开发区|示范区|"
                   r"新区)")
_COUNTY_SUFFIXES = ("县", "市", "区", "旗", "自治县")
_GOVERNMENT = re.compile(r"(人民政府|政府|行政公署|管理委员会|管委会|综合实验区|综合试验区|新区)$")
_TOWNSHIP_UNIT = r"(?:镇|乡|街道|苏木|片区)"
_TOWNSHIP = re.compile(rf"(?P<name>[\u4e00-\u9fff]{{1,10}}?{_TOWNSHIP_UNIT})"
                       r"(?:人民政府|政府|办事处|管理局|管理委员会|管委会)?")
_NATIONAL = re.compile(r"^(国务院|中华人民共和国|国家|中央)")


@dataclass(frozen=True)
class Place:
    """One division of the gazetteer (province, prefecture or county level)."""

    adcode: str  # six digits
    name: str
    lat: float | None
    lng: float | None

    @property
    def level(self) -> str:
        if self.adcode.endswith("0000"):
            return "province"
        return "prefecture" if self.adcode.endswith("00") else "county"

    @property
    def depth(self) -> int:
        return LEVELS.index(self.level)

    def within(self, other: Place) -> bool:
        """True if this place is ``other`` or lies inside it."""
        return self.adcode.startswith(other.adcode[: 2 * (other.depth + 1)])


class Gazetteer:
    """Names → places, with the province/prefecture/county chain of each place."""

    def __init__(self, rows: Iterable[dict[str, str]], version: str = "") -> None:
        self.version = version
        self.places: dict[str, Place] = {}
        self.names: dict[str, list[Place]] = {}
        for row in rows:
            code, name = row["adcode"][:6], row["name"].strip()
            if name in _NOT_PLACES or not code.isdigit():
                continue
            place = Place(code, name, _float(row.get("latitude")), _float(row.get("longitude")))
            self.places[code] = place
            if name not in _GENERIC:
                self.names.setdefault(name, []).append(place)
            short = _PROVINCE_SHORT.get(name) or (re.sub("[省市]$", "", name)
                                                  if place.level == "province" else None)
            if short and short != name:
                self.names.setdefault(short, []).append(place)
        self._longest = max(map(len, self.names))
        self._first = {n[0] for n in self.names}

    # ------------------------------------------------------------------ lookups

    def chain(self, place: Place) -> dict[str, str | None]:
        """``{"province": …, "prefecture": …, "county": …}`` names of a place."""
        out: dict[str, str | None] = dict.fromkeys(LEVELS)
        for depth, level in enumerate(LEVELS[: place.depth + 1]):
            code = place.adcode[: 2 * (depth + 1)].ljust(6, "0")
            p = self.places.get(code)
            out[level] = p.name if p else None
        return out

    def resolve(self, province: str | None = None, prefecture: str | None = None,
                county: str | None = None) -> Place | None:
        """The place named by (some of) province, prefecture and county names."""
        state: set[Place] | None = None
        for name in (province, prefecture, county):
            if name:
                state = _narrow(state, self.lookup(name))
        return _pick(state, None, self)

    def lookup(self, name: str) -> list[Place]:
        """Places called ``name`` (full names; provinces also by short name)."""
        return list(self.names.get(_clean(name), []))

    def find(self, text: str) -> list[tuple[int, int, list[Place]]]:
        """Every place name in ``text``, longest match first: (start, end, candidates)."""
        out, i, n = [], 0, len(text)
        while i < n:
            if text[i] in self._first:
                for length in range(min(self._longest, n - i), 1, -1):
                    hit = self.names.get(text[i:i + length])
                    if hit:
                        out.append((i, i + length, hit))
                        i += length
                        break
                else:
                    i += 1
                continue
            i += 1
        return out

    def zone(self, text: str) -> tuple[int, int, list[Place]] | None:
        """A zone named after a county or city: ``平潭综合实验区`` → 平潭县."""
        for m in _ZONE.finditer(text):
            for size in (4, 3, 2):
                start = m.start() - size
                if start < 0:
                    continue
                base = text[start:m.start()]
                hits = [p for suffix in _COUNTY_SUFFIXES
                        for p in self.names.get(base + suffix, []) if p.level != "province"]
                if len(hits) == 1:
                    return start, m.end(), hits
        return None

    # ------------------------------------------------------------------ pinyin

    @cached_property
    def _pinyin(self) -> dict[str, list[Place]]:
        from pypinyin import lazy_pinyin

        index: dict[str, list[Place]] = {}
        for place in self.places.values():
            name = _PROVINCE_SHORT.get(place.name) or place.name
            short = re.sub(r"(省|市|自治州|地区|盟|自治县|县|区|旗)$", "", name)
            for form in {short if len(short) >= 2 else name}:
                key = "".join(lazy_pinyin(form)).lower()
                index.setdefault(key, []).append(place)
        return index

    def from_pinyin(self, token: str) -> list[Place]:
        """Places whose name (without its 省/市/县… suffix) is this pinyin."""
        return list(self._pinyin.get(token.lower(), [])) if len(token) >= 4 else []


@cache
def gazetteer() -> Gazetteer:
    """The gazetteer of the installed ``cpca`` package (loaded once per process)."""
    path = data_file()
    with path.open(encoding="utf-8", newline="") as f:
        return Gazetteer(csv.DictReader(f), version=data_version())


def data_file() -> Path:
    """The code table ``cpca`` ships (found without importing ``cpca``, which needs
    ``pkg_resources`` and builds its own matcher at import)."""
    spec = importlib.util.find_spec("cpca")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("the gazetteer needs the cpca package: pip install cpca")
    return Path(next(iter(spec.submodule_search_locations))) / "resources" / "adcodes.csv"


def data_version() -> str:
    """Versions of the packages whose data decide regions (part of cache keys)."""
    out = []
    for package in ("cpca", "pypinyin"):
        try:
            out.append(f"{package}={metadata.version(package)}")
        except metadata.PackageNotFoundError:
            out.append(f"{package}=none")
    return ";".join(out)


# --------------------------------------------------------------------------- inference


def infer_region(agency: str | None, text: str = "", parts: Sequence[str] = (),
                 gaz: Gazetteer | None = None) -> dict[str, Any]:
    """Level and division of the body named ``agency`` (see the module docstring).

    Args:
        agency: the agency's name.
        text: the report's text (its title, opening and signature are read).
        parts: folder names and the file name, e.g. ``("henan", "001_x")``.
    """
    gaz = gaz or gazetteer()
    name = _clean(agency or "")
    matches = gaz.find(name)
    zone = gaz.zone(name)
    if zone and not any(s <= zone[0] < e for s, e, _ in matches):
        matches = sorted([*[m for m in matches if not zone[0] <= m[0] < zone[1]], zone],
                         key=lambda m: m[0])
    hints = _folder_places(parts, gaz)
    named = _resolve(matches)
    place = _pick(named, hints, gaz)
    source = "agency" if place else None
    # the level the name itself states, even when several places bear the name
    named_level = LEVELS[max(p.depth for p in named)] if named else None
    rest = name[matches[-1][1]:] if matches else name
    m = _TOWNSHIP.fullmatch(rest)
    township = m.group("name") if m else None
    if text and (place is None or (township and place.level != "county")):
        found = _text_place(_excerpt(text), place, hints, gaz)
        if found is not None and found != place:
            place, source = found, "text"
    if place is None and hints:
        place = _pick(hints, None, gaz)
        source = "folder" if place else None
    # No name (a scan nobody could read, say): the level is unknown, not "department".
    kind = _kind(name, township) if name else None
    own_level = named_level or (place.level if place else None)
    if named_level and place and place.depth > LEVELS.index(named_level):
        own_level = place.level
    level = own_level if kind == "government" else kind
    if kind == "department":
        region_level = "township" if township else own_level
        if region_level is None and _NATIONAL.match(name):
            region_level = "national"
    else:
        region_level = level
    return {"level": level, "region_level": region_level,
            **describe(place, gaz), "township": township, "region_source": source}


def describe(place: Place | None, gaz: Gazetteer | None = None) -> dict[str, Any]:
    """Names, adcode and coordinates of a place (all None for no place)."""
    if place is None:
        return {"province": None, "prefecture": None, "county": None, "adcode": None,
                "lat": None, "lng": None}
    return {**(gaz or gazetteer()).chain(place), "adcode": place.adcode,
            "lat": place.lat, "lng": place.lng}


def _kind(name: str, township: str | None) -> str:
    if township:  # the name ends with 广武镇人民政府, 金井片区管理局, …
        return "township"
    if _GOVERNMENT.search(name):
        return "government"
    return "department"


def _resolve(matches: Iterable[tuple[int, int, list[Place]]]) -> set[Place] | None:
    state: set[Place] | None = None
    for _start, _end, candidates in matches:
        state = _narrow(state, candidates)
    return state


def _narrow(state: set[Place] | None, candidates: Iterable[Place]) -> set[Place] | None:
    """Keep the places consistent with both; the deeper of each consistent pair."""
    candidates = list(candidates)
    if state is None:
        return set(candidates) or None
    new = {c for c in candidates for s in state if c.within(s)}
    new |= {s for s in state for c in candidates if s.within(c)}
    return new or state  # a name outside the chain (e.g. a sister city) is ignored


def _pick(state: set[Place] | None, hints: set[Place] | None = None,
          gaz: Gazetteer | None = None) -> Place | None:
    if not state:
        return None
    if len(state) > 1 and hints:
        narrowed = {p for p in state if any(p.within(h) or h.within(p) for h in hints)}
        state = narrowed or state
    deepest = max(p.depth for p in state)
    state = {p for p in state if p.depth == deepest}
    if len(state) == 1:
        return next(iter(state))
    # several places of one name: their common province, if they share one
    provinces = {p.adcode[:2] for p in state}
    if len(provinces) == 1:
        return (gaz or gazetteer()).places.get(provinces.pop() + "0000")
    return None


def _excerpt(text: str) -> str:
    """Title, opening and signature: where a report names its own place."""
    text = _clean(text)
    return text if len(text) <= 3000 else text[:2000] + "\n" + text[-1000:]


def _text_place(text: str, within: Place | None, hints: set[Place] | None,
                gaz: Gazetteer) -> Place | None:
    """The place a text names most often (consistent with ``within`` and the hints)."""
    votes: Counter[Place] = Counter()
    for _start, _end, candidates in gaz.find(text):
        if within is not None:
            candidates = [c for c in candidates if c.within(within)]
        if hints:
            candidates = [c for c in candidates
                          if any(c.within(h) or h.within(c) for h in hints)] or candidates
        if len(candidates) == 1:
            votes[candidates[0]] += 1
    if not votes:
        return None
    province = Counter({p.adcode[:2]: 0 for p in votes})
    for p, n in votes.items():
        province[p.adcode[:2]] += n
    top = province.most_common(1)[0][0]
    for depth in (2, 1, 0):
        level = [(n, p) for p, n in votes.items() if p.depth == depth and p.adcode[:2] == top]
        if level:
            level.sort(key=lambda x: (-x[0], x[1].adcode))
            if len(level) == 1 or level[0][0] > level[1][0]:
                return level[0][1]
    return gaz.places.get(top + "0000")


def _folder_places(parts: Sequence[str], gaz: Gazetteer) -> set[Place] | None:
    """Places the folder and file names point to (Chinese names or pinyin)."""
    state: set[Place] | None = None
    for part in parts:
        part = _clean(part)
        for _s, _e, candidates in gaz.find(part):
            state = _narrow(state, candidates)
        for token in re.findall(r"[A-Za-z]+", part):
            candidates = gaz.from_pinyin(token)
            if candidates and (len(candidates) == 1 or state):
                state = _narrow(state, candidates)
    return state


def _clean(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def _float(value: str | None) -> float | None:
    try:
        return float(value) if value else None
    except ValueError:
        return None
