// Lotse search worker: loads the search index and the wasm runtime, and answers queries off the
// page's main thread so typing never stutters. Dependency-free; works under a strict CSP
// (script-src 'self' 'wasm-unsafe-eval').
//
// Messages in:  {type:"init", manifest, loaded, saveData}   manifest: absolute URL of search/manifest.json; loaded: the
//                                                       manifest, where the page fetched it; saveData: the page's
//                                                       browser asks to save data (workers may not see it themselves)
//               {type:"search", id, query, platform, typing, limit, sections, semantic, rankings}   sections: also the matching sections;
//                                                       semantic: also similar articles (below) when the portal ships them;
//                                                       rankings: "similar" also lists the fused and the meaning-only
//                                                       rankings' first ten URLs (fused, meaning), for the benchmark
//               {type:"semantic-warm"}                 fetch the semantic stage now (the page is idle after a first search)
//               {type:"highlight", id, query, texts}
// Messages out: {type:"ready"} | {type:"error", message}
//               {type:"results", id, query, results:[{url,title,platform,platformName,summary,status,excerpt,sections:[{anchor,heading,excerpt}]}] (rows read by the field names in manifest.docs.fields),
//                suggestion, closest, searchMs}         searchMs: time the index search itself took;
//                                                       suggestion: "Meinten Sie …?" or null; closest: the
//                                                       results are the closest articles, not matches
//                                                       excerptsPending: the excerpts follow in an "excerpts" message
//               {type:"excerpts", id, excerpts, summaries}   each result's excerpt and summary, in the order of "results"
//               {type:"highlighted", id, ranges}       ranges: per text, [[start,end],...] in UTF-16 units
//               {type:"similar", id, query, results, semanticMs}   after "results" of a search with `semantic`: articles
//                                                       of the fused ranking's first places that the shown results lack
//               {type:"semantic-failed", message}      the semantic stage could not load (lexical search goes on)
"use strict";

var wasm = null;
var manifest = null;
/** A result row's field positions by name, from the manifest (`docs.fields`, Rust's RESULT_FIELDS). */
var field = {};
var base = null;
var docs = null; // set when the index is open; chunks of result entries, loaded as results need them
var remote = []; // index files by the id the runtime reads them with: {url, len, whole}
var fragments = new Map();
var fragmentsHere = new Set(); // paths of the texts in `fragments` that have arrived
var pending = [];
var failed = null;
var encoder = new TextEncoder();
var decoder = new TextDecoder();

/** Copies bytes into wasm memory; the runtime takes ownership. */
function put(bytes) {
  var ptr = wasm.lotse_alloc(bytes.length);
  new Uint8Array(wasm.memory.buffer, ptr, bytes.length).set(bytes);
  return ptr;
}

function putString(text) {
  var bytes = encoder.encode(text);
  return [put(bytes), bytes.length];
}

/** Reads a length-prefixed JSON answer from wasm memory. */
function answer(ptr) {
  var length = new DataView(wasm.memory.buffer).getUint32(ptr, true);
  return JSON.parse(decoder.decode(new Uint8Array(wasm.memory.buffer, ptr + 4, length)));
}

function fetchBytes(url) {
  return fetch(url).then(function (response) {
    if (!response.ok) throw new Error("cannot load " + url + " (" + response.status + ")");
    return response.arrayBuffer();
  });
}

/**
 * The bytes of a gzipped file (the blocks of large portals). Lotse stores them compressed, so that a host
 * that compresses nothing sends as few bytes as one that does; a host that sends them with
 * `Content-Encoding: gzip` has had them decompressed by the browser already (no gzip magic).
 */
function fetchGzipped(url) {
  return fetchBytes(url).then(function (buffer) {
    var head = new Uint8Array(buffer, 0, Math.min(2, buffer.byteLength));
    if (head[0] !== 0x1f || head[1] !== 0x8b) return buffer;
    return new Response(new Blob([buffer]).stream().pipeThrough(new DecompressionStream("gzip"))).arrayBuffer();
  });
}

