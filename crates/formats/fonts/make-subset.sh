#!/bin/sh
# Remakes the font subset and the character list in this folder (see README.md). Run once by
# hand on Debian 12; the build never runs it. Needs the Debian packages fonts-noto-cjk,
# unicode-data and python3-fonttools.
set -eu
cd "$(dirname "$0")"

# 通用规范汉字表 (2013): every ideograph that Unihan gives a kTGH position ("2013:NNNN"),
# in the table's own order. Each line: position, code point, character.
bzcat /usr/share/unicode/Unihan_OtherMappings.txt.bz2 | /usr/bin/python3 -c '
import sys
rows = []
for line in sys.stdin:
    fields = line.rstrip("\n").split("\t")
    if len(fields) == 3 and fields[1] == "kTGH":
        rows.append((int(fields[2].split(":")[1]), fields[0]))
for position, codepoint in sorted(rows):
    print(f"{position}\t{codepoint}\t{chr(int(codepoint[2:], 16))}")
' > tongyong-guifan-hanzi-2013.txt
test "$(wc -l < tongyong-guifan-hanzi-2013.txt)" -eq 8105

# Code points to keep: the table above, then ASCII, Latin-1 (·, ×), general punctuation
# (— … ‘’ “”), CJK symbols and punctuation (、。〇《》「」【】), fullwidth forms (，：（）).
{
  cut -f 2 tongyong-guifan-hanzi-2013.txt
  echo 'U+0020-007E U+00A0-00FF U+2010-2027 U+2030-203B U+3000-303F U+FF01-FF5E U+FF5F-FFEF'
} > unicodes.txt

# Font number 2 of the collection is Noto Serif CJK SC.
/usr/bin/python3 -m fontTools.subset /usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc \
  --font-number=2 \
  --unicodes-file=unicodes.txt \
  --layout-features='*' \
  --name-IDs='*' --name-languages='*' \
  --no-hinting \
  --output-file=NotoSerifCJKsc-Regular-subset.otf
rm unicodes.txt
