// Public ledger check, in the visitor's own browser: hash a chosen file locally (it is never
// uploaded) and re-verify each inclusion proof the server sent, per RFC 9162 §2.1.3.2.
"use strict";
(function () {
  const messages = document.getElementById("ledger-messages");
  const text = (name) => (messages ? messages.dataset[name] : "");

  function fromBase64(value) {
    const raw = atob(value);
    const bytes = new Uint8Array(raw.length);
    for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes;
  }
  function concat(...parts) {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const part of parts) { out.set(part, at); at += part.length; }
    return out;
  }
  async function sha256(bytes) {
    return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  }
  const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  const equal = (a, b) => a.length === b.length && a.every((v, i) => v === b[i]);

  // RFC 9162 §2.1.3.2: the root an inclusion proof leads to, or null if it is malformed.
  async function rootFromProof(leaf, index, size, proof) {
    if (index >= size) return null;
    let fn = index, sn = size - 1, r = leaf;
    for (const p of proof) {
      if (sn === 0) return null;
      if (fn % 2 === 1 || fn === sn) {
        r = await sha256(concat([1], p, r));
        while (fn !== 0 && fn % 2 === 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
      } else {
        r = await sha256(concat([1], r, p));
      }
      fn = Math.floor(fn / 2); sn = Math.floor(sn / 2);
    }
    return sn === 0 ? r : null;
  }

  async function checkProofs() {
    const source = document.getElementById("ledger-proofs");
    if (!source || !window.crypto || !crypto.subtle) return;
    for (const proof of JSON.parse(source.textContent)) {
      const target = document.querySelector(`.browser-check[data-index="${proof.index}"]`);
      if (!target) continue;
      const leaf = await sha256(concat([0], fromBase64(proof.data)));
      const root = await rootFromProof(leaf, proof.index, proof.tree_size, proof.hashes.map(fromBase64));
      const ok = root !== null && equal(root, fromBase64(proof.root));
      target.textContent = ok ? "✓ " + text("verified") : text("failed");
      target.classList.toggle("ok", ok);
      target.dataset.verified = ok ? "yes" : "no";
      target.hidden = false;
    }
  }

  const upload = document.getElementById("upload-form");
  if (upload && window.crypto && crypto.subtle) {
    upload.addEventListener("submit", async (event) => {
      const input = upload.querySelector("input[type=file]");
      if (!input.files.length) return;
      event.preventDefault();
      const button = upload.querySelector("button");
      button.disabled = true;
      button.textContent = text("hashing");
      const digest = await sha256(new Uint8Array(await input.files[0].arrayBuffer()));
      window.location.search = "?q=" + hex(digest);
    });
  }
  checkProofs();
})();
