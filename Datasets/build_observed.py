#!/usr/bin/env python3
"""Builds Datasets/observed/*.csv from the public figures in ../shared/data.

Every output row is one observation: series,group,period,value,unit,source.
- group: SLV, GTM, HND, MEX, OTH (CBP's "Other" citizenship group), ALL, or an ISO3 code.
- period: YYYY-MM (calendar month), FYyyyy (US fiscal year, Oct to Sep) or yyyy (calendar year).
Nothing is interpolated, smoothed or imputed: a figure the publisher did not print has no row.
Run from the repository root:  python3 Datasets/build_observed.py [PATH/TO/shared/data]
"""
import csv
import os
import sys
from collections import defaultdict

SOURCE_DIR = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data")
OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "observed")
GROUP = {"El Salvador": "SLV", "Guatemala": "GTM", "Honduras": "HND", "Mexico": "MEX", "Other": "OTH",
         "Other (derived: ALL minus 4)": "OTH", "ALL": "ALL", "Cuba": "CUB", "Haiti": "HTI",
         "Nicaragua": "NIC", "Venezuela": "VEN", "United States": "USA"}


def read(name):
    with open(os.path.join(SOURCE_DIR, name), newline="") as handle:
        return list(csv.DictReader(handle))


def number(text):
    value = float(text)
    return str(int(value)) if value == int(value) else repr(value)


def write(name, rows):
    rows = sorted(rows, key=lambda r: (r[0], r[1], r[2]))
    with open(os.path.join(OUT_DIR, name), "w", newline="") as handle:
        out = csv.writer(handle, lineterminator="\n")
        out.writerow(["series", "group", "period", "value", "unit", "source"])
        out.writerows(rows)
    print(f"{name}: {len(rows)} rows")


CBP = "U.S. Customs and Border Protection, Southwest Land Border Encounters (dashboard FY2020-21; CSV FY22-FY25 August)"
OHSS_USBP = "DHS Office of Homeland Security Statistics, Key Homeland Security Metrics: CBP Encounters (USBP), release fy25m11"


def encounters():
    rows = []
    totals = defaultdict(int)
    by_component = defaultdict(int)
    expulsions = defaultdict(int)
    for r in read("cbp_sw_border_encounters_monthly_fy2020_fy2025.csv"):
        key = (GROUP[r["country"]], r["period"])
        value = int(float(r["value"]))
        totals[key] += value
        component = "usbp" if r["component"] == "U.S. Border Patrol" else "ofo"
        by_component[(component,) + key] += value
        if r["title_of_authority"] == "Title 42":
            expulsions[key] += value
    for table in (totals, expulsions):
        for (group, period), value in list(table.items()):
            table[("ALL", period)] = table.get(("ALL", period), 0) + value
    for (component, group, period), value in list(by_component.items()):
        by_component[(component, "ALL", period)] = by_component.get((component, "ALL", period), 0) + value
    unit = "encounter events (repeat crossers counted each time)"
    for (group, period), value in totals.items():
        rows.append(["cbp_sw_encounters", group, period, str(value), unit, CBP])
    for (component, group, period), value in by_component.items():
        rows.append([f"cbp_sw_encounters_{component}", group, period, str(value), unit, CBP])
    for (group, period), value in expulsions.items():
        rows.append(["cbp_sw_title42_expulsions", group, period, str(value), unit, CBP])
    for r in read("usbp_sw_encounters_by_citizenship_monthly_fy2000_fy2025.csv"):
        rows.append(["usbp_sw_encounters", GROUP[r["country"]], r["period"], number(r["value"]),
                     "encounter events between ports, rounded to 10 by OHSS" + ("; OTH = ALL minus the four named countries (±40)" if r["country"].startswith("Other") else ""),
                     OHSS_USBP])
    write("sw_border_encounters_monthly.csv", rows)


