// The moderator console. Every action names the question revision the moderator saw;
// the server refuses stale ones (another moderator acted first) with a clear message.
(function () {
  "use strict";
  var root = document.getElementById("live-console");
  if (!root || typeof io === "undefined" || !window.LiveQA) return;
  var Q = window.LiveQA, h = Q.h;
  var S = Q.readJSON(root, "data-strings");
  var departments = JSON.parse(root.getAttribute("data-departments") || "[]");
  // The event's own agency answers in writing unless the moderator picks another.
  var ownDepartment = parseInt(root.getAttribute("data-default-department"), 10);
  var locale = root.getAttribute("data-locale");
  var panel = null; // {id, action, rev, node}: the open form survives live redraws
  function $(name) { return root.querySelector("[data-bind=" + name + "]"); }

  var client = new Q.LiveClient({
    sessionId: parseInt(root.getAttribute("data-session-id"), 10),
    moderator: true,
    onChange: draw,
    onStatus: function (status, msg) {
      $("conn").textContent = status === "error" ? (msg || "") : (S[status] || status);
      $("conn").className = "live-conn is-" + status;
    }
  });

  function report(ack) {
    var box = document.getElementById("console-msg");
    if (ack.ok) { box.hidden = true; return true; }
    box.textContent = ack.error === "timeout" ? S.reconnecting : ack.error;
    box.hidden = false;
    return false;
  }

  // Close the panel an action was sent from once its ack says it succeeded, and only that
  // panel: acks arrive late, and by then the moderator may be typing in another one.
  function closeOnSuccess(from) {
    return function (ack) {
      if (report(ack) && from && panel === from) panel = null;
      draw(client.state);
    };
  }

  function act(q, action, extra) {
    var from = panel && panel.id === q.id ? panel : null;
    var payload = { action: action, question_id: q.id, rev: from ? from.rev : q.rev };
    Object.keys(extra || {}).forEach(function (k) { payload[k] = extra[k]; });
    client.emit("moderate", payload, closeOnSuccess(from));
  }

  function openPanel(q, action) {
    panel = { id: q.id, action: action, rev: q.rev, node: null };
    draw(client.state);
    var first = panel.node && panel.node.querySelector("textarea, input, select");
    if (first) first.focus();
  }

  function field(label, input) { return h("label", { class: "console-field" }, [label, input]); }

  function panelForm(q) {
    var st = client.state, a = panel.action, inputs = [];
    var submit = function (ev) {
      ev.preventDefault();
      var f = ev.target, extra = {};
      if (a === "reject") extra.reason = f.reason.value;
      if (a === "edit") extra.body = f.body.value;
      if (a === "merge") extra.into = parseInt(f.into.value, 10);
      if (a === "answer") { extra.answer = f.answer.value; extra.official = f.official.value; }
      if (a === "assign") { extra.department_id = parseInt(f.department.value, 10); extra.due_on = f.due_on.value; }
      if (a === "ban") {
        client.emit("control", { action: "ban", user_id: q.author_id, reason: f.reason.value },
          closeOnSuccess(panel));
        return;
      }
      act(q, a, extra);
    };
    if (a === "reject" || a === "ban") inputs.push(field(S.reason_prompt, h("input", { name: "reason", maxlength: "300" })));
    if (a === "edit") inputs.push(field(S.edit, h("textarea", { name: "body", rows: "3", maxlength: "300", text: q.text })));
    if (a === "merge") {
      var others = Object.keys(st.questions).map(function (k) { return st.questions[k]; }).filter(function (o) {
        return o.id !== q.id && (o.status === "approved" || o.status === "pending");
      });
      inputs.push(field(S.into, h("select", { name: "into", required: true }, others.map(function (o) {
        return h("option", { value: o.id, text: "#" + o.id + " " + o.body.slice(0, 60) });
      }))));
    }
    if (a === "answer") {
      inputs.push(field(S.answer_text, h("textarea", { name: "answer", rows: "3", required: true, maxlength: "4000" })));
      inputs.push(field(S.official, h("input", { name: "official", required: true, maxlength: "120" })));
    }
    if (a === "assign") {
      inputs.push(field(S.department, h("select", { name: "department", required: true }, departments.map(function (d) {
        return h("option", { value: d.id, text: d.name, selected: d.id === ownDepartment });
      }))));
      inputs.push(field(S.due_on, h("input", { name: "due_on", type: "date" })));
    }
    return h("form", { class: "console-panel", onsubmit: submit }, inputs.concat([
      h("div", { class: "console-actions" }, [
        h("button", { class: "button small", type: "submit", text: S.save }),
        h("button", { class: "button small secondary", type: "button", text: S.cancel,
          onclick: function () { panel = null; draw(client.state); } })
      ])
    ]));
  }

  function button(q, label, handler, kind) {
    var cls = kind === "link-button" ? "link-button" : "button small " + (kind || "secondary");
    return h("button", { type: "button", class: cls,
      "data-focus-key": label + "-" + q.id, onclick: handler, text: label });
  }

  function card(q, st) {
    if (panel && panel.id === q.id && panel.node) return panel.node; // keep what is being typed
    var onScreen = st.session.on_screen_id === q.id;
    var buttons = [], more = [];
    var open = q.status === "pending" || (q.status === "approved" && !q.answered_at);
    if (q.status === "pending") {
      buttons.push(button(q, S.approve, function () { act(q, "approve"); }, " "));
      buttons.push(button(q, S.reject, function () { openPanel(q, "reject"); }));
    }
    if (q.status === "approved" && !q.answered_at) {
      buttons.push(onScreen
        ? button(q, S.unscreen, function () { client.emit("moderate", { action: "screen", question_id: null }, report); })
        : button(q, S.screen, function () { act(q, "screen"); }, " "));
      buttons.push(button(q, S.answer, function () { openPanel(q, "answer"); }));
      if (!q.answer_mode) buttons.push(button(q, S.assign, function () { openPanel(q, "assign"); }));
      more.push(button(q, S.reject, function () { openPanel(q, "reject"); }, "link-button"));
    }
    if (open) {
      more.push(button(q, S.edit, function () { openPanel(q, "edit"); }, "link-button"));
      more.push(button(q, S.merge, function () { openPanel(q, "merge"); }, "link-button"));
      if (q.author_id && String(q.author_id) !== root.getAttribute("data-me") &&
          !st.bans.some(function (b) { return b.user_id === q.author_id; })) {
        more.push(button(q, S.ban, function () { openPanel(q, "ban"); }, "link-button"));
      }
    }
    var status = h("span", { class: "badge badge-" + ({ pending: "warn", approved: "ok", rejected: "err", merged: "neutral" }[q.status]), text: S["status_" + q.status] });
    var node = h("li", { class: "live-q console-q" + (onScreen ? " is-onscreen" : ""), "data-id": q.id }, [
      h("div", { class: "live-q-votes", text: "▲ " + q.votes }),
      h("div", { class: "live-q-main" }, [
        h("p", { class: "meta" }, [status, " #" + q.id + " · " + (q.author || S.anonymous) +
          (q.account_name && q.account_name !== q.author ? " (" + q.account_name + ")" : "") + " · " + Q.formatTime(q.asked_at, locale)]),
        onScreen ? h("span", { class: "badge badge-err", text: S.on_screen }) : null,
        h("p", { class: "live-q-body", text: q.body }),
        q.original ? h("p", { class: "meta", text: S.original + ": " + q.original }) : null,
        q.flagged && q.flagged.length ? h("p", { class: "console-flag", text: "⚠ " + S.flagged + ": " + q.flagged.join(", ") }) : null,
        q.reject_reason ? h("p", { class: "meta", text: S.reason + ": " + q.reject_reason }) : null,
        q.merged_into ? h("p", { class: "meta", text: S.status_merged + " → #" + q.merged_into }) : null,
        q.answered_at ? h("div", { class: "live-answer" }, [h("strong", { text: (q.answered_by || "") + ": " }), q.answer || ""]) : null,
        q.answer_mode === "written" && !q.answered_at ? h("p", { class: "badge badge-warn", text: S.written_pending + " " + q.due_on }) : null,
        buttons.length ? h("div", { class: "console-actions" }, buttons) : null,
        more.length ? h("div", { class: "console-more" }, more) : null,
        panel && panel.id === q.id ? panelForm(q) : null
      ])
    ]);
    if (panel && panel.id === q.id) panel.node = node;
    return node;
  }

  function draw(st) {
    if (!st.session) return;
    $("state").textContent = S["state_" + st.session.state];
    $("state").className = "badge " + (st.session.state === "live" ? "badge-err" : "badge-neutral");
    $("qa").textContent = S["qa_" + st.session.qa_state];
    $("viewers").textContent = String(st.viewers);
    var all = Object.keys(st.questions).map(function (k) { return st.questions[k]; });
    var groups = { pending: [], approved: [], done: [], closed: [] };
    all.forEach(function (q) {
      if (q.status === "pending") groups.pending.push(q);
      else if (q.status === "approved" && (q.answered_at || q.answer_mode)) groups.done.push(q);
      else if (q.status === "approved") groups.approved.push(q);
      else groups.closed.push(q);
    });
    groups.pending.sort(function (a, b) { return a.id - b.id; });
    groups.approved.sort(function (a, b) { return b.votes - a.votes || a.id - b.id; });
    Object.keys(groups).forEach(function (g) {
      Q.renderList($(g), groups[g], function (q) { return card(q, st); });
      $("n-" + g).textContent = String(groups[g].length);
    });
    Q.renderList($("bans"), st.bans, function (b) {
      return h("li", {}, [b.name + (b.reason ? " — " + b.reason : "") + " ",
        h("button", { type: "button", class: "button small secondary", text: S.unban,
          onclick: function () { client.emit("control", { action: "unban", user_id: b.user_id }, report); } })]);
    });
    $("bans-empty").hidden = st.bans.length > 0;
    root.querySelectorAll("[data-control]").forEach(function (b) {
      var a = b.getAttribute("data-control"), s = st.session.state;
      b.disabled = s === "ended" || (a === "go_live" && s === "live") || (a === "pause" && s !== "live");
    });
    root.querySelectorAll("[data-qa]").forEach(function (b) {
      b.setAttribute("aria-pressed", b.getAttribute("data-qa") === st.session.qa_state ? "true" : "false");
      b.disabled = st.session.state === "ended";
    });
  }

  root.querySelectorAll("[data-control]").forEach(function (b) {
    b.addEventListener("click", function () {
      var confirmText = b.getAttribute("data-confirm");
      if (confirmText && !window.confirm(confirmText)) return;
      client.emit("control", { action: b.getAttribute("data-control") }, report);
    });
  });
  root.querySelectorAll("[data-qa]").forEach(function (b) {
    b.addEventListener("click", function () {
      client.emit("control", { action: "qa", state: b.getAttribute("data-qa") }, report);
    });
  });
  root.querySelector("[data-screen-clear]").addEventListener("click", function () {
    client.emit("moderate", { action: "screen", question_id: null }, report);
  });
})();