/**
 * The spans of the index files published in chunks by term (a large portal's postings and
 * positions, a small portal's positions), from the layout in the pack: per file, [length, chunk]
 * pairs in file order (search_index::layout). Fills `entry.spans` ([start, length, chunk] each)
 * and `chunkSpans` (chunk → its [file, span] pairs, in the order its bytes hold them).
 */
var chunkSpans = [];

function readLayout(m) {
  var layout = m.chunks && packedFile(m.chunks.layout);
  if (!layout) return {};
  return JSON.parse(decoder.decode(layout));
}

function cutChunks(layout) {
  chunkSpans = [];
  remote.forEach(function (entry, file) {
    var flat = layout[entry.name];
    if (!flat) return;
    entry.spans = [];
    for (var i = 0, start = 0; i + 1 < flat.length; i += 2) {
      var span = entry.spans.length, chunk = flat[i + 1];
      entry.spans.push([start, flat[i], chunk]);
      (chunkSpans[chunk] = chunkSpans[chunk] || []).push([file, span]);
      start += flat[i];
    }
  });
}

/** Chunk n's name: in the pack as it is (chunk 0), on its own gzipped, with ".gz". */
function chunkName(chunk) {
  return manifest.chunks.prefix + "-" + chunk;
}

/** Hands span `span` of index file `file` (its bytes, `bytes`) to the runtime, once. */
function putSpan(file, span, bytes) {
  var entry = remote[file];
  if (!entry.have.has(span) && wasm.lotse_put_block(file, span, put(bytes), bytes.length) === 0) entry.have.add(span);
}

/** Span `span` of a file that is here whole. */
function spanOfWhole(entry, span) {
  var at = entry.spans[span];
  return entry.whole.subarray(at[0], at[0] + at[1]);
}

/** Hands the spans of chunk `chunk` (its bytes, `bytes`) to the runtime. */
function putChunk(chunk, bytes) {
  var at = 0;
  (chunkSpans[chunk] || []).forEach(function (held) {
    var length = remote[held[0]].spans[held[1]][1];
    if (at + length <= bytes.length) putSpan(held[0], held[1], bytes.subarray(at, at + length));
    at += length;
  });
}

/** Files of the pack by their path under search/, once it is loaded (small portals). */
var packed = null;

function packedFile(path) {
  return packed ? packed.get(path) : undefined;
}

/**
 * The runtime's `lotse.read_range` import: copies bytes start..end of index file `file` into wasm
 * memory at `dest`. It must answer synchronously, so it uses a synchronous XMLHttpRequest (allowed
 * in workers) with a Range header; a host that ignores Range sends the whole file, which is kept
 * for all later reads. Returns 0, or a negative number on failure.
 */
function readRange(file, start, end, dest) {
  var entry = remote[file];
  if (!entry) return -1;
  try {
    if (!entry.whole) {
      var xhr = new XMLHttpRequest();
      xhr.open("GET", entry.url, false);
      xhr.responseType = "arraybuffer";
      var whole = start === 0 && end === entry.len;
      if (!whole) xhr.setRequestHeader("Range", "bytes=" + start + "-" + (end - 1));
      xhr.send();
      if (xhr.status === 206 && !whole) {
        new Uint8Array(wasm.memory.buffer, dest, end - start).set(new Uint8Array(xhr.response, 0, end - start));
        return 0;
      }
      if (xhr.status !== 200 || xhr.response.byteLength !== entry.len) return -2;
      entry.whole = new Uint8Array(xhr.response);
    }
    new Uint8Array(wasm.memory.buffer, dest, end - start).set(entry.whole.subarray(start, end));
    return 0;
  } catch (e) {
    return -3;
  }
}

/** Whether a query waits for the index to open: then what it needs first comes first. */
function queryWaits() {
  return pending.some(function (message) { return message.type === "search"; });
}

