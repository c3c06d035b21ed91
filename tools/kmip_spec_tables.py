"""Reads the KMIP specification (OASIS HTML) and extracts its tag and enumeration tables.

Facts only (names and numbers); used by gen_kmip_dictionary.py.
"""
import html
import re
from html.parser import HTMLParser


def normalize(name: str) -> str:
    """KMIP Additional Message Encodings 4.1.3: text of a tag/enumeration -> CamelCase."""
    # The HTML carries stray replacement characters and non-breaking spaces inside names.
    name = name.replace('\ufffd', ' ').replace('\u00a0', ' ').replace('\u2013', '-').replace('\u2019', "'").strip()
    no_brackets = re.sub(r'[()]', ' ', name)
    non_word_to_space = re.sub(r'\W([A-Za-z][a-z])', r' \1', no_brackets)
    words = [re.sub(r'\W', '_', s) for s in non_word_to_space.split()]
    if not words:
        return ''
    words[0] = re.sub(r'^(\d+)(.*)', r'\2\1', words[0])
    words = [w[0].upper() + w[1:] if w else w for w in words]
    return ''.join(words)


class _Tables(HTMLParser):
    """Collects (heading text before the table, rows of cell texts) for every <table>."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tables = []
        self._last_heading = ''
        self._in_heading = False
        self._heading_buf = []
        self._depth = 0
        self._rows = None
        self._cell = None
        self._row = None

    def handle_starttag(self, tag, attrs):
        if re.fullmatch(r'h[1-6]', tag) and self._depth == 0:
            self._in_heading = True
            self._heading_buf = []
        elif tag == 'table':
            self._depth += 1
            if self._depth == 1:
                self._rows = []
        elif tag == 'tr' and self._depth == 1:
            self._row = []
        elif tag in ('td', 'th') and self._depth == 1:
            self._cell = []

    def handle_endtag(self, tag):
        if re.fullmatch(r'h[1-6]', tag) and self._in_heading:
            self._in_heading = False
            self._last_heading = re.sub(r'\s+', ' ', ''.join(self._heading_buf)).strip()
        elif tag == 'table':
            if self._depth == 1:
                self.tables.append((self._last_heading, self._rows))
            self._depth -= 1
        elif tag == 'tr' and self._depth == 1 and self._row is not None:
            self._rows.append(self._row)
            self._row = None
        elif tag in ('td', 'th') and self._depth == 1 and self._cell is not None:
            if self._row is not None:
                self._row.append(re.sub(r'\s+', ' ', ''.join(self._cell)).strip())
            self._cell = None

    def handle_data(self, data):
        if self._in_heading:
            self._heading_buf.append(data)
        if self._cell is not None:
            self._cell.append(data)


def read_tables(path):
    parser = _Tables()
    with open(path, encoding='utf-8', errors='replace') as f:
        parser.feed(f.read())
    return parser.tables


def _hex_value(text):
    text = text.replace(' ', '').replace('\u00a0', '')
    if re.fullmatch(r'(0x)?[0-9A-Fa-f]+', text):
        return int(text, 16)
    return None


def extract(path):
    """Returns (tags: {name: code}, enums: {EnumName: {ValueName: value}}, masks: {MaskName: {bit: value}})."""
    tags, enums, masks = {}, {}, {}
    for heading, rows in read_tables(path):
        title = re.sub(r'^[\d.\s]+', '', heading).strip()
        if not rows:
            continue
        # Each value table starts with a title row, then a "Name | Value" header row.
        start = next((i for i, row in enumerate(rows[:3])
                      if len(row) >= 2 and row[0].lower() in ('name', 'object') and row[-1].lower() in ('value', 'tag value')), None)
        if start is None:
            continue
        pairs = []
        for row in rows[start + 1:]:
            if len(row) < 2:
                continue
            value = _hex_value(row[-1])
            if value is None or not row[0] or row[0].startswith('(') or row[0].lower().startswith('extensions'):
                continue
            pairs.append((normalize(row[0]), value))
        if not pairs:
            continue
        if title in ('Tag Enumeration', 'Tags'):
            for name, value in pairs:
                if 0x420000 < value < 0x430000:
                    tags.setdefault(name, value)
        elif title.endswith('Enumeration'):
            enums.setdefault(normalize(title[: -len('Enumeration')]), {}).update(dict(pairs))
        elif title.endswith('Mask') or title in ('Cryptographic Usage Mask', 'Protection Storage Mask', 'Storage Status Mask'):
            masks.setdefault(normalize(title), {}).update(dict(pairs))
    return tags, enums, masks
