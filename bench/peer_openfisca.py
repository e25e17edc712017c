"""The peer: the same subsidy rules written for OpenFisca (openfisca-core), in float32 as a
microsimulation model would write them, run as a whole process on a synthetic country
(bench/synth.py) and writing the same allocations.csv columns. Only for the benchmark: it
is what ``budget plan`` is compared with, side by side, and its amounts are checked
against ours to the fen.

    python bench/peer_openfisca.py FOLDER OUT.csv [YEAR]

FOLDER holds root.yaml (the province's rules: the shipped Shaanxi file), city-*.yaml (each
city's local split and medical rates) and headcounts.csv, as bench/synth.py writes them.
The province's rates and shares are OpenFisca parameters; a city's own values are read from
its file into per-county inputs (OpenFisca parameters cannot vary by county). Amounts are
each payer's share of the total, in 元, rounded to the fen by ``numpy.round`` — the way a
float model gets to a table; no largest remainder, so the payers need not add up.

Set PEER_NUMPY=1 to run the same float32 arithmetic in bare NumPy (the stand-in used where
openfisca-core cannot be installed).
"""

from __future__ import annotations

import csv
import glob
import os
import sys

import numpy as np
import yaml

GROUPS = ["poor_pension_contributors", "poor_pension_contributors_contiguous", "poor_pension_contributors_disabled",
          "disabled_pension_contributors", "pension_recipients", "medical_tekun", "medical_dibao", "medical_poor",
          "rural_registered_poor"]
SUBSIDIES = ["pension_contribution", "pension_contribution_disabled", "basic_pension_increase",
             "medical_contribution_subsidy", "supplementary_medical"]
PAYERS = {"pension_contribution": ["province", "city", "county"], "pension_contribution_disabled": ["province"],
          "basic_pension_increase": ["province", "city", "county"], "medical_contribution_subsidy": ["city", "county"],
          "supplementary_medical": ["province", "city", "county"]}
# The province's rules (陕人社发〔2017〕60号), as an OpenFisca parameter tree
PARAMETERS = {
    "pension_contribution": {"rate": {"values": {"2018-01-01": 50}},
                             "province_share": {"values": {"2018-01-01": 0.5}}},
    "pension_contribution_disabled": {"rate": {"values": {"2018-01-01": 100}}},
    "basic_pension_increase": {"rate_per_month": {"values": {"2018-01-01": 5}},
                               "province_share": {"values": {"2018-01-01": 0.5}}},
    "supplementary_medical": {"rate": {"values": {"2018-01-01": 70}},
                              "province_share": {"values": {"2018-01-01": 0.3}},
                              "city_share": {"values": {"2018-01-01": 0.3}}},
}
LOCAL = ["local_city_share", "medical_city_share", "rate_tekun", "rate_dibao", "rate_poor"]