/**
 * Loads the index described by the manifest at `manifestUrl`. The page may hand over the manifest
 * it fetched while this script was loading (`loaded`): then the runtime and the index are
 * requested at once, one round trip earlier.
 */
function init(manifestUrl, loaded) {
  var got = loaded ? Promise.resolve(loaded) : fetch(manifestUrl, { cache: "no-cache" })
    .then(function (r) {
      if (!r.ok) throw new Error("cannot load the search manifest (" + r.status + ")");
      return r.json();
    });
  return got
    .then(function (m) {
      manifest = m;
      field = {};
      m.docs.fields.forEach(function (name, i) { field[name] = i; });
      base = new URL(".", manifestUrl);
      // Warming up while nobody waits for a query, the warm chunks come with the runtime and the
      // pack: in one wave instead of after them, so that a query typed a little later finds them
      // here. A query that waits already gets the runtime and the pack first (see warmChunks).
      if (!queryWaits()) downloadWarm(m);
      // Runtime and pack in parallel: one wave of requests, then no query waits for the network.
      // The pack comes as .lzma too: a fifth smaller than gzip, and the decoder is here anyway.
      var pack = m.pack ? fetchBytes(new URL(m.pack.url, base)).then(function (buffer) {
        var bytes = lzmaDecode(new Uint8Array(buffer), m.pack.len);
        packed = new Map();
        Object.keys(m.pack.files).forEach(function (path) {
          var at = m.pack.files[path];
          packed.set(path, bytes.subarray(at[0], at[0] + at[1]));
        });
      }) : Promise.resolve();
      // The runtime comes as .lzma, decoded here (lotse-lzma.js, shipped in front of this file).
      // instantiate() on bytes works even where the host serves .wasm with the wrong MIME type.
      var runtime = fetchBytes(new URL(m.runtime, base)).then(function (buffer) {
        return WebAssembly.instantiate(lzmaDecode(new Uint8Array(buffer)), { lotse: { read_range: readRange } });
      });
      return Promise.all([runtime, pack]).then(function (done) { return done[0]; });
    })
    .then(function (result) {
      wasm = result.instance.exports;
      if (wasm.lotse_format_version() !== manifest.format) {
        throw new Error("search runtime (format " + wasm.lotse_format_version() + ") does not match the index (format " +
          manifest.format + "); reload the page");
      }
      var layout = readLayout(manifest);
      Object.keys(manifest.index).forEach(function (name) {
        var entry = manifest.index[name];
        // have: the spans handed to the runtime so far.
        remote.push({ name: name, url: new URL(entry.url, base).href, len: entry.len, whole: packedFile(entry.url) || null, spans: null, have: new Set() });
      });
      cutChunks(layout);
      remote.forEach(function (entry, file) {
        var n = putString(entry.name);
        var lengths = new Uint8Array(new Uint32Array((entry.spans || []).map(function (s) { return s[1]; })).buffer);
        wasm.lotse_add_remote(n[0], n[1], file, entry.len, lengths.length ? put(lengths) : 0, lengths.length);
      });
      // What opening the index reads of the files in chunks (chunk 0: footers, each field's
      // token count) comes with the pack: handed over now, so that opening waits for no request.
      chunkSpans.forEach(function (spans, chunk) {
        var bytes = packedFile(chunkName(chunk));
        if (bytes) putChunk(chunk, bytes);
      });
      var config = putString(JSON.stringify(manifest.config));
      var status = wasm.lotse_open(config[0], config[1]);
      if (status !== 0) throw new Error("cannot open the search index (" + status + ")");
      docs = new Map();
      warmChunks();
      // A large portal's result heads come after the runtime and the pack; when a query waits
      // already, after its answer (see search).
      if (!queryWaits()) downloadHeads();
      // Each field's header (its token count), which the first query on the field reads: one
      // wave now rather than a read by range in the middle of a query.
      var headers = answer(wasm.lotse_plan_open());
      return Promise.all(headers.map(function (need) { return fetchBlock(need[0], need[1]); }));
    });
}

