"""Fill msgstr in a .po file from a {msgid: msgstr} JSON-ish Python dict file (dev helper)."""

import sys

import polib

po_path, table_path = sys.argv[1], sys.argv[2]
table: dict[str, str] = {}
with open(table_path, encoding="utf-8") as fh:
    exec(fh.read(), {}, {"T": table})  # noqa: S102
po = polib.pofile(po_path)
missing = []
for entry in po:
    if entry.msgid in table:
        entry.msgstr = table[entry.msgid]
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
    elif not entry.msgstr:
        missing.append(entry.msgid)
po.metadata["Content-Type"] = "text/plain; charset=UTF-8"
po.metadata["Language"] = "uk"
po.save()
print("missing:", missing)
