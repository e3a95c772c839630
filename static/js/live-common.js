// Live Q&A client core: the /live Socket.IO protocol (docs/realtime.md) and DOM helpers.
// The server is the authority: on (re)join it sends a snapshot with a version; a delta
// is applied only when its version is ours + 1, otherwise we ask for a new snapshot.
(function () {
  "use strict";

  function h(tag, attrs, children) {
    var el = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      var v = attrs[k];
      if (v === null || v === undefined || v === false) return;
      if (k === "text") el.textContent = v;
      else if (k === "class") el.className = v;
      else if (k.slice(0, 2) === "on") el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? "" : v);
    });
    (children || []).forEach(function (c) {
      if (c === null || c === undefined || c === false) return;
      el.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return el;
  }

  function readJSON(el, name) {
    try { return JSON.parse(el.getAttribute(name) || "{}"); } catch (e) { return {}; }
  }

  function formatTime(iso, locale) {
    if (!iso) return "";
    try {
      return new Intl.DateTimeFormat(locale || "zh-CN", {
        timeZone: "Asia/Shanghai", month: "numeric", day: "numeric", hour: "2-digit", minute: "2-digit"
      }).format(new Date(iso));
    } catch (e) { return iso; }
  }

  function hms(s) {
    if (s === null || s === undefined) return "";
    var m = Math.floor(s / 60) % 60, sec = s % 60;
    return Math.floor(s / 3600) + ":" + (m < 10 ? "0" : "") + m + ":" + (sec < 10 ? "0" : "") + sec;
  }

  // Keeps the state of one session in step with the server.
  function LiveClient(opts) {
    var self = this;
    this.sessionId = opts.sessionId;
    this.moderator = !!opts.moderator;
    this.versionKey = this.moderator ? "mv" : "v";
    this.state = { version: null, session: null, questions: {}, viewers: 0, me: {}, mine: { voted: [], questions: [] }, bans: [] };
    this.onChange = opts.onChange || function () {};
    this.onStatus = opts.onStatus || function () {};
    this.onMine = opts.onMine || function () {};
    this.pending = null; // deltas buffered while a snapshot is on its way
    var socket = io("/live", { transports: ["websocket", "polling"] });
    this.socket = socket;
    socket.on("connect", function () { self.join(); });
    socket.on("disconnect", function () { self.onStatus("reconnecting"); });
    socket.io.on("reconnect_attempt", function () { self.onStatus("reconnecting"); });
    socket.on(this.moderator ? "mod_delta" : "delta", function (d) { self.delta(d); });
    socket.on("counts", function (c) { self.counts(c); });
    // The event's moderators changed and the server emptied the moderators' room: join
    // again, which checks this account's rights afresh (a withdrawn moderator is refused).
    socket.on("mod_rejoin", function (m) {
      if (self.moderator && m && m.session_id === self.sessionId) self.join();
    });
    socket.on("mine", function (m) {
      if (m.session_id !== self.sessionId) return;
      var list = self.state.mine.questions.filter(function (q) { return q.id !== m.question.id; });
      list.push(m.question);
      self.state.mine.questions = list;
      self.onMine(m.question);
      self.onChange(self.state);
    });
  }

  LiveClient.prototype.join = function () {
    var self = this;
    this.pending = [];
    this.socket.emit("join", { session_id: this.sessionId, moderator: this.moderator }, function (ack) {
      if (!ack || !ack.ok) { self.pending = null; self.onStatus("error", ack && ack.error); return; }
      self.applySnapshot(ack);
      self.onStatus("connected");
    });
  };

  LiveClient.prototype.requestSnapshot = function () {
    if (this.pending) return; // one request at a time; deltas wait in the buffer
    var self = this;
    this.pending = [];
    this.socket.emit("snapshot", { session_id: this.sessionId, moderator: this.moderator }, function (ack) {
      if (!ack || !ack.ok) { self.pending = null; self.onStatus("error", ack && ack.error); return; }
      self.applySnapshot(ack);
    });
  };

  LiveClient.prototype.applySnapshot = function (ack) {
    var pub = ack.snapshot, snap = this.moderator ? ack.mod_snapshot : pub;
    var st = this.state;
    st.version = snap[this.versionKey];
    st.session = snap.session;
    st.viewers = snap.viewers;
    st.questions = {};
    snap.questions.forEach(function (q) { st.questions[q.id] = q; });
    if (snap.bans) st.bans = snap.bans;
    if (pub) { st.me = pub.me || {}; st.mine = pub.mine || st.mine; }
    var buffered = this.pending || [];
    this.pending = null;
    var self = this;
    buffered.sort(function (a, b) { return a[self.versionKey] - b[self.versionKey]; })
      .forEach(function (d) { if (d[self.versionKey] === st.version + 1) self.applyDelta(d); });
    this.onChange(st);
  };

  LiveClient.prototype.delta = function (d) {
    if (d.session_id !== this.sessionId) return;
    if (this.pending) { this.pending.push(d); return; }
    var v = d[this.versionKey];
    if (this.state.version === null || v <= this.state.version) return; // already included
    if (v !== this.state.version + 1) { this.requestSnapshot(); return; } // missed one
    this.applyDelta(d);
    this.onChange(this.state);
  };

  LiveClient.prototype.applyDelta = function (d) {
    var st = this.state;
    st.version = d[this.versionKey];
    if (d.session) st.session = d.session;
    (d.questions || []).forEach(function (q) { st.questions[q.id] = q; });
    (d.removed || []).forEach(function (id) { delete st.questions[id]; });
    if (d.bans) st.bans = d.bans;
  };

  LiveClient.prototype.counts = function (c) {
    if (c.session_id !== this.sessionId) return;
    var st = this.state;
    st.viewers = c.viewers;
    Object.keys(st.questions).forEach(function (id) {
      var q = st.questions[id];
      if (q.status && q.status !== "approved") return; // counts cover public questions only
      q.votes = c.votes[id] || 0;
    });
    this.onChange(st);
  };

  LiveClient.prototype.emit = function (event, payload, done) {
    payload.session_id = payload.session_id || this.sessionId;
    this.socket.timeout(10000).emit(event, payload, function (err, ack) {
      if (err) ack = { ok: false, error: "timeout" };
      if (done) done(ack || { ok: false });
    });
  };

  // Re-render a list in place by key, keeping the focused control focused.
  function renderList(container, items, render) {
    var active = document.activeElement;
    var focusKey = active && active.getAttribute && active.getAttribute("data-focus-key");
    container.textContent = "";
    items.forEach(function (item) { container.appendChild(render(item)); });
    if (focusKey) {
      var again = container.querySelector('[data-focus-key="' + focusKey + '"]');
      if (again) again.focus();
    }
  }

  window.LiveQA = { h: h, readJSON: readJSON, formatTime: formatTime, hms: hms, LiveClient: LiveClient, renderList: renderList };
})();