# Immigration-judge headcounts found and cited in this project (not in the shared folder).
# Each is a point value as its publisher printed it; none is interpolated here.
JUDGES_FOUND = [
    ("2016-09", "289", "immigration judges on board, end of FY2016",
     "EOIR, as quoted by the Center for Immigration Studies (A. Arthur, 'Immigration Court Completions Drop to 28-Year Lows', 2021)"),
    ("2019-09", "442", "immigration judges on board, FY2019 (derived: 23,082 completions a month / 52.2 per judge, both as quoted)",
     "EOIR, as quoted by the Center for Immigration Studies (A. Arthur, 2021)"),
    ("2021-06", "543", "immigration judges on board, third quarter of FY2021",
     "EOIR, as quoted by the Center for Immigration Studies (A. Arthur, 2021)"),
    ("2025-01", "700", "immigration judges on board (approximate: 'roughly 700')",
     "press reports of July 2025 on EOIR dismissals (particle.news summary of Reuters/NBC reporting)"),
    ("2025-07", "600", "immigration judges on board (approximate: 'about 600')",
     "press reports of July 2025 on EOIR dismissals (particle.news summary of Reuters/NBC reporting)"),
]


def courts():
    rows = []
    names = {"eoir_pending_cases_end_fy": "eoir_pending_end_fy", "eoir_initial_receipts": "eoir_initial_receipts",
             "eoir_total_completions": "eoir_total_completions"}
    for r in read("eoir_caseload_and_judges_fy2008_fy2021.csv"):
        series, period, vintage = r["series"], r["period"], r["vintage"]
        if series in names and period.startswith("FY") and len(period) == 6:
            if vintage == "EOIR 2021-04-19":
                rows.append([names[series], "ALL", period, number(r["value"]), "cases",
                             "EOIR Adjudication Statistics, Pending Cases, New Cases, and Total Completions (data generated 2021-04-19)"])
            elif vintage.startswith("EOIR 2025-07-31"):
                rows.append([names[series] + "_v2025", "ALL", period, number(r["value"]), "cases",
                             "EOIR Adjudication Statistics, Pending Cases, New Cases, and Total Completions (data generated 2025-07-31; secondary transcription)"])
        elif series == "eoir_immigration_judges":
            month = {"2017-06": "2017-06", "2018-07": "2018-07", "2022-12 (end of CY2022)": "2022-12",
                     "2023-12": "2023-12", "FY2023-Q2 end (Mar 2023)": "2023-03"}[period]
            rows.append(["eoir_immigration_judges", "ALL", month, number(r["value"]),
                         "immigration judges on board" + (" (approximate)" if r["qualifier"].startswith("approx") else ""),
                         {"EOIR via CIS": "EOIR, as quoted by the Center for Immigration Studies", "EOIR via TRAC": "EOIR, as reported by TRAC Immigration",
                          "CRS": "Congressional Research Service R47637"}[vintage]])
        elif series == "eoir_pending_cases_trac" and r["qualifier"] == "exact":
            rows.append(["trac_pending_cases", "ALL", period[:7], number(r["value"]), "cases (TRAC's definitions, from EOIR case records)",
                         "TRAC Immigration, Immigration Court Backlog Tool"])
    for r in read("eoir_caseload_fy2022_fy2024.csv"):
        if r["series"] in names and r["vintage"].startswith("EOIR 2025-07-31"):
            rows.append([names[r["series"]] + "_v2025", "ALL", r["period"], number(r["value"]), "cases",
                         "EOIR Adjudication Statistics, Pending Cases, New Cases, and Total Completions (data generated 2025-07-31; secondary transcription)"])
    for month, value, unit, source in JUDGES_FOUND:
        rows.append(["eoir_immigration_judges", "ALL", month, value, unit, source])
    for r in read("eoir_asylum_decisions_by_nationality_fy2018_fy2021.csv"):
        if r["series"] in ("eoir_asylum_grants", "eoir_asylum_denials", "eoir_asylum_decisions_total", "eoir_asylum_other_decisions"):
            unit = "decisions (initial case completions with an asylum application)" + ("; FY2020 through 30 Jun 2020 only" if r["period"] == "FY2020" else "")
            rows.append([r["series"], GROUP[r["country"]], r["period"], number(r["value"]), unit,
                         "EOIR Adjudication Statistics, Asylum Decision Rates by Nationality (release of " + r["data_generated"] + ")"])
    write("immigration_courts.csv", rows)


