#!/usr/bin/python3
"""Independent oracle for the attendance arithmetic.

Usage: figures.py CODES_CSV REGISTER_CSV [REGISTER_CSV ...]

Reads the code table (attendance-codes.csv) and CSV register exports (one row per pupil per session, columns
laestab, upn, date, session, code, ...) and prints per-pupil figures as JSON, keyed by UPN:
possible = present + aea + authorised + unauthorised; attendance % = (present + aea) / possible * 100;
absence % = (authorised + unauthorised) / possible * 100; persistent: absence >= 10% of possible; severe: >= 50%.
A blank code or '-' is missing; a code that is unknown or not valid on its date is invalid; neither is possible.
Written from the DfE rules, not from the Swift code.
"""
import csv
import datetime
import json
import sys


def load_codes(path):
    codes = {}
    with open(path, newline="") as handle:
        for row in csv.DictReader(handle):
            start = datetime.date.fromisoformat(row["valid_from"]) if row["valid_from"] else datetime.date.min
            end = datetime.date.fromisoformat(row["valid_to"]) if row["valid_to"] else datetime.date.max
            codes[row["code"]] = (row["category"], start, end)
    return codes


def main():
    codes = load_codes(sys.argv[1])
    pupils = {}
    for path in sys.argv[2:]:
        with open(path, newline="") as handle:
            for row in csv.DictReader(handle):
                if None in row or None in row.values():
                    continue  # a row with the wrong number of fields is not a session
                figures = pupils.setdefault(row["upn"], {
                    "present": 0, "aea": 0, "authorised": 0, "unauthorised": 0, "not_counted": 0, "missing": 0,
                    "invalid": 0})
                code = row["code"] or "-"
                day = datetime.date.fromisoformat(row["date"])
                entry = codes.get(code)
                if entry is None or not (entry[1] <= day <= entry[2]):
                    figures["invalid"] += 1
                else:
                    figures[entry[0]] += 1
    for figures in pupils.values():
        possible = figures["present"] + figures["aea"] + figures["authorised"] + figures["unauthorised"]
        absent = figures["authorised"] + figures["unauthorised"]
        figures["possible"] = possible
        figures["attendance_rate"] = (figures["present"] + figures["aea"]) / possible * 100 if possible else None
        figures["absence_rate"] = absent / possible * 100 if possible else None
        figures["persistent"] = possible > 0 and absent * 10 >= possible
        figures["severe"] = possible > 0 and absent * 2 >= possible
    json.dump(pupils, sys.stdout, sort_keys=True)


if __name__ == "__main__":
    main()