/**
 * The heads of a large portal's result list (`manifest.docs.heads`: every row with its URL, title
 * and platform, without summary and text), once here: {list}. A query that finds them shows its
 * results without waiting for their rows' chunks, a round trip after its postings.
 */
var heads = null;

/** Starts downloading the heads, once, where the portal has them; never when the browser asks
 * to save data (then each query fetches its rows' chunks). */
function downloadHeads() {
  if (heads || !manifest || !manifest.docs.heads || saveData()) return;
  heads = { list: null };
  fetchBytes(new URL(manifest.docs.heads.url, base)).then(function (buffer) {
    heads.list = JSON.parse(decoder.decode(lzmaDecode(new Uint8Array(buffer), manifest.docs.heads.len)));
  }).catch(function () {}); // the rows' chunks serve then, as without heads
}

/** What the first results show of article `ord`: its head where the heads are here, else its
 * whole row (whose chunk a query waits for; heads still on their way are not waited for). */
function head(ord) {
  var list = heads && heads.list;
  return list && list[ord] ? Promise.resolve(list[ord]) : doc(ord);
}

/** The result entry [url, title, platform, summary, text file] of article `ord`. */
function doc(ord) {
  var chunk = Math.floor(ord / manifest.docs.size);
  var name = manifest.docs.prefix + "-" + chunk + ".json";
  var inPack = packedFile(name);
  if (!docs.has(chunk) && inPack) docs.set(chunk, Promise.resolve(JSON.parse(decoder.decode(inPack))));
  // A chunk that is not in the pack is published gzipped, as <name>.gz; so are the texts.
  if (!docs.has(chunk)) {
    docs.set(chunk, fetchGzipped(new URL(name + ".gz", base)).then(function (buffer) {
      return JSON.parse(decoder.decode(buffer));
    }));
  }
  return docs.get(chunk).then(function (list) { return list[ord % manifest.docs.size]; });
}

function fragment(path) {
  var inPack = packedFile(path);
  if (inPack) return Promise.resolve(decoder.decode(inPack));
  if (!fragments.has(path)) {
    fragments.set(path, fetchGzipped(new URL(path + ".gz", base)).then(function (buffer) { return decoder.decode(buffer); })
      .catch(function () { return ""; })
      .then(function (text) { fragmentsHere.add(path); return text; }));
  }
  return fragments.get(path);
}

/** Whether an article's text is here already, so that its excerpt needs no request. */
function fragmentHere(path) {
  return !!packedFile(path) || fragmentsHere.has(path);
}

function highlight(text, query) {
  var t = putString(text);
  var q = putString(query);
  return answer(wasm.lotse_highlight(t[0], t[1], q[0], q[1]));
}

/** About 180 characters of `text` around its densest run of matches, as [text, isMatch] parts. */
function excerpt(text, ranges) {
  var width = 180;
  var start = 0;
  if (ranges.length) {
    var best = 0, bestCount = -1;
    for (var i = 0; i < ranges.length; i++) {
      var count = 0;
      for (var j = i; j < ranges.length && ranges[j][1] - ranges[i][0] <= width; j++) count++;
      if (count > bestCount) { best = i; bestCount = count; }
    }
    start = Math.max(0, ranges[best][0] - 40);
    var space = text.lastIndexOf(" ", start);
    if (start > 0 && space > start - 20) start = space + 1;
  }
  var end = Math.min(text.length, start + width);
  var cut = text.indexOf(" ", end);
  if (cut !== -1 && cut < end + 20) end = cut;
  var parts = [];
  var position = start;
  if (start > 0) parts.push(["… ", false]);
  ranges.forEach(function (r) {
    if (r[1] <= start || r[0] >= end) return;
    var s = Math.max(r[0], start), e = Math.min(r[1], end);
    if (s > position) parts.push([text.slice(position, s), false]);
    parts.push([text.slice(s, e), true]);
    position = e;
  });
  if (position < end) parts.push([text.slice(position, end), false]);
  if (end < text.length) parts.push([" …", false]);
  return parts;
}

