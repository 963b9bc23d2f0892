/*
 * Budget proofs in the browser: the voter's device proves that its encrypted budget ballot
 * keeps to the scope's rule (knapsack total within [low, high], or at most k chosen).
 * The same construction, encodings and hash inputs as smartseoul/voting/crypto/budget.py;
 * docs/budgeting.md §4 is the specification and tests/budgeting/budget_vectors.json pins
 * both sides to identical bytes.
 *
 * Load after libsodium-sumo.js and libsodium-wrappers.js (plain <script> tags). Exposes
 * window.SmartSeoulBudgetProof; wait for SmartSeoulBudgetProof.ready before calling it.
 *
 * It repeats the few primitives it needs (transcripts, the 0/1 range proof) because
 * ballot-crypto.js keeps its own private; once the voting app exposes them, this file
 * should use those instead (or be folded into ballot-crypto.js).
 */
(function (global) {
  "use strict";

  var sodium = global.sodium;
  if (!sodium || !sodium.ready) {
    global.SmartSeoulBudgetProof = { ready: Promise.reject(new Error("libsodium did not load")) };
    return;
  }
  var TAG_PREFIX = "smartseoul/voting/v1/";
  var IDENTITY = new Uint8Array(32);
  var encoder = new TextEncoder();

  function BudgetProofError(message) {
    this.name = "BudgetProofError";
    this.message = message;
    this.stack = new Error(message).stack;
  }
  BudgetProofError.prototype = Object.create(Error.prototype);
  BudgetProofError.prototype.constructor = BudgetProofError;

  // --- bytes and hashing (hashing.py) -------------------------------------------------------

  function concat(parts) {
    var size = 0;
    parts.forEach(function (p) { size += p.length; });
    var out = new Uint8Array(size);
    var at = 0;
    parts.forEach(function (p) { out.set(p, at); at += p.length; });
    return out;
  }

  function u32(value) {
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
      throw new BudgetProofError("integer out of the u32 range");
    }
    return new Uint8Array([value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255]);
  }

  function label(text) { return encoder.encode(text); }

  function transcript(tag, items) {
    var parts = [label(TAG_PREFIX + tag)].concat(items);
    return concat(parts.map(function (item) { return concat([u32(item.length), item]); }));
  }

  function hashToScalar(tag, items) {
    return sodium.crypto_core_ristretto255_scalar_reduce(
      sodium.crypto_hash_sha512(transcript(tag, items)));
  }

  function hash32(tag, items) {
    return sodium.crypto_hash_sha512(transcript(tag, items)).slice(0, 32);
  }

  function fromHex(value, where, size) {
    if (typeof value !== "string" || !/^(?:[0-9a-f]{2})*$/.test(value)) {
      throw new BudgetProofError(where + ": expected lowercase hexadecimal");
    }
    var bytes = value.length ? sodium.from_hex(value) : new Uint8Array(0);
    if (size !== undefined && bytes.length !== size) {
      throw new BudgetProofError(where + ": expected " + size + " bytes");
    }
    return bytes;
  }

  function toHex(bytes) { return bytes.length ? sodium.to_hex(bytes) : ""; }

  // --- group and ElGamal (group.py, elgamal.py) ---------------------------------------------

  function isZero(bytes) {
    var acc = 0;
    for (var i = 0; i < bytes.length; i++) acc |= bytes[i];
    return acc === 0;
  }

  function scalarFromInt(value) {
    var out = new Uint8Array(32);
    for (var i = 0; value > 0 && i < 8; i++) { out[i] = value % 256; value = Math.floor(value / 256); }
    return out;
  }

  var ZERO = new Uint8Array(32);
  function add(p, q) { return sodium.crypto_core_ristretto255_add(p, q); }
  function sub(p, q) { return sodium.crypto_core_ristretto255_sub(p, q); }
  function sAdd(a, b) { return sodium.crypto_core_ristretto255_scalar_add(a, b); }
  function sSub(a, b) { return sodium.crypto_core_ristretto255_scalar_sub(a, b); }
  function sMul(a, b) { return sodium.crypto_core_ristretto255_scalar_mul(a, b); }
  // libsodium reports an identity result as an error; every input here is a valid point.
  function baseMul(s) {
    return isZero(s) ? IDENTITY.slice() : sodium.crypto_scalarmult_ristretto255_base(s);
  }
  function mul(s, p) {
    if (isZero(s) || isZero(p)) return IDENTITY.slice();
    return sodium.crypto_scalarmult_ristretto255(s, p);
  }

  function readPoint(value, where) {
    var bytes = fromHex(value, where, 32);
    if (!sodium.crypto_core_ristretto255_is_valid_point(bytes)) {
      throw new BudgetProofError(where + ": not a canonical ristretto255 encoding");
    }
    return bytes;
  }

  function encrypt(key, m, r) {
    var beta = mul(r, key);
    if (m) beta = add(beta, baseMul(scalarFromInt(m)));
    return { alpha: baseMul(r), beta: beta };
  }

  function ctAdd(a, b) { return { alpha: add(a.alpha, b.alpha), beta: add(a.beta, b.beta) }; }
  function ctScale(w, ct) {
    var s = scalarFromInt(w);
    return { alpha: mul(s, ct.alpha), beta: mul(s, ct.beta) };
  }

  // --- proofs (proofs.py) -------------------------------------------------------------------

  /* The 0/1 disjunctive Chaum-Pedersen proof, docs/election-crypto.md §5.1 with low=0, high=1. */
  function proveBit(tag, context, key, ct, bit, nonce, randomness) {
    var challenges = [null, null], responses = [null, null], commitments = [];
    var u = randomness(bit, 0);
    var fake = 1 - bit;
    var c = randomness(fake, 0), v = randomness(fake, 1);
    for (var j = 0; j <= 1; j++) {
      if (j === bit) {
        commitments.push(baseMul(u), mul(u, key));
      } else {
        var shifted = j ? sub(ct.beta, baseMul(scalarFromInt(1))) : ct.beta;
        commitments.push(sub(baseMul(v), mul(c, ct.alpha)), sub(mul(v, key), mul(c, shifted)));
      }
    }
    var total = hashToScalar(tag, context.concat(
      [key, ct.alpha, ct.beta, u32(0), u32(1)], commitments));
    challenges[fake] = c; responses[fake] = v;
    challenges[bit] = sSub(total, c);
    responses[bit] = sAdd(u, sMul(challenges[bit], nonce));
    return { c: challenges.map(toHex), v: responses.map(toHex) };
  }

  /* Chaum-Pedersen: public = secret*G and image = secret*base, §5.2. */
  function proveDleq(tag, context, base, secret, pub, image, u) {
    var c = hashToScalar(tag, context.concat([base, pub, image, baseMul(u), mul(u, base)]));
    return { c: toHex(c), v: toHex(sAdd(u, sMul(c, secret))) };
  }

  // --- the budget proof (budget.py) -----------------------------------------------------------

  function checkRule(rule, projects) {
    if (!rule || !Array.isArray(rule.weights) || rule.weights.length !== projects) {
      throw new BudgetProofError("one weight per project is needed");
    }
    rule.weights.forEach(function (w) { u32(w); });
    u32(rule.low); u32(rule.high);
    if (rule.low > rule.high) throw new BudgetProofError("a rule needs low <= high");
  }

  function digitWeights(span) {
    var bits = 0;
    while (span >= Math.pow(2, bits)) bits++;
    var weights = [];
    for (var j = 0; j < bits - 1; j++) weights.push(Math.pow(2, j));
    if (bits) weights.push(span - Math.pow(2, bits - 1) + 1);
    return weights;
  }

  function digitsOf(value, weights) {
    if (!weights.length) return [];
    var last = value >= Math.pow(2, weights.length - 1) ? 1 : 0;
    var rest = value - last * weights[weights.length - 1];
    var digits = [];
    for (var j = 0; j < weights.length - 1; j++) digits.push(Math.floor(rest / Math.pow(2, j)) % 2);
    digits.push(last);
    return digits;
  }

  /*
   * Prove the budget rule for question `question` of a ballot encrypted with `seedHex`
   * (the option nonces are r_i = nonce("encrypt", u32(q), u32(i)), as ballot-crypto.js
   * derives them). `ciphertexts` are that question's option ciphertexts as
   * {alpha, beta} hex, `choices` its 0/1 selections. Returns the proof's JSON form.
   */
  function proveBudget(args) {
    var key = readPoint(args.publicKey, "publicKey");
    var electionHash = fromHex(args.electionHash, "electionHash", 32);
    var binding = fromHex(args.binding || "", "binding");
    var q = args.question;
    var seed = fromHex(args.seed, "seed", 32);
    var choices = args.choices;
    var rule = args.rule;
    var cts = args.ciphertexts.map(function (ct, i) {
      return { alpha: readPoint(ct.alpha, "ciphertexts[" + i + "].alpha"),
               beta: readPoint(ct.beta, "ciphertexts[" + i + "].beta") };
    });
    checkRule(rule, cts.length);
    if (choices.length !== cts.length || choices.some(function (x) { return x !== 0 && x !== 1; })) {
      throw new BudgetProofError("one 0/1 choice per project is needed");
    }
    var total = 0, weightSum = 0;
    rule.weights.forEach(function (w, i) { total += w * choices[i]; weightSum += w; });
    if (total < rule.low || total > rule.high) {
      throw new BudgetProofError("refusing to prove that " + total + " lies in [" + rule.low + ", " + rule.high + "]");
    }
    if (rule.low === 0 && rule.high >= weightSum) return { digits: null };

    var nonce = function () {
      return hashToScalar("nonce", [seed, electionHash].concat(Array.prototype.slice.call(arguments)));
    };
    var items = [electionHash, binding, u32(q), key, u32(cts.length)];
    rule.weights.forEach(function (w) { items.push(u32(w)); });
    items.push(u32(rule.low), u32(rule.high));
    cts.forEach(function (ct) { items.push(ct.alpha, ct.beta); });
    var digest = hash32("budget-statement", items);

    var sum = null, randomness = ZERO;
    rule.weights.forEach(function (w, i) {
      var r = nonce(label("encrypt"), u32(q), u32(i));
      randomness = sAdd(randomness, sMul(scalarFromInt(w), r));
      if (w) sum = sum ? ctAdd(sum, ctScale(w, cts[i])) : ctScale(w, cts[i]);
    });
    sum = sum || { alpha: IDENTITY.slice(), beta: IDENTITY.slice() };
    var difference = rule.low
      ? { alpha: sum.alpha, beta: sub(sum.beta, baseMul(scalarFromInt(rule.low))) } : sum;

    var weights = digitWeights(rule.high - rule.low);
    var bits = [], bitsJson = [], rho = randomness, weighted = null;
    digitsOf(total - rule.low, weights).forEach(function (digit, j) {
      var s = nonce(label("budget"), u32(q), u32(j), label("encrypt"));
      var ct = encrypt(key, digit, s);
      var proof = proveBit("budget-digit", [digest, u32(j)], key, ct, digit, s, function (branch, slot) {
        return nonce(label("budget"), u32(q), u32(j), label("proof"), u32(branch), u32(slot));
      });
      bits.push(ct);
      bitsJson.push({ alpha: toHex(ct.alpha), beta: toHex(ct.beta), proof: proof });
      rho = sSub(rho, sMul(scalarFromInt(weights[j]), s));
      var scaled = ctScale(weights[j], ct);
      weighted = weighted ? ctAdd(weighted, scaled) : scaled;
    });
    var quotient = weighted
      ? { alpha: sub(difference.alpha, weighted.alpha), beta: sub(difference.beta, weighted.beta) }
      : difference;
    var context = [digest, u32(bits.length)];
    bits.forEach(function (ct) { context.push(ct.alpha, ct.beta); });
    var sumProof = proveDleq("budget-sum", context, key, rho, quotient.alpha, quotient.beta,
                             nonce(label("budget"), u32(q), label("sum")));
    return { digits: { bits: bitsJson, sum: sumProof } };
  }

  var api = { BudgetProofError: BudgetProofError, proveBudget: proveBudget };
  api.ready = sodium.ready.then(function () { return api; });
  global.SmartSeoulBudgetProof = api;
})(typeof window !== "undefined" ? window : globalThis);
