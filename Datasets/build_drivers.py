#!/usr/bin/env python3
"""Derives the model's observed drivers (Datasets/models/drivers/*.csv) from Datasets/observed.

Each driver is a ratio or a rate computed from published figures, as its header comment in
Docs/regional-model.md explains; none is smoothed or interpolated. Run from the repository root:
    python3 Datasets/build_drivers.py
"""
import csv
import os
from collections import defaultdict

ROOT = os.path.dirname(os.path.abspath(__file__))
OBSERVED = os.path.join(ROOT, "observed")
DRIVERS = os.path.join(ROOT, "models", "drivers")
GROUPS = ["SLV", "GTM", "HND", "MEX", "OTH"]


def observations():
    table = defaultdict(dict)
    for name in sorted(os.listdir(OBSERVED)):
        if name.endswith(".csv"):
            with open(os.path.join(OBSERVED, name), newline="") as handle:
                for row in csv.DictReader(handle):
                    table[row["series"]][(row["group"], row["period"])] = float(row["value"])
    return table


def months(first, last):
    year, month = map(int, first.split("-"))
    while f"{year:04d}-{month:02d}" <= last:
        yield f"{year:04d}-{month:02d}"
        month += 1
        if month == 13:
            year, month = year + 1, 1


def fiscal_year(month):
    year, m = map(int, month.split("-"))
    return year + 1 if m >= 10 else year


def write(name, header, rows):
    with open(os.path.join(DRIVERS, name), "w", newline="") as handle:
        out = csv.writer(handle, lineterminator="\n")
        out.writerow(header)
        out.writerows(rows)
    print(f"{name}: {len(rows)} rows")


def share(numerator, denominator):
    return round(numerator / denominator, 6) if denominator > 0 else 0


def main():
    data = observations()
    encounters = data["cbp_sw_encounters"]
    expelled = data["cbp_sw_title42_expulsions"]
    # Title 42: expulsions as a share of all Southwest border encounters, by nationality and month.
    rows = []
    for month in months("2020-03", "2023-05"):
        rows.append([month] + [share(expelled.get((g, month), 0), encounters.get((g, month), 0)) for g in GROUPS])
    rows.append(["2023-06"] + [0] * len(GROUPS))
    write("title42-expulsion-share.csv", ["month"] + GROUPS, rows)

    # MPP: enrollments as a share of Title 8 encounters of non-Mexican nationals.
    enrollments = data["mpp_enrollments"]
    usbp = dict(data["usbp_sw_encounters"])
    # OHSS's table ends in November 2024; CBP's own USBP component continues it.
    for key, value in data["cbp_sw_encounters_usbp"].items():
        if key[1] >= "2024-12":
            usbp.setdefault(key, value)
    non_mexican = ["SLV", "GTM", "HND", "OTH"]

    def title8(month):
        return sum(encounters.get((g, month), 0) - expelled.get((g, month), 0) for g in non_mexican)

    monthly_2020 = sum(enrollments[("ALL", m)] for m in months("2020-01", "2021-01"))
    # 2019: no monthly table; "nearly 70,000" returned in all of MPP 1.0 minus the monthly
    # enrollments of Jan 2020-Jan 2021, over the non-Mexican USBP encounters of 2019.
    enrolled_2019 = 70000 - monthly_2020
    usbp_2019 = sum(usbp.get((g, m), 0) for g in non_mexican for m in months("2019-01", "2019-12"))
    rows = []
    for month in months("2019-01", "2019-12"):
        rows.append([month] + [share(enrolled_2019, usbp_2019) if g != "MEX" else 0 for g in GROUPS])
    for month in months("2020-01", "2021-01"):
        rows.append([month] + [share(enrollments[("ALL", month)], title8(month)) if g != "MEX" else 0 for g in GROUPS])
    rows.append(["2021-02"] + [0] * len(GROUPS))
    write("mpp-enrollment-share.csv", ["month"] + GROUPS, rows)

    # Ports of entry: OFO encounters at the Southwest border, all nationalities, per month.
    ofo = data["cbp_sw_encounters_ofo"]
    write("port-processing.csv", ["month", "value"],
          [[m, int(sum(ofo.get((g, m), 0) for g in GROUPS))] for m in months("2019-10", "2025-08")])

    # Refugee admissions per month: each fiscal year's published total over its 12 months.
    admissions = data["us_refugee_admissions"]
    rows = []
    for fy in range(2013, 2025):
        for month in months(f"{fy - 1}-10", f"{fy}-09"):
            rows.append([month] + [round(admissions.get((g, f"FY{fy}"), 0) / 12, 4) if g in ("SLV", "GTM", "HND") else 0 for g in GROUPS])
    # FY2025 has no admissions by country in the data: October 2024 - January 2025 hold FY2024's
    # rate (the series' rule), and from February 2025 none: EO 14163 (2025-01-20) suspended the
    # refugee program from 2025-01-27.
    rows.append(["2025-02"] + [0] * len(GROUPS))
    write("refugee-admissions.csv", ["month"] + GROUPS, rows)

    # Removals a month: ICE removals of each fiscal year over its 12 months (FY2019-FY2024);
    # before FY2019 the DHS Yearbook's removals by all of DHS (a wider scope: CBP's removals too).
    ice, dhs = data["ice_removals"], data["dhs_removals"]
    rows = []
    for fy in range(2013, 2025):
        total = ice.get(("ALL", f"FY{fy}"), dhs.get(("ALL", f"FY{fy}")))
        rows.extend([month, round(total / 12, 4)] for month in months(f"{fy - 1}-10", f"{fy}-09"))
    write("removals.csv", ["month", "value"], rows)

    # Claims in Mexico per encounter at the US border: asylum applications in Mexico in a
    # calendar year over USBP Southwest border encounters of the same year, by nationality
    # (OTH: all applicants but Salvadorans, Guatemalans and Hondurans; Mexicans do not apply).
    applications = data["mexico_asylum_applications"]
    rows = []
    for year in range(2013, 2026):
        year_months = list(months(f"{year}-01", f"{year}-12"))
        if not all(("ALL", m) in usbp for m in year_months) or ("ALL", str(year)) not in applications:
            continue  # a year needs all twelve months of encounters and the year's applications
        crossings = {g: sum(usbp.get((g, m), 0) for m in year_months) for g in GROUPS}
        claims = {g: applications.get((g, str(year)), 0) for g in ("SLV", "GTM", "HND")}
        claims["OTH"] = applications[("ALL", str(year))] - sum(claims.values())
        claims["MEX"] = 0
        rows.append([f"{year}-01"] + [share(claims[g], crossings[g]) for g in GROUPS])
    write("mexico-claims-per-crossing.csv", ["month"] + GROUPS, rows)

    # Credible fear: share of decided cases found positive, per fiscal year.
    yes, no = data["uscis_credible_fear_found_yes"], data["uscis_credible_fear_found_no"]
    write("credible-fear-positive-rate.csv", ["month", "value"],
          [[f"{fy - 1}-10", share(yes[("ALL", f"FY{fy}")], yes[("ALL", f"FY{fy}")] + no[("ALL", f"FY{fy}")])]
           for fy in range(2013, 2018) if ("ALL", f"FY{fy}") in yes])


if __name__ == "__main__":
    os.makedirs(DRIVERS, exist_ok=True)
    main()