def read_inputs(folder: str, year: int) -> tuple[list[str], dict[str, np.ndarray]]:
    """Headcounts per county (csv module), and each county's city values from the city files."""
    counts: dict[str, dict[str, int]] = {}
    with open(os.path.join(folder, "headcounts.csv"), encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(line for line in handle if not line.startswith("#")):
            if int(row["year"]) == year:
                counts.setdefault(row["region_code"], {})[row["group"]] = int(row["headcount"])
    local: dict[str, dict[str, float]] = {}
    for path in glob.glob(os.path.join(folder, "city-*.yaml")):
        with open(path, encoding="utf-8") as handle:
            city = yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        subsidies = city["subsidies"]
        medical = subsidies["medical_contribution_subsidy"]
        local[city["regions"]["scope"]] = {
            "local_city_share": _share(subsidies["pension_contribution"]["pools"]["local"][0]["split"]["city"]),
            "medical_city_share": _share(medical["shares"][0]["split"]["city"]),
            "rate_tekun": float(medical["rate"]["medical_tekun"][0]["value"]),
            "rate_dibao": float(medical["rate"]["medical_dibao"][0]["value"]),
            "rate_poor": float(medical["rate"]["medical_poor"][0]["value"]),
        }
    codes = sorted(counts)
    arrays = {g: np.array([counts[c][g] for c in codes], dtype=np.float32) for g in GROUPS}
    for key in LOCAL:
        arrays[key] = np.array([local[c[:4] + "00"][key] for c in codes], dtype=np.float32)
    return codes, arrays


def _share(text: str) -> float:
    return float(str(text).rstrip("%")) / 100


def float_amounts(arrays: dict[str, np.ndarray], p: dict) -> dict[tuple[str, str], np.ndarray]:
    """The rules in float32: total = persons × rate, each payer's part = total × its share."""
    f = np.float32
    out = {}
    persons = (arrays["poor_pension_contributors"] - arrays["poor_pension_contributors_contiguous"]
               - arrays["poor_pension_contributors_disabled"])
    total = persons * f(p["pension_contribution"]["rate"])
    province = total * f(p["pension_contribution"]["province_share"])
    local = total - province
    out["pension_contribution", "province"] = province
    out["pension_contribution", "city"] = local * arrays["local_city_share"]
    out["pension_contribution", "county"] = local * (f(1) - arrays["local_city_share"])
    out["pension_contribution_disabled", "province"] = (arrays["disabled_pension_contributors"]
                                                        * f(p["pension_contribution_disabled"]["rate"]))
    total = arrays["pension_recipients"] * f(p["basic_pension_increase"]["rate_per_month"]) * f(12)
    province = total * f(p["basic_pension_increase"]["province_share"])
    local = total - province
    out["basic_pension_increase", "province"] = province
    out["basic_pension_increase", "city"] = local * arrays["local_city_share"]
    out["basic_pension_increase", "county"] = local * (f(1) - arrays["local_city_share"])
    total = (arrays["medical_tekun"] * arrays["rate_tekun"] + arrays["medical_dibao"] * arrays["rate_dibao"]
             + arrays["medical_poor"] * arrays["rate_poor"])
    out["medical_contribution_subsidy", "city"] = total * arrays["medical_city_share"]
    out["medical_contribution_subsidy", "county"] = total * (f(1) - arrays["medical_city_share"])
    total = arrays["rural_registered_poor"] * f(p["supplementary_medical"]["rate"])
    out["supplementary_medical", "province"] = total * f(p["supplementary_medical"]["province_share"])
    out["supplementary_medical", "city"] = total * f(p["supplementary_medical"]["city_share"])
    out["supplementary_medical", "county"] = total * (f(1) - f(p["supplementary_medical"]["province_share"])
                                                      - f(p["supplementary_medical"]["city_share"]))
    return out


def openfisca_amounts(codes: list[str], arrays: dict[str, np.ndarray], year: int) -> dict[tuple[str, str], np.ndarray]:
    """The same rules as an OpenFisca tax-benefit system: one variable per subsidy and payer,
    computed by a simulation over every county (the entity)."""
    from openfisca_core.entities import build_entity
    from openfisca_core.parameters import ParameterNode
    from openfisca_core.periods import DateUnit
    from openfisca_core.simulations import SimulationBuilder
    from openfisca_core.taxbenefitsystems import TaxBenefitSystem
    from openfisca_core.variables import Variable

    County = build_entity(key="county", plural="counties", label="county", is_person=True)

    class System(TaxBenefitSystem):
        def __init__(self) -> None:
            super().__init__([County])
            self.parameters = ParameterNode("", data=PARAMETERS)

    system = System()

    def input_variable(name: str) -> type:
        return type(name, (Variable,), {"value_type": float, "entity": County, "definition_period": DateUnit.YEAR,
                                        "label": name})

    for name in GROUPS + LOCAL:
        system.add_variable(input_variable(name))

    f = np.float32
    # one variable per subsidy total and per payer, as an OpenFisca model would declare them
    formulas = {
        "pension_contribution__total": lambda c, t, p: (
            c("poor_pension_contributors", t) - c("poor_pension_contributors_contiguous", t)
            - c("poor_pension_contributors_disabled", t)) * f(p(t).pension_contribution.rate),
        "pension_contribution__province": lambda c, t, p: (
            c("pension_contribution__total", t) * f(p(t).pension_contribution.province_share)),
        "pension_contribution__local": lambda c, t, p: (
            c("pension_contribution__total", t) - c("pension_contribution__province", t)),
        "pension_contribution__city": lambda c, t, p: c("pension_contribution__local", t) * c("local_city_share", t),
        "pension_contribution__county": lambda c, t, p: (
            c("pension_contribution__local", t) * (f(1) - c("local_city_share", t))),
        "pension_contribution_disabled__province": lambda c, t, p: (
            c("disabled_pension_contributors", t) * f(p(t).pension_contribution_disabled.rate)),
        "basic_pension_increase__total": lambda c, t, p: (
            c("pension_recipients", t) * f(p(t).basic_pension_increase.rate_per_month) * f(12)),
        "basic_pension_increase__province": lambda c, t, p: (
            c("basic_pension_increase__total", t) * f(p(t).basic_pension_increase.province_share)),
        "basic_pension_increase__local": lambda c, t, p: (
            c("basic_pension_increase__total", t) - c("basic_pension_increase__province", t)),
        "basic_pension_increase__city": lambda c, t, p: (
            c("basic_pension_increase__local", t) * c("local_city_share", t)),
        "basic_pension_increase__county": lambda c, t, p: (
            c("basic_pension_increase__local", t) * (f(1) - c("local_city_share", t))),
        "medical_contribution_subsidy__total": lambda c, t, p: (
            c("medical_tekun", t) * c("rate_tekun", t) + c("medical_dibao", t) * c("rate_dibao", t)
            + c("medical_poor", t) * c("rate_poor", t)),
        "medical_contribution_subsidy__city": lambda c, t, p: (
            c("medical_contribution_subsidy__total", t) * c("medical_city_share", t)),
        "medical_contribution_subsidy__county": lambda c, t, p: (
            c("medical_contribution_subsidy__total", t) * (f(1) - c("medical_city_share", t))),
        "supplementary_medical__total": lambda c, t, p: (
            c("rural_registered_poor", t) * f(p(t).supplementary_medical.rate)),
        "supplementary_medical__province": lambda c, t, p: (
            c("supplementary_medical__total", t) * f(p(t).supplementary_medical.province_share)),
        "supplementary_medical__city": lambda c, t, p: (
            c("supplementary_medical__total", t) * f(p(t).supplementary_medical.city_share)),
        "supplementary_medical__county": lambda c, t, p: c("supplementary_medical__total", t) * (
            f(1) - f(p(t).supplementary_medical.province_share) - f(p(t).supplementary_medical.city_share)),
    }

    def formula_variable(name: str, rule) -> type:
        def formula(county, period, parameters):
            return rule(county, period, parameters)

        return type(name, (Variable,), {"value_type": float, "entity": County, "definition_period": DateUnit.YEAR,
                                        "label": name, "formula": formula})

    for name, rule in formulas.items():
        system.add_variable(formula_variable(name, rule))
    simulation = SimulationBuilder().build_default_simulation(system, len(codes))
    for name in GROUPS + LOCAL:
        simulation.set_input(name, str(year), arrays[name])
    return {(s, p): simulation.calculate(f"{s}__{p}", str(year)) for s in SUBSIDIES for p in PAYERS[s]}


def main() -> None:
    folder, out = sys.argv[1], sys.argv[2]
    year = int(sys.argv[3]) if len(sys.argv) > 3 else 2018
    codes, arrays = read_inputs(folder, year)
    if os.environ.get("PEER_NUMPY"):
        p = {k: {n: v["values"]["2018-01-01"] for n, v in rules.items()} for k, rules in PARAMETERS.items()}
        amounts = float_amounts(arrays, p)
    else:
        amounts = openfisca_amounts(codes, arrays, year)
    headcounts = {
        "pension_contribution": arrays["poor_pension_contributors"] - arrays["poor_pension_contributors_contiguous"]
        - arrays["poor_pension_contributors_disabled"],
        "pension_contribution_disabled": arrays["disabled_pension_contributors"],
        "basic_pension_increase": arrays["pension_recipients"],
        "medical_contribution_subsidy": arrays["medical_tekun"] + arrays["medical_dibao"] + arrays["medical_poor"],
        "supplementary_medical": arrays["rural_registered_poor"],
    }
    rounded = {key: np.round(value, 2) for key, value in amounts.items()}
    with open(out, "w", encoding="utf-8", newline="") as handle:
        handle.write("year,region_code,region_name,subsidy,payer,headcount,amount\n")
        for i, code in enumerate(codes):
            for subsidy in SUBSIDIES:
                count = int(headcounts[subsidy][i])
                for payer in PAYERS[subsidy]:
                    handle.write(f"{year},{code},县{code},{subsidy},{payer},{count},{rounded[subsidy, payer][i]:.2f}\n")


if __name__ == "__main__":
    main()
