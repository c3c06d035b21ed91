#!/usr/bin/env python3
"""Compares core/kms/ops/AttributeRules.cpp with KMIP 2.1 section 4 (the encoding of each attribute,
and its "Modifiable by client", "Deletable by client" and "Multiple instances" rows).

Run from the repository root when the table or the specification changes:
    python3 tools/check_attribute_rules.py ../shared/kmip-spec
Exit status 1 when an encoding differs or a client column differs where no deliberate
deviation (DEVIATIONS below) says why.
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kmip_spec_tables  # noqa: E402

TYPES = {'kStructure': 'Structure', 'kText': 'Text String', 'kEnum': 'Enumeration', 'kInt': 'Integer',
         'kBool': 'Boolean', 'kDate': 'Date-Time', 'kInterval': 'Interval', 'ItemType::ByteString': 'Byte String'}
# Section 4 leaves these encodings blank or names a structure by its own name.
SPEC_TYPE_FIXES = {'KeyFormatType': 'Enumeration', 'NISTKeyType': 'Enumeration', 'KeyValueLocation': 'Structure',
                   'UsageLimits': 'Structure', 'CryptographicDomainParameters': 'Structure',
                   'RandomNumberGenerator': 'Structure', 'RotateDate': 'Date-Time',
                   'UniqueIdentifier': 'Text String'}
# Where kmsd's client columns deliberately differ from section 4, and why.
DEVIATIONS = {
    ('RotateDate', 'modifiable'): 'kmsd lets clients schedule rotation',
    ('RotateInterval', 'modifiable'): 'kmsd lets clients schedule rotation',
    ('RotateInterval', 'deletable'): 'kmsd lets clients schedule rotation',
    ('RotateOffset', 'modifiable'): 'kmsd lets clients schedule rotation',
    ('RotateOffset', 'deletable'): 'kmsd lets clients schedule rotation',
    ('DigitalSignatureAlgorithm', 'multiple'): '"Yes for PGP keys": kmsd allows it',
    ('CryptographicDomainParameters', 'modifiable'): 'section 4 gives no rules row',
    ('UsageLimits', 'modifiable'): 'Usage Limits Total/Unit only: kmsd does not allocate usage',
    ('UsageLimits', 'deletable'): 'as long as Get Usage Allocation has not been performed: never here',
}


def spec_rows(spec_dir):
    out = {}
    for heading, rows in kmip_spec_tables.read_tables(os.path.join(spec_dir, 'kmip-spec-v2.1-os.html')):
        m = re.match(r'^4\.(\d+)\s+(.*)$', heading)
        if not m or not rows:
            continue
        name = kmip_spec_tables.normalize(m.group(2))
        first = rows[0]
        if len(first) >= 2 and first[0].lower().startswith('item') and 'encoding' in first[1].lower():
            out.setdefault(name, {})['type'] = rows[1][1] if len(rows[1]) > 1 else ''
        elif first and first[0].startswith('SHALL always'):
            out.setdefault(name, {})['rules'] = {r[0]: (r[1] if len(r) > 1 else '') for r in rows}
    return out


def table_rows():
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'core', 'kms', 'ops', 'AttributeRules.cpp')
    text = open(path).read()
    pattern = r'Spec\{"(\w+)", ([\w:]+), k(Client|Server), (true|false), (true|false), (true|false), Change::(\w+)\}'
    return {m[0]: {'type': TYPES[m[1]], 'setter': m[2], 'modifiable': m[3] == 'true', 'deletable': m[4] == 'true',
                   'multiple': m[5] == 'true'} for m in re.findall(pattern, text)}


def yes(text):
    return text.strip().lower().startswith('yes')


def main(spec_dir):
    spec, table = spec_rows(spec_dir), table_rows()
    problems = []
    for tag, row in sorted(table.items()):
        s = spec.get(tag)
        if s is None:
            problems.append(f'{tag}: not an attribute of section 4')
            continue
        want = SPEC_TYPE_FIXES.get(tag, s.get('type', '').replace('Date Time', 'Date-Time'))
        if want != row['type']:
            problems.append(f'{tag}: encoding {row["type"]}, section 4 says {want}')
        rules = s.get('rules', {})
        for column, label in (('modifiable', 'Modifiable by client'), ('deletable', 'Deletable by client'),
                              ('multiple', 'Multiple instances permitted')):
            if label in rules and yes(rules[label]) != row[column] and (tag, column) not in DEVIATIONS:
                problems.append(f'{tag}: {column} {row[column]}, section 4 says "{rules[label]}"')
        if rules.get('Initially set by', '').strip() == 'Server' and row['setter'] == 'Client':
            print(f'note: {tag} is "Initially set by Server"; kmsd takes a client value at creation')
    for line in problems:
        print(line)
    print(f'{len(table)} attributes checked, {len(problems)} problems')
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else '../shared/kmip-spec'))
