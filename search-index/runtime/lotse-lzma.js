// Lotse LZMA decoder, as LzmaSpec.cpp: the runtime ships as .lzma, a sixth smaller than gzip, and
// browsers have no LZMA DecompressionStream. Shipped in front of lotse-worker.js: names "lzma…".
"use strict";

/** More output is refused, so that a corrupt or hostile header cannot exhaust memory. */
var LZMA_MAX_OUTPUT = 1 << 28;

/**
 * The bytes of a .lzma file (`xz --format=lzma`: lc/lp/pb, dictionary size, 64-bit size or all
 * 0xFF, range-coded stream) as a Uint8Array of exactly their length. With `expectedSize` the
 * output is allocated once and any other length throws. Bad data throws.
 */
function lzmaDecode(bytes, expectedSize) {
  if (!(bytes instanceof Uint8Array)) lzmaFail("not a Uint8Array");
  var n = bytes.length;
  if (n < 18) lzmaFail("truncated header");
  var props = bytes[0];
  if (props >= 225) lzmaFail("bad properties byte");
  var lc = props % 9, lp = ((props / 9) | 0) % 5, pb = (props / 45) | 0;
  var dictSize = Math.max(lzmaU32(bytes, 1), 4096), low = lzmaU32(bytes, 5), high = lzmaU32(bytes, 9);
  var known = (low & high) !== -1, expected = expectedSize != null;
  if (expected && !(expectedSize >= 0 && expectedSize % 1 === 0)) lzmaFail("bad expected size");
  var limit = known ? high * 4294967296 + low : expected ? expectedSize : LZMA_MAX_OUTPUT;
  if (expected && limit !== expectedSize) lzmaFail("header says " + limit + " bytes");
  if (limit > LZMA_MAX_OUTPUT) lzmaFail("too large");
  // The output is the dictionary. A size that only the header claims is grown into.
  var out = new Uint8Array(expected ? limit : Math.min(limit, Math.max(n * 8, 65536))), pos = 0;

  // Probabilities: is-match 0, is-rep 192, rep-g0..2 204, rep0-long 240, distance slots 432, bits
  // 688, align 803, lengths 819, rep lengths 1333, literals 1847. The coder's range and code are
  // uint32 kept as int32 (compared with the sign bit flipped) in a typed array: int32 arithmetic
  // stays in machine integers, and closure variables past 2^30 would be boxed on every bit.
  var p = new Uint16Array(1847 + (0x300 << (lc + lp))).fill(1024);
  var rc = new Int32Array([-1, (bytes[14] << 24) | (bytes[15] << 16) | (bytes[16] << 8) | bytes[17]]);
  var at = 18;
  if (bytes[13] !== 0 || rc[1] === rc[0]) lzmaFail("corrupt data");

  /**
   * A symbol from the bit tree at `base`, most significant bit first, until m reaches `top`;
   * returned less `top`. A literal after a match (offs 0x100) is coded against the byte `match`
   * up to the first differing bit. The coder is inlined here and in bit(): small hot functions
   * that are optimized early, which matters as the runtime is decoded once, cold.
   */
  function tree(base, top, offs, match) {
    var range = rc[0], code = rc[1], m = 1;
    do {
      match <<= 1;
      var matchBit = match & offs, i = base + offs + matchBit + m;
      var prob = p[i], bound = Math.imul(range >>> 11, prob);
      if ((code ^ -2147483648) < (bound ^ -2147483648)) {
        p[i] = prob + ((2048 - prob) >> 5);
        range = bound;
        m <<= 1;
        offs &= ~matchBit;
      } else {
        p[i] = prob - (prob >> 5);
        code = (code - bound) | 0;
        range = (range - bound) | 0;
        m = (m << 1) | 1;
        offs &= matchBit;
      }
      if ((range >>> 24) === 0) {
        if (at >= n) lzmaFail("truncated data");
        range <<= 8;
        code = (code << 8) | bytes[at++];
      }
    } while (m < top);
    rc[0] = range;
    rc[1] = code;
    return m - top;
  }
  /** One bit with the adaptive probability p[i]. */
  function bit(i) {
    var prob = p[i], range = rc[0], code = rc[1], bound = Math.imul(range >>> 11, prob), b = 0;
    if ((code ^ -2147483648) < (bound ^ -2147483648)) {
      p[i] = prob + ((2048 - prob) >> 5);
      range = bound;
    } else {
      p[i] = prob - (prob >> 5);
      code = (code - bound) | 0;
      range = (range - bound) | 0;
      b = 1;
    }
    if ((range >>> 24) === 0) {
      if (at >= n) lzmaFail("truncated data");
      range <<= 8;
      code = (code << 8) | bytes[at++];
    }
    rc[0] = range;
    rc[1] = code;
    return b;
  }
  /** The same tree's bits, least significant first. */
  function reverse(base, k) {
    for (var m = tree(base, 1 << k, 0, 0), r = 0; k--; m >>= 1) r = (r << 1) | (m & 1);
    return r;
  }
  /** k bits of probability one half. */
  function direct(k) {
    var range = rc[0], code = rc[1], r = 0;
    while (k--) {
      range >>>= 1;
      var b = (code ^ -2147483648) >= (range ^ -2147483648) ? 1 : 0;
      code = (code - (range & -b)) | 0;
      r = (r << 1) | b;
      if ((range >>> 24) === 0) {
        if (at >= n) lzmaFail("truncated data");
        range <<= 8;
        code = (code << 8) | bytes[at++];
      }
    }
    rc[0] = range;
    rc[1] = code;
    return r;
  }
  /** A match length less 2 (0..271). */
  function length(base, posState) {
    if (!bit(base)) return tree(base + 2 + (posState << 3), 8, 0, 0);
    if (!bit(base + 1)) return 8 + tree(base + 130 + (posState << 3), 8, 0, 0);
    return 16 + tree(base + 258, 256, 0, 0);
  }

  var state = 0, rep0 = 0, rep1 = 0, rep2 = 0, rep3 = 0, len, pbMask = (1 << pb) - 1, lpMask = (1 << lp) - 1;
  for (;;) {
    // A known size may end without the end marker (the coder spent: code 0).
    if (known && pos === limit && rc[1] === 0) break;
    var posState = pos & pbMask;
    if (!bit((state << 4) + posState)) {
      if (pos >= out.length) out = lzmaGrow(out, pos + 1, limit);
      var base = 1847 + 0x300 * (((pos & lpMask) << lc) + ((pos > 0 ? out[pos - 1] : 0) >> (8 - lc)));
      out[pos] = tree(base, 0x100, state >= 7 ? 0x100 : 0, state >= 7 ? out[pos - rep0 - 1] : 0);
      pos++;
      state = state < 4 ? 0 : state < 10 ? state - 3 : state - 6;
      continue;
    }
    if (bit(192 + state)) {
      // rep0 (perhaps for one byte), or rep1..3 moved to the front.
      if (pos === 0) lzmaFail("corrupt data");
      if (!bit(204 + state)) {
        if (!bit(240 + (state << 4) + posState)) {
          if (pos >= out.length) out = lzmaGrow(out, pos + 1, limit);
          out[pos] = out[pos - rep0 - 1];
          pos++;
          state = state < 7 ? 9 : 11;
          continue;
        }
      } else {
        var dist = rep1;
        if (bit(216 + state)) {
          dist = rep2;
          if (bit(228 + state)) {
            dist = rep3;
            rep3 = rep2;
          }
          rep2 = rep1;
        }
        rep1 = rep0;
        rep0 = dist;
      }
      len = length(1333, posState);
      state = state < 7 ? 8 : 11;
    } else {
      rep3 = rep2;
      rep2 = rep1;
      rep1 = rep0;
      len = length(819, posState);
      state = state < 7 ? 7 : 10;
      // The distance: a 6-bit slot, then lower bits from probabilities, or direct and 4 aligned.
      var slot = tree(432 + ((len < 3 ? len : 3) << 6), 64, 0, 0), k = (slot >> 1) - 1;
      rep0 = slot < 4 ? slot : ((2 | (slot & 1)) << k) >>> 0;
      if (slot >= 14) {
        rep0 += direct(k - 4) * 16 + reverse(803, 4);
        if (rep0 === 0xFFFFFFFF) break; // the end marker
      } else if (slot >= 4) rep0 += reverse(688 + rep0 - slot, k);
      if (rep0 >= pos || rep0 >= dictSize) lzmaFail("corrupt data (distance)");
    }
    len += 2;
    if (pos + len > out.length) out = lzmaGrow(out, pos + len, limit);
    for (var from = pos - rep0 - 1, end = pos + len; pos < end; ) out[pos++] = out[from++];
  }
  if (rc[1] !== 0) lzmaFail("corrupt data (end)");
  if (at !== n) lzmaFail("trailing data");
  if ((known || expected) && pos !== limit) lzmaFail(pos + " bytes, " + limit + " expected");
  return pos === out.length ? out : out.slice(0, pos);
}

function lzmaFail(why) {
  throw new Error("lzma: " + why);
}

function lzmaU32(bytes, i) {
  return (bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24)) >>> 0;
}

/** The output grown to `need` bytes or more (doubling, at most `limit`). */
function lzmaGrow(out, need, limit) {
  if (need > limit) lzmaFail("more than " + limit + " bytes");
  var bigger = new Uint8Array(Math.min(limit, Math.max(need, out.length * 2)));
  bigger.set(out);
  return bigger;
}

if (typeof module !== "undefined" && module.exports) module.exports.lzmaDecode = lzmaDecode;