def region():
    rows = []
    for r in read("population_worldbank_2010_2024.csv"):
        rows.append(["population", r["iso3"], r["period"], number(r["value"]), "persons (mid-year)", "World Bank WDI SP.POP.TOTL"])
    for r in read("homicide_rate_unodc_2010_2023.csv"):
        if r["series"] == "homicide_rate":
            rows.append(["homicide_rate", r["iso3"], r["period"], number(r["value"]), "intentional homicides per 100,000 population",
                         "UNODC intentional homicide statistics, via Our World in Data"])
    for r in read("mexico_asylum_applications_by_nationality_2012_2025.csv"):
        if r["series"] == "mexico_asylum_applications" and len(r["period"]) == 4:
            rows.append(["mexico_asylum_applications", GROUP[r["country"]], r["period"], number(r["value"]),
                         "persons applying for asylum in Mexico, calendar year",
                         "UNHCR Refugee Data Finder (government data: COMAR)"])
    for r in read("unhcr_displacement_ntca_mex_2010_2025.csv"):
        if r["series"] == "idmc_idps_conflict_violence":
            rows.append(["idps_conflict_violence", GROUP[r["country"]], r["period"], number(r["value"]),
                         "internally displaced persons, end-year stock", "IDMC, via the UNHCR Refugee Data Finder"])
    write("region_annual.csv", rows)


def protection():
    rows = []
    for r in read("mpp_migrant_protection_protocols_2019_2022.csv"):
        if r["series"] == "mpp_enrollments_sw_border" and r["component"] == "CBP total" and len(r["period"]) == 7:
            rows.append(["mpp_enrollments", "ALL", r["period"], number(r["value"]), "persons enrolled in MPP at the Southwest border",
                         "CBP, Migrant Protection Protocols FY2020 and FY2021 monthly tables"])
        elif r["series"] == "mpp_winddown_admitted_to_us" and len(r["period"]) == 7:
            rows.append(["mpp_winddown_admitted", "ALL", r["period"], number(r["value"]), "persons in MPP admitted to the US in the 2021 wind-down",
                         "TRAC Immigration, MPP wind-down data (via A. Kocher)"])
    for r in read("us_refugee_admissions_and_ceilings_fy1980_fy2025.csv"):
        if r["series"] == "us_refugee_admissions" and r["country"] in GROUP and r["period"] != "FY2025" and r["value"]:
            rows.append(["us_refugee_admissions", GROUP[r["country"]], r["period"], number(r["value"]),
                         "refugees admitted, by country of chargeability", "U.S. Department of State PRM, Refugee Admissions Report (WRAPS) as of 31 Dec 2024"])
    for r in read("uscis_credible_fear_fy2006_2021.csv"):
        if r["series"] in ("uscis_credible_fear_found_yes", "uscis_credible_fear_found_no") and r["period"].startswith("FY") and r["period"] != "FY2018":
            rows.append([r["series"], "ALL", r["period"], number(r["value"]), "credible-fear cases decided",
                         "EOIR, Credible Fear in the U.S. Immigration System, Overview of FY2006-Present (2018-05-24)"])
    write("protection_and_pathways.csv", rows)


# Border Patrol "recidivism": the share of Southwest border apprehensions of people
# apprehended before within 12 months, as published (found and cited in this project).
RECIDIVISM_FOUND = [
    ("FY2016", "0.12", "DHS analysis of 2017, as quoted by the Center for Immigration Studies (A. Arthur, 'Understanding Recidivism at the Southwest Border', 2021-09-28)"),
    ("FY2019", "0.07", "CBP, as reported by the Associated Press (2021-10-22: 'a recidivism rate of only 7% two years earlier')"),
    ("FY2021", "0.27", "CBP, as reported by the Associated Press (2021-10-22: 'in 27% of crossings ... stopped at least once in the previous 12 months')"),
]


def enforcement():
    rows = []
    for period, value, source in RECIDIVISM_FOUND:
        rows.append(["usbp_recidivism_share", "ALL", period, value,
                     "share of apprehensions of people apprehended before within 12 months", source])
    for r in read("ice_removals_fy2019_fy2024.csv"):
        rows.append([r["series"], "ALL", r["period"], number(r["value"]),
                     "removals" if r["series"] == "ice_removals" else "removals after an ICE interior arrest",
                     r["source"].split(" (")[0]])
    for r in read("dhs_yearbook_enforcement_fy2005_fy2022.csv"):
        if r["series"] == "dhs_removals_nationwide":
            rows.append(["dhs_removals", "ALL", r["period"], number(r["value"]), "removals by all of DHS (ICE and CBP)",
                         "DHS OHSS, Yearbook of Immigration Statistics FY2022, table 39"])
    write("enforcement.csv", rows)


if __name__ == "__main__":
    os.makedirs(OUT_DIR, exist_ok=True)
    encounters()
    courts()
    region()
    protection()
    enforcement()
