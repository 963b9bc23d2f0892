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

  function castOne(crypto, prover, scope, choices) {
    var context = crypto.electionContext(scope.manifest, scope.public_key);
    var pending = crypto.encryptBallot(context, [choices]);
    var proof = prover.proveBudget({
      publicKey: scope.public_key,
      electionHash: pending.ballot.election_hash,
      binding: pending.ballot.binding,
      question: 0,
      seed: pending.seed,
      rule: scope.rule,
      choices: choices,
      ciphertexts: pending.ballot.questions[0].options,
    });
    return fetch(scope.cast_url, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "X-CSRFToken": form.querySelector("input[name=csrfmiddlewaretoken]").value,
      },
      body: JSON.stringify({ ballot: pending.ballot, budget_proofs: { "0": proof } }),
    }).then(function (response) {
      return response.json().then(function (body) {
        if (!response.ok) throw new Error(body.error ? body.error.message : text.textFailed);
        return body.tracker;
      });
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (!window.SmartSeoulBallot || !window.SmartSeoulBudgetProof) { say(text.textLoading, "warning"); return; }
    Promise.all([SmartSeoulBallot.ready, SmartSeoulBudgetProof.ready]).then(function (apis) {
      say(text.textSending);
      var casts = data.scopes.map(function (scope) {
        var section = form.querySelector('.scope-ballot[data-scope="' + scope.scope + '"]');
        var choices = boxes(section).map(function (box) { return box.checked ? 1 : 0; });
        if (!choices.some(Boolean)) return null;
        return castOne(apis[0], apis[1], scope, choices).then(function (tracker) {
          return { scope: section.querySelector("h2").textContent, tracker: tracker };
        });
      }).filter(Boolean);
      return Promise.all(casts);
    }).then(function (results) {
      var list = document.createElement("ul");
      results.forEach(function (r) {
        var item = document.createElement("li");
        var code = document.createElement("code");
        code.className = "tracker";
        code.textContent = r.tracker;
        item.appendChild(document.createTextNode(r.scope + ": "));
        item.appendChild(code);
        list.appendChild(item);
      });
      say("");
      status.hidden = false;
      status.className = "message success";
      status.appendChild(list);
    }).catch(function (error) { say(error.message, "error"); });
  });
})();