/** Chunk fetches under way, by URL, so that queries typed in quick succession share them. */
var blocksUnderWay = new Map();

/**
 * Fetches, all at once, the chunks that hold the postings and positions the query will read and
 * that are not here yet (a small portal's pack holds all but its positions); without this, each
 * read would wait for a round trip of its own. A span that cannot be had is left to the
 * runtime's own read by range.
 */
function prefetch(message) {
  // Nothing to plan once every span is here (a small portal whose quoted phrases have fetched
  // the body's positions too).
  if (!remote.some(function (r) { return r.spans && r.have.size < r.spans.length; })) return Promise.resolve();
  var q = putString(message.query || "");
  var p = putString(message.platform || "");
  var missing = answer(wasm.lotse_plan(q[0], q[1], p[0], p[1], message.typing ? 1 : 0));
  return Promise.all(missing.map(function (need) { return fetchBlock(need[0], need[1]); }));
}

/** Fetches span `span` of index file `file` into the runtime, once however often asked. */
function fetchBlock(file, span) {
  var entry = remote[file];
  var at = entry && entry.spans && entry.spans[span];
  if (!at || entry.have.has(span)) return Promise.resolve();
  // A file here whole hands its span over; a warm chunk still coming is waited for, not fetched
  // a second time on its own (unless the warm download fails).
  if (entry.whole) {
    putSpan(file, span, spanOfWhole(entry, span));
    return Promise.resolve();
  }
  if (warm && warm.coming && at[2] <= warm.upto) return warm.coming.then(function () { return fetchBlock(file, span); });
  var url = new URL(chunkName(at[2]) + ".gz", base).href;
  if (!blocksUnderWay.has(url)) {
    blocksUnderWay.set(url, fetchGzipped(url).then(function (buffer) {
      putChunk(at[2], new Uint8Array(buffer));
    }).catch(function () {}).then(function () { blocksUnderWay.delete(url); }));
  }
  return blocksUnderWay.get(url);
}

/** The warm chunks' download (see downloadWarm): {bytes, upto, coming}. */
var warm = null;

/**
 * Starts downloading, as one .lzma file, the chunks every query may read where the portal is
 * small enough for them to come together (`manifest.chunks.warm`: a small portal's positions in
 * titles and headings): one request instead of a chunk each, so that later queries of several
 * words wait for nothing; never when the browser asks to save data. The other chunks (the
 * body's positions, which only a quoted phrase reads, and a large portal's) come as queries
 * need them.
 */
function downloadWarm(m) {
  if (warm || saveData() || !m.chunks || !m.chunks.warm) return;
  warm = { bytes: fetchBytes(new URL(m.chunks.warm.url, base)), upto: m.chunks.warm.chunks, coming: null };
  warm.bytes.catch(function () {}); // a failure is handled in warmChunks, not reported here
}

/** The bytes of chunk `chunk`: its spans' lengths together. */
function chunkLength(chunk) {
  return (chunkSpans[chunk] || []).reduce(function (sum, held) { return sum + remote[held[0]].spans[held[1]][1]; }, 0);
}

/** Hands the warm chunks over to the runtime as they arrive (downloading them now where the
 * warm-up did not start it already). */
function warmChunks() {
  downloadWarm(manifest);
  if (!warm) return;
  warm.coming = warm.bytes.then(function (buffer) {
    var bytes = lzmaDecode(new Uint8Array(buffer), manifest.chunks.warm.len);
    for (var chunk = 1, at = 0; chunk <= warm.upto; chunk++) {
      var length = chunkLength(chunk);
      putChunk(chunk, bytes.subarray(at, at + length));
      at += length;
    }
  }).catch(function () {}).then(function () {
    // Here, or failed: a span still missing is fetched in its own chunk from now on.
    warm.coming = null;
    warm.upto = 0;
  });
}

/**
 * An article's text file: its title line, its sections as one line of JSON ([start, anchor,
 * heading], start in UTF-16 units of the body), then the body.
 */
