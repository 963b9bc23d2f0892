/*
 * Casting a secret ballot on the vote page: the browser encrypts the choices (ballot-crypto.js),
 * then the voter either casts the encrypted ballot or challenges it (Benaloh): the browser
 * reveals the randomness, shows what the encryption really contained, and throws it away.
 * The server only ever sees encrypted ballots with their proofs.
 */
(function () {
  "use strict";
  var form = document.querySelector("form[data-secret-ballot]");
  if (!form) return;
  var data = JSON.parse(document.getElementById("election-context").textContent);
  var panel = document.getElementById("encrypted-ballot");
  var trackerOut = document.getElementById("encrypted-tracker");
  var castButton = document.getElementById("cast-ballot");
  var challengeButton = document.getElementById("challenge-ballot");
  var statusOut = document.getElementById("ballot-status");
  var auditOut = document.getElementById("ballot-audit");
  var submitButton = form.querySelector("button[type=submit]");
  var pending = null;
  var context = null;
  var api = null;

  function say(text, kind) {
    statusOut.textContent = text;
    statusOut.className = "message " + (kind || "");
    statusOut.hidden = !text;
  }

  function selections() {
    return data.manifest.questions.map(function (question, q) {
      var chosen = new Array(question.options).fill(0);
      form.querySelectorAll('input[name="q' + q + '"]:checked').forEach(function (input) {
        chosen[Number(input.value)] = 1;
      });
      return chosen;
    });
  }

  function checkCounts(chosen) {
    for (var q = 0; q < chosen.length; q++) {
      var count = chosen[q].reduce(function (a, b) { return a + b; }, 0);
      var spec = data.manifest.questions[q];
      if (count < spec.min || count > spec.max) {
        return data.text.count.replace("%(number)s", q + 1)
          .replace("%(low)s", spec.min).replace("%(high)s", spec.max);
      }
    }
    return "";
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (!api) { say(data.text.loading, "warning"); return; }
    var chosen = selections();
    var problem = checkCounts(chosen);
    if (problem) { say(problem, "error"); return; }
    try {
      pending = api.encryptBallot(context, chosen);
    } catch (error) {
      say(error.message, "error");
      return;
    }
    auditOut.hidden = true;
    trackerOut.textContent = pending.tracker;
    panel.hidden = false;
    say("");
    castButton.focus();
  });

  castButton.addEventListener("click", function () {
    if (!pending) return;
    castButton.disabled = true;
    say(data.text.sending);
    fetch(data.cast_url, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "X-CSRFToken": form.querySelector("input[name=csrfmiddlewaretoken]").value,
      },
      body: JSON.stringify({ ballot: pending.ballot }),
    }).then(function (response) {
      return response.json().then(function (body) { return { ok: response.ok, body: body }; });
    }).then(function (result) {
      if (result.ok) {
        window.location.assign(data.receipt_url.replace("TRACKER", result.body.tracker));
        return;
      }
      castButton.disabled = false;
      say(result.body.error ? result.body.error.message : data.text.failed, "error");
    }).catch(function () {
      castButton.disabled = false;
      say(data.text.offline, "error");
    });
  });

  challengeButton.addEventListener("click", function () {
    if (!pending) return;
    var choices;
    try {
      choices = api.auditBallot(context, pending.ballot, pending.seed);
    } catch (error) {
      say(error.message, "error");
      return;
    }
    var list = auditOut.querySelector("ul");
    list.textContent = "";
    choices.forEach(function (marks, q) {
      marks.forEach(function (mark, i) {
        if (mark) {
          var item = document.createElement("li");
          item.textContent = data.labels[q].question + ": " + data.labels[q].options[i];
          list.appendChild(item);
        }
      });
    });
    auditOut.querySelector("code").textContent = pending.seed;
    auditOut.hidden = false;
    panel.hidden = true;
    pending = null;  // a challenged ballot is spoiled: it can never be cast
    say(data.text.spoiled);
    submitButton.focus();
  });

  SmartSeoulBallot.ready.then(function (loaded) {
    api = loaded;
    context = api.electionContext(data.manifest, data.public_key);
    submitButton.disabled = false;
  }).catch(function (error) {
    say(data.text.unsupported + " (" + error.message + ")", "error");
  });
})();
