// Lotse search worker, the semantic stage (issue 18): loaded by lotse-worker.js with
// importScripts, only where the portal ships the stage, and only once a search wants it. It runs
// in the worker's scope and uses its functions (fetchGzipped, present, doc) and state (manifest,
// base, field). Dependency-free; works under a strict CSP.
"use strict";

(function () {
  /** How many of the fused ranking's first places the semantic stage may add below the results. */
  var SIMILAR_LIMIT = 3;

  /** The encoder runtime once loaded (its exports), or the promise of it. */
  var semantic = null;
  var semanticLoading = null;
  /** The newest search that asked for similar articles, answered when the encoder arrives. */
  var semanticWaiting = null;

  /**
   * Fetches the encoder, its weights and the article vectors, all at once and gzipped, and loads
   * them; never on page load (the page asks when idle after a first search, or a query needs it).
   */
  function loadSemantic() {
    if (semanticLoading || !semanticAllowed()) return semanticLoading;
    var files = manifest.semantic;
    var fetched = [files.encoder, files.model, files.vectors].map(function (url) { return fetchGzipped(new URL(url, base)); });
    semanticLoading = Promise.all(fetched).then(function (parts) {
      return WebAssembly.instantiate(parts[0], {}).then(function (result) {
        var exports = result.instance.exports;
        var load = function (name, buffer) {
          var bytes = new Uint8Array(buffer);
          var ptr = exports.lotse_alloc(bytes.length);
          new Uint8Array(exports.memory.buffer, ptr, bytes.length).set(bytes);
          if (exports[name](ptr, bytes.length) !== 0) throw new Error("the semantic stage cannot load its " + name);
        };
        load("lotse_encoder_load", parts[1]);
        load("lotse_vectors_load", parts[2]);
        semantic = exports;
        var waiting = semanticWaiting;
        semanticWaiting = null;
        if (waiting) similar(waiting.message, waiting.found, waiting.hits);
      });
    }).catch(function (e) {
      // The lexical search goes on as before; only the similar articles are missing.
      self.postMessage({ type: "semantic-failed", message: String(e && e.message || e) });
    });
    return semanticLoading;
  }

  /**
   * After the lexical results are shown: the articles of the fused ranking's first places that the
   * shown list lacks, as {type:"similar"}. The shown list never changes: these only come below it.
   * A query that found nothing or only the closest articles needs the meaning at once and fetches
   * the encoder; otherwise it waits until the page has asked for it when idle.
   */
  function similar(message, found, hits) {
    if (!semanticAllowed()) return;
    if (!semantic) {
      semanticWaiting = { message: message, found: found, hits: hits };
      if (!hits.length || found.closest) loadSemantic();
      return;
    }
    var started = performance.now();
    var request = {
      query: message.query || "",
      lexical: found.hits.map(function (hit) { return hit.ord; }),
      limit: Math.max(hits.length + SIMILAR_LIMIT, 10),
      weights: manifest.config.weights.semantic,
    };
    var ranked = semanticRank(request);
    var shown = new Set(hits.map(function (hit) { return hit.ord; }));
    var added = (ranked.hits || []).slice(0, SIMILAR_LIMIT).filter(function (hit) { return !shown.has(hit.ord); });
    var semanticMs = performance.now() - started;
    // For the findability benchmark: the whole fused ranking, and the ranking by meaning alone.
    var rankings = !message.rankings ? null : Promise.all([ranked, semanticRank({
      query: request.query, lexical: [], limit: 10, weights: request.weights,
    })].map(function (list) {
      return Promise.all(list.hits.slice(0, 10).map(function (hit) { return doc(hit.ord).then(function (d) { return d[field.url]; }); }));
    }));
    Promise.all([present(added, message, message.query || ""), rankings]).then(function (done) {
      // The meaning knows no platforms: a filtered search keeps only its platform's articles.
      var results = done[0].filter(function (r) { return !message.platform || r.platform === message.platform; });
      var answer = { type: "similar", id: message.id, query: message.query, results: results, semanticMs: semanticMs };
      if (done[1]) { answer.fused = done[1][0]; answer.meaning = done[1][1]; }
      self.postMessage(answer);
    });
  }

  /** The encoder runtime's fused ranking for a request {query, lexical, limit, weights}. */
  function semanticRank(request) {
    var bytes = encoder.encode(JSON.stringify(request));
    var ptr = semantic.lotse_alloc(bytes.length);
    new Uint8Array(semantic.memory.buffer, ptr, bytes.length).set(bytes);
    var at = semantic.lotse_semantic_rank(ptr, bytes.length);
    var length = new DataView(semantic.memory.buffer).getUint32(at, true);
    return JSON.parse(decoder.decode(new Uint8Array(semantic.memory.buffer, at + 4, length)));
  }

  self.lotseSemantic = { load: loadSemantic, similar: similar };
})();