function parseText(text) {
  var first = text.indexOf("\n");
  var second = first < 0 ? -1 : text.indexOf("\n", first + 1);
  if (second < 0) return { body: first < 0 ? "" : text.slice(first + 1), sections: [] };
  var sections;
  try { sections = JSON.parse(text.slice(first + 1, second)); } catch (e) { sections = []; }
  return { body: text.slice(second + 1), sections: Array.isArray(sections) ? sections : [] };
}

/**
 * Up to three sections of an article that match, best first (matches in the heading count
 * double), each with its anchor, heading and excerpt; `mark(text)` gives the match ranges.
 */
function matchingSections(body, sections, mark) {
  var found = [];
  sections.forEach(function (section, i) {
    var end = i + 1 < sections.length ? sections[i + 1][0] : body.length;
    var raw = body.slice(section[0], end);
    var text = raw.slice(raw.indexOf("\n") + 1).replace(/\s+/g, " ").trim();
    var ranges = mark(text);
    var score = ranges.length + 2 * mark(section[2]).length;
    if (score > 0) found.push({ score: score, at: i, anchor: section[1], heading: section[2], excerpt: excerpt(text, ranges) });
  });
  found.sort(function (a, b) { return b.score - a.score || a.at - b.at; });
  return found.slice(0, 3).map(function (s) { return { anchor: s.anchor, heading: s.heading, excerpt: s.excerpt }; });
}

function search(message) {
  return prefetch(message).then(function () { return searchHere(message); }).then(downloadHeads);
}

/** How many lexical hits the semantic fusion weighs (the evaluator measured it with 20). */
var FUSION_POOL = 20;

/** The search itself, once everything it reads is here. */
function searchHere(message) {
  var q = putString(message.query || "");
  var p = putString(message.platform || "");
  var started = performance.now();
  var limit = message.limit || 10;
  // The fusion weighs more lexical places than the dropdown shows; re-ranking looks at 40
  // candidates either way, so the first `limit` hits are the same.
  var pool = message.semantic && semanticAllowed() ? Math.max(limit, FUSION_POOL) : limit;
  var found = answer(wasm.lotse_search(q[0], q[1], p[0], p[1], message.typing ? 1 : 0, pool));
  var hits = found.hits.slice(0, limit);
  // Excerpts of the closest articles mark the words of the suggestion, which they contain.
  var marked = found.closest && found.suggestion ? found.suggestion : message.query || "";
  var searchMs = performance.now() - started;
  var reply = {
    type: "results", id: message.id, query: message.query, platform: message.platform || "",
    suggestion: found.suggestion || null, closest: !!found.closest, searchMs: searchMs
  };
  return Promise.all(hits.map(function (hit) { return head(hit.ord); })).then(function (entries) {
    // One wave to the first results: when the texts of some results are still to come (a large
    // portal), the dropdown shows titles (and summaries, where their rows are here) at once and
    // gets the excerpts and summaries after them.
    // The search page waits for its excerpts and sections, so that its cards never grow while
    // a teacher reads them.
    var excerptsLater = !message.sections && entries.some(function (entry) { return !fragmentHere(entry[field.text]); });
    if (excerptsLater) {
      self.postMessage(Object.assign({}, reply, { results: entries.map(row), excerptsPending: true }));
    }
    return present(hits, message, marked).then(function (results) {
      if (excerptsLater) {
        self.postMessage({
          type: "excerpts", id: message.id,
          excerpts: results.map(function (r) { return r.excerpt; }),
          summaries: results.map(function (r) { return r.summary; }),
        });
      } else {
        self.postMessage(Object.assign(reply, { results: results }));
      }
      if (message.semantic) withSemantic(function (stage) { stage.similar(message, found, hits); });
    });
  });
}

