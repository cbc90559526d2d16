#!/usr/bin/env python3
"""catch-counts.py NAME REPORT.xml: counts the test cases of a Catch2 v2 XML report
(`-r xml -o REPORT.xml`) as passed, skipped (a case that passed after a WARN("skipped: ...")
naming why it could not run here) and failed, prints them with each skip reason and each
failed case, and exits non-zero when a case failed or the report is missing or cut short
(the binary crashed)."""
import sys
import xml.etree.ElementTree as ET


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: catch-counts.py NAME REPORT.xml")
    name, path = sys.argv[1], sys.argv[2]
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError) as e:
        print("%s: no complete report in %s (%s): the binary did not finish" % (name, path, e))
        sys.exit(1)
    passed, skipped, failed = 0, [], []
    for case in root.iter("TestCase"):
        result = case.find("OverallResult")
        ok = result is not None and result.get("success") == "true"
        reasons = [(w.text or "").strip() for w in case.iter("Warning")]
        reasons = [r for r in reasons if r.startswith("skipped")]
        if not ok:
            failed.append(case.get("name"))
        elif reasons:
            skipped.append((case.get("name"), reasons[0][len("skipped"):].lstrip(": ")))
        else:
            passed += 1
    print("%s: %d passed, %d skipped, %d failed" % (name, passed, len(skipped), len(failed)))
    for case, why in skipped:
        print("  skipped: %s -- %s" % (case, why))
    for case in failed:
        print("  FAILED: %s" % case)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
