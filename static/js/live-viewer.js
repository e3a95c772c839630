// The public session page: questions by votes or time, the question on screen,
// answers, the viewer count; asking and upvoting for signed-in residents.
(function () {
  "use strict";
  var root = document.getElementById("live-viewer");
  if (!root || typeof io === "undefined" || !window.LiveQA) return;
  var Q = window.LiveQA, h = Q.h;
  var S = Q.readJSON(root, "data-strings");
  var locale = root.getAttribute("data-locale");
  var signedIn = root.getAttribute("data-signed-in") === "true";
  var sortBy = "votes";
  function $(name) { return root.querySelector("[data-bind=" + name + "]"); }

  var client = new Q.LiveClient({
    sessionId: parseInt(root.getAttribute("data-session-id"), 10),
    onChange: draw,
    onStatus: function (status, msg) {
      var el = $("conn");
      el.textContent = status === "error" ? (msg || "") : (S[status] || status);
      el.className = "live-conn is-" + status;
    },
    onMine: function (q) {
      var msg = document.getElementById("ask-msg");
      if (msg && q.status !== "pending") msg.textContent = "";
    }
  });

  function answerBlock(q) {
    if (q.answered_at) {
      return h("div", { class: "live-answer" }, [
        h("p", {}, [
          h("span", { class: "badge badge-ok", text: q.answer_mode === "written" ? S.written_answered : S.answered }),
          " ", h("strong", { text: q.answered_by || "" })
        ]),
        h("p", { text: q.answer || "" })
      ]);
    }
    if (q.answer_mode === "written") {
      var dept = q.department ? (locale === "en" && q.department.name_en ? q.department.name_en : q.department.name) : "";
      return h("p", { class: "live-answer" }, [
        h("span", { class: "badge badge-warn", text: S.written_pending + " " + (q.due_on || "") }), " " + dept
      ]);
    }
    return null;
  }

  function questionItem(q, st) {
    var voted = st.mine.voted.indexOf(q.id) !== -1;
    var onScreen = st.session && st.session.on_screen_id === q.id;
    var canVote = signedIn && !st.me.banned && st.session.state !== "ended" && !q.answered_at;
    var vote = h("button", {
      type: "button", class: "live-vote" + (voted ? " is-voted" : ""),
      "aria-pressed": voted ? "true" : "false", "data-focus-key": "vote-" + q.id,
      "aria-label": (voted ? S.unvote : S.vote) + " (" + q.votes + " " + S.votes + ")",
      disabled: !canVote, onclick: function () { toggleVote(q.id, !voted); }
    }, [h("span", { "aria-hidden": "true", text: "▲" }), h("span", { class: "live-vote-n", text: String(q.votes) })]);
    return h("li", { class: "live-q" + (onScreen ? " is-onscreen" : ""), "data-id": q.id }, [
      vote,
      h("div", { class: "live-q-main" }, [
        onScreen ? h("span", { class: "badge badge-err", text: S.on_screen }) : null,
        h("p", { class: "live-q-body", text: q.body }),
        h("p", { class: "meta" }, [
          (q.author || S.anonymous) + " · " + Q.formatTime(q.asked_at, locale),
          q.edited ? " · " + S.edited : ""
        ]),
        answerBlock(q)
      ])
    ]);
  }

  function draw(st) {
    if (!st.session) return;
    $("state").textContent = S["state_" + st.session.state];
    $("state").className = "badge " + (st.session.state === "live" ? "badge-err" : "badge-neutral");
    $("qa").textContent = S["qa_" + st.session.qa_state];
    $("viewers").textContent = String(st.viewers);
    var all = Object.keys(st.questions).map(function (k) { return st.questions[k]; });
    var open = all.filter(function (q) { return !q.answered_at; });
    var answered = all.filter(function (q) { return q.answered_at; });
    open.sort(sortBy === "votes"
      ? function (a, b) { return b.votes - a.votes || a.id - b.id; }
      : function (a, b) { return b.id - a.id; });
    answered.sort(function (a, b) { return (b.answered_at > a.answered_at ? 1 : -1); });
    Q.renderList($("questions"), open, function (q) { return questionItem(q, st); });
    Q.renderList($("answered"), answered, function (q) { return questionItem(q, st); });
    $("qcount").textContent = "(" + all.length + ")";
    var empty = $("empty");
    empty.textContent = S.no_questions;
    empty.hidden = open.length > 0;
    var shown = st.questions[st.session.on_screen_id];
    var box = $("onscreen");
    box.textContent = "";
    if (shown) {
      box.appendChild(h("p", { class: "live-onscreen-body", text: shown.body }));
      box.appendChild(h("p", { class: "meta", text: (shown.author || S.anonymous) + " · " + shown.votes + " " + S.votes }));
      var ans = answerBlock(shown);
      if (ans) box.appendChild(ans);
    } else {
      box.appendChild(h("p", { class: "meta", text: S.nothing_on_screen }));
    }
    drawMine(st);
    var form = document.getElementById("ask-form");
    if (form) {
      var closed = st.me.banned || st.session.qa_state !== "open" || st.session.state === "ended";
      form.querySelector("button[type=submit]").disabled = closed;
      form.querySelector("textarea").disabled = closed;
    }
  }

  function drawMine(st) {
    var wrap = document.getElementById("my-questions");
    if (!wrap) return;
    var list = st.mine.questions || [];
    wrap.hidden = list.length === 0;
    Q.renderList($("mine"), list.slice().reverse(), function (q) {
      var kind = { pending: "badge-warn", approved: "badge-ok", rejected: "badge-err", merged: "badge-neutral" }[q.status];
      return h("li", {}, [
        h("span", { class: "badge " + kind, text: S["mine_" + q.status] || q.status }), " ",
        h("span", { text: q.body }),
        q.reason ? h("p", { class: "meta", text: S.reason + ": " + q.reason }) : null
      ]);
    });
  }

  function toggleVote(id, on) {
    client.emit("vote", { question_id: id, on: on }, function (ack) {
      if (!ack.ok) { say(ack.error); return; }
      var st = client.state, voted = st.mine.voted.filter(function (x) { return x !== id; });
      if (ack.voted) voted.push(id);
      st.mine.voted = voted;
      if (st.questions[id]) st.questions[id].votes = ack.votes;
      draw(st);
    });
  }

  function say(text) {
    var msg = document.getElementById("ask-msg") || $("conn");
    msg.textContent = text || "";
  }

  root.querySelectorAll("[data-sort]").forEach(function (btn) {
    btn.addEventListener("click", function () {
      sortBy = btn.getAttribute("data-sort");
      root.querySelectorAll("[data-sort]").forEach(function (b) {
        var on = b === btn;
        b.setAttribute("aria-pressed", on ? "true" : "false");
        b.classList.toggle("secondary", !on);
      });
      draw(client.state);
    });
  });

  var form = document.getElementById("ask-form");
  if (form) {
    var body = form.querySelector("textarea"), anon = form.querySelector("#ask-anon"), name = form.querySelector("#ask-name");
    body.addEventListener("input", function () { $("count").textContent = String(body.value.length); });
    anon.addEventListener("change", function () { name.disabled = anon.checked; });
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var button = form.querySelector("button[type=submit]");
      button.disabled = true;
      client.emit("ask", { body: body.value, name: name.value, anonymous: anon.checked }, function (ack) {
        button.disabled = false;
        if (!ack.ok) {
          say(ack.error);
          body.setAttribute("aria-invalid", "true");
          return;
        }
        body.removeAttribute("aria-invalid");
        body.value = "";
        $("count").textContent = "0";
        say(ack.question.status === "approved" ? S.sent_approved : S.sent_pending);
      });
    });
  }
})();