/** A result row of the result list's entry alone: the excerpt and sections come from its text. */
function row(entry) {
  return {
    url: entry[field.url],
    title: entry[field.title],
    platform: entry[field.platform],
    platformName: manifest.platforms[entry[field.platform]] || entry[field.platform],
    summary: entry[field.summary],
    status: entry[field.status] || "",
    excerpt: [],
    sections: [],
  };
}

/** Result rows for the page: title, platform, summary and an excerpt marking `marked`. */
function present(hits, message, marked) {
  return Promise.all(hits.map(function (hit) {
    return doc(hit.ord).then(function (doc) {
      return Promise.all([doc, fragment(doc[field.text])]);
    }).then(function (loaded) {
      var doc = loaded[0], text = parseText(loaded[1]);
      var body = text.body.replace(/\s+/g, " ");
      var mark = function (t) { return highlight(t, marked); };
      return Object.assign(row(doc), {
        excerpt: excerpt(body, highlight(body, marked)),
        sections: message.sections ? matchingSections(text.body, text.sections, mark) : [],
      });
    });
  }));
}

// ---- the semantic stage: search/s/lotse-semantic.*.js, loaded where the portal ships it -------

/** Whether the page said, at "init", that its browser asks to save data. */
var pageSavesData = false;

function saveData() {
  return pageSavesData || !!(self.navigator && navigator.connection && navigator.connection.saveData);
}

/** Whether this portal ships the semantic stage and the browser may fetch it (19 MB). */
function semanticAllowed() {
  return !!(manifest && manifest.semantic) && !saveData() && typeof DecompressionStream !== "undefined";
}

/**
 * Hands `call` the semantic stage's code (`self.lotseSemantic`), loading its script the first
 * time: it stays out of this file, so that a portal without the stage sends no byte more.
 */
function withSemantic(call) {
  if (!semanticAllowed()) return;
  if (!self.lotseSemantic) {
    try {
      importScripts(new URL(manifest.semantic.script, base).href);
    } catch (e) {
      manifest.semantic = null; // the lexical search goes on as before
      self.postMessage({ type: "semantic-failed", message: String(e && e.message || e) });
      return;
    }
  }
  call(self.lotseSemantic);
}

function handle(message) {
  if (failed) {
    self.postMessage({ type: "error", id: message.id, message: failed });
    return;
  }
  try {
    if (message.type === "search") {
      search(message).catch(function (e) { self.postMessage({ type: "error", id: message.id, message: String(e && e.message || e) }); });
    } else if (message.type === "semantic-warm") {
      withSemantic(function (stage) { stage.load(); });
    } else if (message.type === "highlight") {
      var ranges = (message.texts || []).map(function (text) { return highlight(text, message.query || ""); });
      self.postMessage({ type: "highlighted", id: message.id, ranges: ranges });
    }
  } catch (e) {
    self.postMessage({ type: "error", id: message.id, message: String(e && e.message || e) });
  }
}

// In node (the unit tests of the pure functions), export them instead of listening.
if (typeof module !== "undefined" && module.exports) {
  // (Object.assign: lotse-lzma.js, in front of this file where it ships, exports lzmaDecode.)
  Object.assign(module.exports, { excerpt: excerpt, parseText: parseText, matchingSections: matchingSections });
} else {
  self.onmessage = function (event) {
    var message = event.data || {};
    if (message.type === "init") {
      if (wasm || pending.started) return;
      pending.started = true;
      pageSavesData = !!message.saveData;
      init(message.manifest, message.loaded).then(function () {
        self.postMessage({ type: "ready" });
        var queued = pending.splice(0);
        queued.forEach(handle);
      }, function (e) {
        failed = String(e && e.message || e);
        self.postMessage({ type: "error", message: failed });
        pending.splice(0).forEach(handle);
      });
    } else if (!docs && !failed) {
      // Keep only the newest query of each kind while the index loads. (This must not mark the
      // loading as started: a query that arrives before "init" would otherwise block the init.)
      var started = pending.started;
      pending = pending.filter(function (m) { return m.type !== message.type; }).concat([message]);
      pending.started = started;
    } else {
      handle(message);
    }
  };
}
