/*
 * The phone ballot's budget bars: a running total per budget (what is used, what is left),
 * refusing a project that would go over the budget (or past k projects), and saying when a
 * ballot is below its minimum.  Secret rounds also encrypt each budget's choices here
 * (ballot-crypto.js), prove the budget rule (budget-proof.js) and cast through mVoting's API.
 * Texts come from data- attributes (translated by the page; the CSP forbids inline code).
 */
(function () {
  "use strict";
  var form = document.getElementById("budget-ballot");
  if (!form) return;
  var text = form.dataset;
  var number = new Intl.NumberFormat(document.documentElement.lang || "ko");

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, name) { return values[name]; });
  }

  function boxes(section) {
    return Array.prototype.slice.call(section.querySelectorAll("input[type=checkbox]"));
  }

  function total(section) {
    return boxes(section).reduce(function (sum, box) {
      return sum + (box.checked ? Number(box.dataset.weight) : 0);
    }, 0);
  }

  // True when the section's choices are a valid ballot, or empty (the budget is skipped).
  function update(section, refused) {
    var low = Number(section.dataset.low), high = Number(section.dataset.high);
    var knapsack = section.dataset.kind === "knapsack";
    var used = total(section);
    var bar = section.querySelector("progress");
    var line = section.querySelector(".bar-text");
    var state = section.querySelector(".bar-state");
    bar.value = Math.min(used, high);
    line.textContent = knapsack
      ? fill(text.textUsed, { total: number.format(used), budget: number.format(high), left: number.format(high - used) })
      : fill(text.textCount, { count: used, k: high });
    var valid = used === 0 || (used >= low && used <= high);
    if (refused) {
      state.textContent = knapsack
        ? fill(text.textOver, { title: refused.dataset.title, left: number.format(high - used) })
        : fill(text.textTooMany, { k: high, title: refused.dataset.title });
      state.className = "bar-state over";
    } else if (!valid) {
      state.textContent = knapsack
        ? fill(text.textBelow, { minimum: number.format(low) })
        : fill(text.textFewer, { k: low });
      state.className = "bar-state below";
    } else {
      state.textContent = used ? (knapsack ? text.textOk : "") : "";
      state.className = "bar-state ok";
    }
    return valid;
  }

  function refresh() {
    var sections = Array.prototype.slice.call(form.querySelectorAll(".scope-ballot"));
    var allValid = sections.map(function (s) { return update(s, null); }).every(Boolean);
    var anyChosen = sections.some(function (s) { return total(s) > 0; });
    form.querySelector("#cast-budget").disabled = !(allValid && anyChosen);
  }

  form.querySelectorAll(".scope-ballot").forEach(function (section) {
    section.addEventListener("change", function (event) {
      var box = event.target;
      if (box.type !== "checkbox") return;
      if (box.checked && total(section) > Number(section.dataset.high)) {
        box.checked = false;  // over budget (or past k): refused, and the bar says why
        refresh();
        update(section, box);
        return;
      }
      refresh();
    });
  });
  refresh();

  if (!form.dataset.secret) return;

  // --- secret rounds: encrypt, prove, cast each budget through mVoting's API ---------------
  var data = JSON.parse(document.getElementById("budget-election").textContent);
  var status = document.getElementById("ballot-status");
  function say(message, kind) {
    status.textContent = message;
    status.className = "message " + (kind || "");
    status.hidden = !message;
  }

  var encryptedPanel = document.getElementById("budget-encrypted");
  var auditPanel = document.getElementById("budget-audit");
  var submitButton = document.getElementById("cast-budget");
  var castButton = document.getElementById("budget-cast");
  var checkButton = document.getElementById("budget-check");
  var pending = null;  // [{scope, section, context, encrypted, proof}] until cast or checked

  // Encrypt one budget's choices and prove its rule; every nonce comes from the seed.
  function encryptOne(crypto, prover, scope, section, choices) {
    var context = crypto.electionContext(scope.manifest, scope.public_key);
    var encrypted = crypto.encryptBallot(context, [choices]);
    var proof = prover.proveBudget({
      publicKey: scope.public_key,
      electionHash: encrypted.ballot.election_hash,
      binding: encrypted.ballot.binding,
      question: 0,
      seed: encrypted.seed,
      rule: scope.rule,
      choices: choices,
      ciphertexts: encrypted.ballot.questions[0].options,
    });
    return { scope: scope, section: section, context: context, encrypted: encrypted, proof: proof };
  }

  function castOne(item) {
    return fetch(item.scope.cast_url, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "X-CSRFToken": form.querySelector("input[name=csrfmiddlewaretoken]").value,
      },
      body: JSON.stringify({ ballot: item.encrypted.ballot, budget_proofs: { "0": item.proof } }),
    }).then(function (response) {
      return response.json().then(function (body) {
        if (!response.ok) throw new Error(body.error ? body.error.message : text.textFailed);
        return { scope: item.section.querySelector("h2").textContent, tracker: body.tracker };
      });
    });
  }

  function codeLine(list, label, value, className) {
    var entry = document.createElement("li");
    var code = document.createElement("code");
    if (className) code.className = className;
    code.textContent = value;
    entry.appendChild(document.createTextNode(label + ": "));
    entry.appendChild(code);
    list.appendChild(entry);
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (!window.SmartSeoulBallot || !window.SmartSeoulBudgetProof) { say(text.textLoading, "warning"); return; }
    Promise.all([SmartSeoulBallot.ready, SmartSeoulBudgetProof.ready]).then(function (apis) {
      pending = data.scopes.map(function (scope) {
        var section = form.querySelector('.scope-ballot[data-scope="' + scope.scope + '"]');
        var choices = boxes(section).map(function (box) { return box.checked ? 1 : 0; });
        if (!choices.some(Boolean)) return null;
        return encryptOne(apis[0], apis[1], scope, section, choices);
      }).filter(Boolean);
      var list = document.getElementById("budget-fingerprints");
      list.textContent = "";
      pending.forEach(function (item) {
        codeLine(list, item.section.querySelector("h2").textContent, item.encrypted.tracker, "fingerprint");
      });
      auditPanel.hidden = true;
      encryptedPanel.hidden = false;
      submitButton.hidden = true;
      say("");
      castButton.focus();
    }).catch(function (error) { say(error.message, "error"); });
  });

  castButton.addEventListener("click", function () {
    if (!pending) return;
    castButton.disabled = checkButton.disabled = true;
    say(text.textSending);
    // One budget after the other: each cast is its own transaction on the server.
    var results = [];
    pending.reduce(function (chain, item) {
      return chain.then(function () {
        return castOne(item).then(function (result) { results.push(result); });
      });
    }, Promise.resolve()).then(function () {
      pending = null;
      encryptedPanel.hidden = true;
      var list = document.createElement("ul");
      results.forEach(function (r) { codeLine(list, r.scope, r.tracker, "tracker"); });
      say("");
      status.hidden = false;
      status.className = "message success";
      status.appendChild(list);
    }).catch(function (error) {
      castButton.disabled = checkButton.disabled = false;
      say(error.message, "error");
    });
  });

  // Benaloh's challenge: open the encryption with its seed, show what it holds, spoil it.
  checkButton.addEventListener("click", function () {
    if (!pending) return;
    SmartSeoulBallot.ready.then(function (crypto) {
      var list = auditPanel.querySelector("ul");
      list.textContent = "";
      var seeds = [];
      pending.forEach(function (item) {
        var opened = crypto.auditBallot(item.context, item.encrypted.ballot, item.encrypted.seed);
        var titles = boxes(item.section)
          .filter(function (box, i) { return opened[0][i] === 1; })
          .map(function (box) { return box.dataset.title; });
        var entry = document.createElement("li");
        entry.textContent = item.section.querySelector("h2").textContent + ": " + titles.join(", ");
        list.appendChild(entry);
        seeds.push(item.encrypted.seed);
      });
      auditPanel.querySelector("code").textContent = seeds.join(" ");
      pending = null;  // a checked ballot is spoiled: it can never be cast
      encryptedPanel.hidden = true;
      auditPanel.hidden = false;
      submitButton.hidden = false;
      submitButton.focus();
    }).catch(function (error) { say(error.message, "error"); });
  });
})();
