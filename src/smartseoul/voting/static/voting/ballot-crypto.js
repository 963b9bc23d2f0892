/*
 * mVoting ballot cryptography in the browser: the same scheme, encodings and hash inputs as
 * smartseoul/voting/crypto (Python); docs/election-crypto.md is the specification and
 * tests/voting/crypto/vectors.json pins both sides to identical bytes.
 *
 * Load after libsodium-sumo.js and libsodium-wrappers.js (plain <script> tags). Exposes
 * window.SmartSeoulBallot; wait for SmartSeoulBallot.ready before calling anything.
 * Every rejection throws a BallotError whose message names the failing part.
 */
(function (global) {
  "use strict";

  var sodium = global.sodium;
  if (!sodium || !sodium.ready) {
    // libsodium.js needs WebAssembly; a Content-Security-Policy without 'wasm-unsafe-eval'
    // in script-src makes it abort, and there is nothing to fall back to.
    global.SmartSeoulBallot = {
      ready: Promise.reject(new Error("libsodium did not load (does the CSP allow 'wasm-unsafe-eval'?)")),
    };
    return;
  }
  var TAG_PREFIX = "smartseoul/voting/v1/";
  var MAX_QUESTIONS = 1000;
  var MAX_OPTIONS = 1000;
  var MAX_BINDING = 64;
  // ℓ = 2^252 + 27742317777372353535851937790883648493, little-endian.
  var ORDER_HEX = "edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010";
  var ORDER;
  var IDENTITY = new Uint8Array(32);
  var encoder = new TextEncoder();

  function BallotError(message) {
    this.name = "BallotError";
    this.message = message;
    this.stack = new Error(message).stack;
  }
  BallotError.prototype = Object.create(Error.prototype);
  BallotError.prototype.constructor = BallotError;

  // --- bytes ------------------------------------------------------------------------------

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
      throw new BallotError("integer out of the u32 range");
    }
    return new Uint8Array([value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255]);
  }

  function equal(a, b) {
    if (a.length !== b.length) return false;
    var diff = 0;
    for (var i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
    return diff === 0;
  }

  function fromHex(value, where, size, maxSize) {
    if (typeof value !== "string" || !/^(?:[0-9a-f]{2})*$/.test(value)) {
      throw new BallotError(where + ": expected lowercase hexadecimal");
    }
    var bytes = value.length ? sodium.from_hex(value) : new Uint8Array(0);
    if (size !== undefined && bytes.length !== size) {
      throw new BallotError(where + ": expected " + size + " bytes");
    }
    if (maxSize !== undefined && bytes.length > maxSize) {
      throw new BallotError(where + ": longer than " + maxSize + " bytes");
    }
    return bytes;
  }

  function toHex(bytes) { return bytes.length ? sodium.to_hex(bytes) : ""; }

  // --- hashing (hashing.py) -----------------------------------------------------------------

  function framed(bytes) { return concat([u32(bytes.length), bytes]); }

  function transcript(tag, items) {
    var parts = [framed(encoder.encode(TAG_PREFIX + tag))];
    items.forEach(function (item) { parts.push(framed(item)); });
    return concat(parts);
  }

  function hashToScalar(tag, items) {
    return sodium.crypto_core_ristretto255_scalar_reduce(
      sodium.crypto_hash_sha512(transcript(tag, items)));
  }

  function hash32(tag, items) {
    return sodium.crypto_hash_sha512(transcript(tag, items)).slice(0, 32);
  }

  // --- group (group.py) ---------------------------------------------------------------------

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

  function isCanonicalScalar(bytes) {
    for (var i = 31; i >= 0; i--) {
      if (bytes[i] !== ORDER[i]) return bytes[i] < ORDER[i];
    }
    return false; // equal to ℓ
  }

  function add(p, q) { return sodium.crypto_core_ristretto255_add(p, q); }
  function sub(p, q) { return sodium.crypto_core_ristretto255_sub(p, q); }
  function sAdd(a, b) { return sodium.crypto_core_ristretto255_scalar_add(a, b); }
  function sSub(a, b) { return sodium.crypto_core_ristretto255_scalar_sub(a, b); }
  function sMul(a, b) { return sodium.crypto_core_ristretto255_scalar_mul(a, b); }

  // libsodium reports an identity result as an error; all points here were validated.
  function baseMul(s) {
    return isZero(s) ? IDENTITY.slice() : sodium.crypto_scalarmult_ristretto255_base(s);
  }
  function mul(s, p) {
    if (isZero(s) || isZero(p)) return IDENTITY.slice();
    return sodium.crypto_scalarmult_ristretto255(s, p);
  }

  var smallMultiples = {};
  function smallMultiple(m) {
    if (!(m in smallMultiples)) smallMultiples[m] = baseMul(scalarFromInt(m));
    return smallMultiples[m];
  }

  function readPoint(value, where) {
    var bytes = fromHex(value, where, 32);
    if (!sodium.crypto_core_ristretto255_is_valid_point(bytes)) {
      throw new BallotError(where + ": not a canonical ristretto255 encoding");
    }
    return bytes;
  }

  function readScalar(value, where) {
    var bytes = fromHex(value, where, 32);
    if (!isCanonicalScalar(bytes)) {
      throw new BallotError(where + ": scalar encoding is not reduced modulo the group order");
    }
    return bytes;
  }

  function readObject(value, where, keys) {
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      throw new BallotError(where + ": expected an object");
    }
    var have = Object.keys(value).sort().join(",");
    if (have !== keys.slice().sort().join(",")) {
      throw new BallotError(where + ": expected exactly the keys " + keys.slice().sort().join(", "));
    }
    return value;
  }

  function readList(value, where, length) {
    if (!Array.isArray(value)) throw new BallotError(where + ": expected a list");
    if (length !== undefined && value.length !== length) {
      throw new BallotError(where + ": expected " + length + " items, got " + value.length);
    }
    return value;
  }

  function readInt(value, where, low, high) {
    if (!Number.isInteger(value) || value < low || value > high) {
      throw new BallotError(where + ": expected an integer in [" + low + ", " + high + "]");
    }
    return value;
  }

  // --- ElGamal and the range proof (elgamal.py, proofs.py) -----------------------------------

  function encrypt(key, m, r) {
    var beta = mul(r, key);
    if (m) beta = add(beta, smallMultiple(m));
    return { alpha: baseMul(r), beta: beta };
  }

  function sumCiphertexts(cts) {
    var total = cts[0];
    for (var i = 1; i < cts.length; i++) {
      total = { alpha: add(total.alpha, cts[i].alpha), beta: add(total.beta, cts[i].beta) };
    }
    return total;
  }

  function rangeChallenge(tag, context, key, ct, low, high, commitments) {
    return hashToScalar(tag, context.concat(
      [key, ct.alpha, ct.beta, u32(low), u32(high)], commitments));
  }

  function proveRange(tag, context, key, ct, value, nonce, low, high, randomness) {
    if (!(low <= value && value <= high)) {
      throw new BallotError("refusing to prove that " + value + " lies in [" + low + ", " + high + "]");
    }
    var challenges = [], responses = [], commitments = [];
    var u = randomness(value - low, 0);
    var fakeSum = new Uint8Array(32);
    for (var j = low; j <= high; j++) {
      if (j === value) {
        commitments.push(baseMul(u), mul(u, key));
        challenges.push(null); responses.push(null);
        continue;
      }
      var c = randomness(j - low, 0), v = randomness(j - low, 1);
      var shifted = j ? sub(ct.beta, smallMultiple(j)) : ct.beta;
      commitments.push(sub(baseMul(v), mul(c, ct.alpha)), sub(mul(v, key), mul(c, shifted)));
      challenges.push(c); responses.push(v);
      fakeSum = sAdd(fakeSum, c);
    }
    var total = rangeChallenge(tag, context, key, ct, low, high, commitments);
    var real = sSub(total, fakeSum);
    challenges[value - low] = real;
    responses[value - low] = sAdd(u, sMul(real, nonce));
    return { c: challenges, v: responses };
  }

  function verifyRange(tag, context, key, ct, proof, low, high) {
    var branches = high - low + 1;
    if (proof.c.length !== branches || proof.v.length !== branches) {
      throw new BallotError("range proof has the wrong number of branches");
    }
    var commitments = [], total = new Uint8Array(32);
    for (var j = low; j <= high; j++) {
      var c = proof.c[j - low], v = proof.v[j - low];
      var shifted = j ? sub(ct.beta, smallMultiple(j)) : ct.beta;
      commitments.push(sub(baseMul(v), mul(c, ct.alpha)), sub(mul(v, key), mul(c, shifted)));
      total = sAdd(total, c);
    }
    if (!equal(total, rangeChallenge(tag, context, key, ct, low, high, commitments))) {
      throw new BallotError("range proof does not verify");
    }
  }

  // --- manifests and ballots (ballot.py) -----------------------------------------------------

  function electionContext(manifest, publicKeyHex) {
    readObject(manifest, "manifest", ["manifest_hash", "questions"]);
    var manifestHash = fromHex(manifest.manifest_hash, "manifest.manifest_hash", 32);
    var questions = readList(manifest.questions, "manifest.questions");
    if (questions.length < 1 || questions.length > MAX_QUESTIONS) {
      throw new BallotError("a manifest has 1 to " + MAX_QUESTIONS + " questions");
    }
    var items = [manifestHash, u32(questions.length)];
    var specs = questions.map(function (q, i) {
      var where = "manifest.questions[" + i + "]";
      readObject(q, where, ["options", "min", "max"]);
      var n = readInt(q.options, where + ".options", 1, MAX_OPTIONS);
      var min = readInt(q.min, where + ".min", 0, n), max = readInt(q.max, where + ".max", 1, n);
      if (min > max) throw new BallotError(where + ": min exceeds max");
      items.push(u32(n), u32(min), u32(max));
      return { options: n, min: min, max: max };
    });
    var key = readPoint(publicKeyHex, "public_key");
    if (isZero(key)) throw new BallotError("the election public key must not be the identity");
    items.push(key);
    var electionHash = hash32("election", items);
    return { questions: specs, publicKey: key, electionHash: electionHash,
             electionHashHex: toHex(electionHash) };
  }

  function optionContext(ctx, binding, q, i) {
    return [ctx.electionHash, binding, u32(q), u32(i)];
  }

  function questionContext(ctx, binding, q, cts) {
    var items = [ctx.electionHash, binding, u32(q), u32(cts.length)];
    cts.forEach(function (ct) { items.push(ct.alpha, ct.beta); });
    return items;
  }

  function checkSelections(ctx, selections) {
    if (!Array.isArray(selections) || selections.length !== ctx.questions.length) {
      throw new BallotError("one list of selections per question is needed");
    }
    ctx.questions.forEach(function (spec, q) {
      var chosen = selections[q];
      if (!Array.isArray(chosen) || chosen.length !== spec.options) {
        throw new BallotError("question " + q + ": one 0/1 value per option is needed");
      }
      var count = 0;
      chosen.forEach(function (m) {
        if (m !== 0 && m !== 1) throw new BallotError("question " + q + ": every selection must be 0 or 1");
        count += m;
      });
      if (count < spec.min || count > spec.max) {
        throw new BallotError("question " + q + ": choose between " + spec.min + " and " + spec.max);
      }
    });
  }

  function nonceSource(seed, electionHash) {
    return function () {
      return hashToScalar("nonce", [seed, electionHash].concat(Array.prototype.slice.call(arguments)));
    };
  }

  function proofNonces(nonce, label, path) {
    return function (branch, slot) {
      return nonce.apply(null, [encoder.encode(label)].concat(path, [u32(branch), u32(slot)]));
    };
  }

  function proofJson(proof) { return { c: proof.c.map(toHex), v: proof.v.map(toHex) }; }

  /* Encrypt and prove. options.seed (hex, 32 bytes) replays an encryption; omit it for a
     fresh random one. Returns {ballot, seed, tracker}; keep seed secret unless auditing. */
  function encryptBallot(ctx, selections, options) {
    options = options || {};
    checkSelections(ctx, selections);
    var binding = fromHex(options.binding || "", "binding", undefined, MAX_BINDING);
    var seed = options.seed === undefined ? sodium.randombytes_buf(32) : fromHex(options.seed, "seed", 32);
    var nonce = nonceSource(seed, ctx.electionHash);
    var key = ctx.publicKey;
    var questions = ctx.questions.map(function (spec, q) {
      var cts = [], nonces = [], out = [];
      selections[q].forEach(function (m, i) {
        var r = nonce(encoder.encode("encrypt"), u32(q), u32(i));
        var ct = encrypt(key, m, r);
        var proof = proveRange("option", optionContext(ctx, binding, q, i), key, ct, m, r, 0, 1,
                               proofNonces(nonce, "option-proof", [u32(q), u32(i)]));
        cts.push(ct); nonces.push(r);
        out.push({ alpha: toHex(ct.alpha), beta: toHex(ct.beta), proof: proofJson(proof) });
      });
      // Any number may be chosen (min 0, max all): the count proof would prove nothing.
      if (!countProofNeeded(spec)) return { options: out, proof: { c: [], v: [] } };
      var total = selections[q].reduce(function (a, b) { return a + b; }, 0);
      var nonceSum = nonces.reduce(sAdd, new Uint8Array(32));
      var proof = proveRange("question", questionContext(ctx, binding, q, cts), key,
                             sumCiphertexts(cts), total, nonceSum, spec.min, spec.max,
                             proofNonces(nonce, "question-proof", [u32(q)]));
      return { options: out, proof: proofJson(proof) };
    });
    var ballot = { election_hash: ctx.electionHashHex, binding: toHex(binding), questions: questions };
    return { ballot: ballot, seed: toHex(seed), tracker: ballotTracker(ballot) };
  }

  function countProofNeeded(spec) { return !(spec.min === 0 && spec.max === spec.options); }

  function parseProof(value, where, branches) {
    readObject(value, where, ["c", "v"]);
    var c = readList(value.c, where + ".c", branches), v = readList(value.v, where + ".v", branches);
    return {
      c: c.map(function (x, i) { return readScalar(x, where + ".c[" + i + "]"); }),
      v: v.map(function (x, i) { return readScalar(x, where + ".v[" + i + "]"); }),
    };
  }

  function parseBallot(value) {
    readObject(value, "ballot", ["election_hash", "binding", "questions"]);
    var questions = readList(value.questions, "ballot.questions");
    if (questions.length > MAX_QUESTIONS) throw new BallotError("ballot.questions: too many questions");
    return {
      electionHash: fromHex(value.election_hash, "ballot.election_hash", 32),
      binding: fromHex(value.binding, "ballot.binding", undefined, MAX_BINDING),
      questions: questions.map(function (q, qi) {
        var where = "ballot.questions[" + qi + "]";
        readObject(q, where, ["options", "proof"]);
        var options = readList(q.options, where + ".options");
        if (options.length > MAX_OPTIONS) throw new BallotError(where + ".options: too many options");
        readObject(q.proof, where + ".proof", ["c", "v"]);
        var branches = readList(q.proof.c, where + ".proof.c").length;
        if (branches < 0 || branches > MAX_OPTIONS + 1) {
          throw new BallotError(where + ".proof: wrong number of branches");
        }
        return {
          options: options.map(function (o, oi) {
            var at = where + ".options[" + oi + "]";
            readObject(o, at, ["alpha", "beta", "proof"]);
            return {
              ct: { alpha: readPoint(o.alpha, at + ".alpha"), beta: readPoint(o.beta, at + ".beta") },
              proof: parseProof(o.proof, at + ".proof", 2),
            };
          }),
          proof: parseProof(q.proof, where + ".proof", branches),
        };
      }),
    };
  }

  /* The canonical ballot bytes (docs/election-crypto.md, "Ballot bytes"). */
  function ballotBytes(ballot) {
    var b = parseBallot(ballot);
    var parts = [b.electionHash, u32(b.binding.length), b.binding, u32(b.questions.length)];
    b.questions.forEach(function (q) {
      parts.push(u32(q.options.length));
      q.options.forEach(function (o) {
        parts.push(o.ct.alpha, o.ct.beta);
        parts.push.apply(parts, o.proof.c.concat(o.proof.v));
      });
      parts.push(u32(q.proof.c.length));
      parts.push.apply(parts, q.proof.c.concat(q.proof.v));
    });
    return concat(parts);
  }

  function ballotTracker(ballot) { return toHex(hash32("tracker", [ballotBytes(ballot)])); }

  /* Throws BallotError naming the first failure; returns true when every check passes. */
  function verifyBallot(ctx, ballot) {
    var b = parseBallot(ballot);
    if (!equal(b.electionHash, ctx.electionHash)) throw new BallotError("the ballot is for another election");
    if (b.questions.length !== ctx.questions.length) {
      throw new BallotError("the ballot does not answer every question of the manifest");
    }
    ctx.questions.forEach(function (spec, q) {
      var question = b.questions[q];
      if (question.options.length !== spec.options) throw new BallotError("question " + q + ": wrong number of options");
      var cts = question.options.map(function (o) { return o.ct; });
      question.options.forEach(function (o, i) {
        try {
          verifyRange("option", optionContext(ctx, b.binding, q, i), ctx.publicKey, o.ct, o.proof, 0, 1);
        } catch (e) { throw new BallotError("question " + q + " option " + i + ": " + e.message); }
      });
      if (!countProofNeeded(spec)) {
        if (question.proof.c.length || question.proof.v.length) {
          throw new BallotError("question " + q + ": any number may be chosen; no count proof is due");
        }
        return;
      }
      try {
        verifyRange("question", questionContext(ctx, b.binding, q, cts), ctx.publicKey,
                    sumCiphertexts(cts), question.proof, spec.min, spec.max);
      } catch (e) { throw new BallotError("question " + q + ": number of selections: " + e.message); }
    });
    return true;
  }

  /* Benaloh audit: read the choices with the revealed seed and re-derive the whole ballot. */
  function auditBallot(ctx, ballot, seedHex) {
    var b = parseBallot(ballot);
    if (!equal(b.electionHash, ctx.electionHash)) throw new BallotError("the ballot is for another election");
    var seed = fromHex(seedHex, "seed", 32);
    var nonce = nonceSource(seed, ctx.electionHash);
    var G = smallMultiple(1);
    var choices = b.questions.map(function (question, q) {
      return question.options.map(function (o, i) {
        var opened = sub(o.ct.beta, mul(nonce(encoder.encode("encrypt"), u32(q), u32(i)), ctx.publicKey));
        if (isZero(opened)) return 0;
        if (equal(opened, G)) return 1;
        throw new BallotError("question " + q + " option " + i + ": the seed does not open this ciphertext");
      });
    });
    var again = encryptBallot(ctx, choices, { binding: toHex(b.binding), seed: seedHex });
    if (!equal(ballotBytes(again.ballot), ballotBytes(ballot))) {
      throw new BallotError("the ballot does not follow from the revealed seed");
    }
    return choices;
  }

  var api = {
    BallotError: BallotError,
    electionContext: electionContext,
    encryptBallot: encryptBallot,
    verifyBallot: verifyBallot,
    auditBallot: auditBallot,
    ballotBytes: function (ballot) { return toHex(ballotBytes(ballot)); },
    ballotTracker: ballotTracker,
  };
  api.ready = sodium.ready.then(function () {
    ORDER = sodium.from_hex(ORDER_HEX);
    return api;
  });
  global.SmartSeoulBallot = api;
})(typeof window !== "undefined" ? window : globalThis);
