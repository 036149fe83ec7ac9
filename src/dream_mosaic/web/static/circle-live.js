// Dream Mosaic live circles: the participant view and the guide console, over one WebSocket.
// - Reconnects by itself (with backoff) and gets a fresh snapshot each time.
// - What you write is kept in localStorage: the draft while you type, and every contribution until the
//   server has acknowledged that it is stored. Unacknowledged ones are sent again after a reconnect; the
//   server recognises the client_id, so nothing is stored twice.
// - Everything shown is set with textContent: dream text is never markup.
(function () {
  "use strict";
  var root = document.getElementById("live");
  if (!root) return;
  var circleId = root.dataset.circle;
  var guide = root.dataset.role === "guide";
  var key = "mosaic:" + circleId + ":" + root.dataset.user + ":";
  var EMOTIONS = { AN: "anger", AP: "apprehension", SD: "sadness", CO: "confusion", HA: "happiness" };
  var STATUS = {
    pending: "waiting for the guide", hidden: "held until the guide reveals", held: "with the guide first",
    removed: "removed", visible: "shared"
  };

  var state = { session: null, items: new Map(), order: [], tapped: new Set(), mine: new Set(),
                admission: null, replyTo: null, agg: null, alerts: new Map(), timerAt: 0 };
  var ws = null, backoff = 500, timerHandle = null, retryHandle = null;

  function $(name) { return root.querySelector('[data-bind="' + name + '"]'); }
  function show(name, on) { root.querySelectorAll('[data-show="' + name + '"]').forEach(function (n) { n.hidden = !on; }); }
  function el(tag, cls, text) {
    var n = document.createElement(tag);
    if (cls) n.className = cls;
    if (text !== undefined && text !== null) n.textContent = text;
    return n;
  }
  function load(name, fallback) {
    try { var v = localStorage.getItem(key + name); return v ? JSON.parse(v) : fallback; } catch (e) { return fallback; }
  }
  function save(name, value) { try { localStorage.setItem(key + name, JSON.stringify(value)); } catch (e) { /* full */ } }
  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2);
  }

  // ------------------------------------------------------------------ connection

  function connect() {
    clearTimeout(retryHandle);
    var url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/api/v1/circles/" + circleId + "/live";
    setConn("Connecting…");
    ws = new WebSocket(url);
    ws.onopen = function () { backoff = 500; setConn("Live"); };
    ws.onmessage = function (m) {
      var data = JSON.parse(m.data);
      (Array.isArray(data) ? data : [data]).forEach(handle);
    };
    ws.onclose = function () {
      setConn("Reconnecting…");
      var wait = Math.min(10000, backoff) * (0.75 + Math.random() * 0.5);
      backoff = Math.min(10000, backoff * 2);
      retryHandle = setTimeout(connect, wait);
    };
  }
  function send(obj) {
    if (ws && ws.readyState === 1) { ws.send(JSON.stringify(obj)); return true; }
    return false;
  }
  function setConn(text) { var n = $("conn"); if (n) { n.textContent = text; n.dataset.state = text === "Live" ? "live" : "off"; } }

  function flushOutbox() {
    load("outbox", []).forEach(function (msg) { send(msg); });
    renderSendState();
  }

  // ------------------------------------------------------------------ events

  function handle(e) {
    switch (e.type) {
      case "refused":
        show("refused", true); $("refused-text").textContent = e.title + ". " + e.detail;
        if (e.retry_after) backoff = e.retry_after * 1000;
        break;
      case "admission": onAdmission(e); break;
      case "snapshot": onSnapshot(e); break;
      case "session": onSession(e); break;
      case "contribution": upsert(e); break;
      case "retract": removeItem(e.id); break;
      case "ack": onAck(e); break;
      case "error": onError(e); break;
      case "alert": if (guide) { state.alerts.set(e.contribution_id, e); renderAlerts(); } break;
      case "checkin": onCheckin(e); break;
      case "room": onRoom(e); break;
      case "aggregates": state.agg = e; renderAggregates(); break;
      case "tapped": if (e.id) { state.tapped.add(e.id); renderItem(e.id); } break;
      case "tap": break;
    }
  }

  function onAdmission(e) {
    state.admission = e;
    show("refused", false);
    var seated = e.state === "admitted";
    show("seated", seated);
    show("waiting", e.state === "waiting");
    if (e.state === "waiting") {
      $("waiting-text").textContent = e.mode === "lottery"
        ? "You are in the lottery for the next free seats, with " + (e.waiting - 1) + " others." +
          (e.first_timer ? " As someone new to this circle, you hold three tickets." : "")
        : "You are number " + e.position + " on the waitlist (" + e.waiting + " waiting).";
    } else if (e.state === "left") {
      show("waiting", false);
      setConn("You left the circle");
    }
  }

  function onSnapshot(e) {
    state.items.clear(); state.order = [];
    state.tapped = new Set(e.tapped || []);
    state.alerts.clear();
    (e.alerts || []).forEach(function (a) { state.alerts.set(a.contribution_id, a); });
    $("feed").textContent = "";
    if (guide) $("queue").textContent = "";
    show("seated", true);
    e.contributions.forEach(upsert);
    onSession(e.session);
    renderAlerts();
    flushOutbox();
  }

  function onSession(s) {
    state.session = s;
    state.timerAt = Date.now();
    $("label").textContent = s.label;
    var hint = $("hint"); if (hint) hint.textContent = s.hint;
    show("paused", s.paused); show("locked", s.locked);
    root.classList.toggle("is-paused", s.paused);
    tickTimer();
    clearInterval(timerHandle); timerHandle = setInterval(tickTimer, 1000);
    if (guide) renderControls(); else renderCompose();
    state.order.forEach(renderItem);
  }

  function tickTimer() {
    var s = state.session, n = $("timer");
    if (!s || !n) return;
    if (s.remaining === null || s.remaining === undefined) { n.textContent = ""; return; }
    var left = s.paused ? s.remaining : Math.max(0, s.remaining - (Date.now() - state.timerAt) / 1000);
    var m = Math.floor(left / 60), sec = Math.floor(left % 60);
    n.textContent = (left <= 0 ? "time's up" : m + ":" + (sec < 10 ? "0" : "") + sec + " left");
  }

  function onRoom(e) {
    $("present").textContent = e.present;
    var seats = $("seats");
    if (seats) seats.textContent = e.seated + " of " + e.capacity + " seats" + (e.waiting ? ", " + e.waiting + " waiting" : "");
  }

  function onAck(e) {
    var outbox = load("outbox", []).filter(function (m) { return m.client_id !== e.client_id; });
    save("outbox", outbox);
    renderSendState(e.status === "visible" ? "Shared." : "Saved: " + STATUS[e.status] + ".");
  }

  function onError(e) {
    if (e.client_id && (e.code === "slow_down" || e.code === "busy")) {
      setTimeout(flushOutbox, (e.retry_after || 1) * 1000);
      renderSendState(e.message);
      return;
    }
    if (e.client_id) {  // refused for good: give the words back to the writer
      var outbox = load("outbox", []), back = outbox.filter(function (m) { return m.client_id === e.client_id; })[0];
      save("outbox", outbox.filter(function (m) { return m.client_id !== e.client_id; }));
      if (back && back.text && !guide) { var t = document.getElementById("words"); if (!t.value) { t.value = back.text; saveDraft(); } }
    }
    renderSendState(e.message);
  }

  function onCheckin(e) {
    var kept = load("checkins", []);  // a private word from the guide stays on this device across reloads
    if (!kept.some(function (k) { return k.at === e.at; })) { kept.push(e); save("checkins", kept.slice(-5)); }
    renderCheckins();
  }

  function renderCheckins() {
    var box = $("checkins"); if (!box) return;
    box.textContent = "";
    load("checkins", []).forEach(function (e) { box.appendChild(checkinNote(e)); });
  }

  function checkinNote(e) {
    var note = el("div", "checkin card");
    note.appendChild(el("strong", null, e.from + " (your guide), just to you: "));
    note.appendChild(el("span", null, e.message));
    return note;
  }

  // ------------------------------------------------------------------ contributions

  function upsert(c) {
    if (!state.items.has(c.id)) state.order.push(c.id);
    var before = state.items.get(c.id) || {};
    state.items.set(c.id, Object.assign({}, before, c));
    if (c.mine) state.mine.add(c.id);
    if (guide && c.status && c.status !== "held") state.alerts.delete(c.id);
    renderItem(c.id);
    if (guide) renderAlerts();
  }

  function removeItem(id) {
    var n = root.querySelector('[data-id="' + id + '"]');
    if (n) n.remove();
    state.items.delete(id);
    state.order = state.order.filter(function (x) { return x !== id; });
    $("feed-empty").hidden = state.order.length > 0;
  }

  function authorText(c) {
    var a = c.author || {};
    if (a.attribution === "self") return "You" + (c.shown_as ? " (shown " + (c.shown_as === "named" ? "by name" : c.shown_as === "alias" ? "by your alias" : "anonymously") + ")" : "");
    return a.name || "Someone in the circle";
  }

  function renderItem(id) {
    var c = state.items.get(id);
    if (!c) return;
    var queued = guide && (c.status === "pending" || c.status === "hidden" || c.status === "held");
    var list = queued ? $("queue") : $("feed");
    // The participant view (also what a guide projects) shows only what everyone may see, and one's own.
    if (c.status && c.status !== "visible" && !(guide || c.mine)) { removeItem(id); return; }
    if (c.status === "removed" && !c.mine) { removeItem(id); return; }
    var old = root.querySelector('[data-id="' + id + '"]');
    var li = el("li", "item kind-" + c.kind + (c.mine ? " mine" : "") + (c.status ? " status-" + c.status : ""));
    li.dataset.id = id;
    var head = el("p", "meta");
    head.appendChild(el("span", "who", authorText(c)));
    head.appendChild(document.createTextNode(" · " + (c.kind === "dream" ? "dream" : c.kind) + " · " + (c.phase || "")));
    if (c.parent_id && state.items.has(c.parent_id)) head.appendChild(document.createTextNode(" · responding to “" + excerpt(state.items.get(c.parent_id).text) + "”"));
    if (c.status && c.status !== "visible") head.appendChild(el("span", "badge status", STATUS[c.status] || c.status));
    li.appendChild(head);
    li.appendChild(el("p", "text", c.text));
    if (guide && (c.emotions || c.motifs)) {
      var facts = (c.emotions || []).map(function (x) { return EMOTIONS[x] || x; }).concat((c.motifs || []).map(function (m) { return "#" + m; }));
      if (facts.length) li.appendChild(el("p", "meta facts", facts.join(" · ")));
    }
    var actions = el("p", "actions");
    if (guide) guideActions(c, actions); else participantActions(c, actions);
    if (actions.childNodes.length) li.appendChild(actions);
    if (old && old.parentNode === list) list.replaceChild(li, old);
    else { if (old) old.remove(); list.appendChild(li); }
    $("feed-empty").hidden = $("feed").children.length > 0;
    if (guide) $("queue-count").textContent = $("queue").children.length;
  }

  function excerpt(t) { t = t || ""; return t.length > 50 ? t.slice(0, 50) + "…" : t; }

  function button(label, cls, onClick, pressed) {
    var b = el("button", cls, label);
    b.type = "button";
    if (pressed !== undefined) b.setAttribute("aria-pressed", pressed ? "true" : "false");
    b.addEventListener("click", onClick);
    return b;
  }

  function participantActions(c, actions) {
    var s = state.session || { allows: [] };
    if (c.status && c.status !== "visible") return;
    if (!c.mine && s.allows.indexOf("tap") >= 0) {
      var tapped = state.tapped.has(c.id);
      actions.appendChild(button(tapped ? "Resonates with you" : "This resonates", "quiet small tap", function () {
        if (!state.tapped.has(c.id)) send({ type: "tap", id: c.id });
      }, tapped));
    }
    if (!c.mine && s.allows.indexOf("association") >= 0) {
      actions.appendChild(button("If this were my dream…", "quiet small", function () {
        state.replyTo = c.id; renderCompose(); document.getElementById("words").focus();
      }));
    }
  }

  function guideActions(c, actions) {
    function act(action, label, cls) { actions.appendChild(button(label, cls || "quiet small", function () { send({ type: "moderate", id: c.id, action: action }); })); }
    if (c.status === "pending") act("approve", "Approve");
    if (c.status === "hidden") act("reveal", "Reveal");
    if (c.status === "held") act("release", "Release to the group");
    if (c.status === "visible") { act("hide", "Hide"); act("hold", "Hold"); }
    if (c.status !== "removed") act("remove", "Remove", "small danger");
  }

  // ------------------------------------------------------------------ guide

  function renderAlerts() {
    if (!guide) return;
    var box = $("alerts"); box.textContent = "";
    state.alerts.forEach(function (a, id) {
      var c = state.items.get(id);
      if (c && c.status && c.status !== "held") return;
      var card = el("article", "alert card");
      card.appendChild(el("h3", null, "Someone may be struggling"));
      card.appendChild(el("p", "meta", (a.author && a.author.name ? a.author.name : "An anonymous participant") + " · only you see this"));
      a.signals.forEach(function (s) {
        var q = el("blockquote", null, s.sentence);
        card.appendChild(q);
        card.appendChild(el("p", "meta", s.kind.replace(/_/g, " ") + " · confidence " + Math.round(s.confidence * 100) + "%"));
      });
      var p = el("p", "actions");
      p.appendChild(button("Check in privately", "small", function () {
        var msg = window.prompt("A private word to this person:", "I noticed what you wrote and wanted to check in. Would you like to talk after the circle?");
        if (msg) send({ type: "checkin", id: id, message: msg });
      }));
      p.appendChild(button("Keep holding", "quiet small", function () { state.alerts.delete(id); renderAlerts(); }));
      p.appendChild(button("Release to the group", "quiet small", function () { send({ type: "moderate", id: id, action: "release" }); }));
      p.appendChild(button("Pause the circle", "small danger", function () { send({ type: "control", paused: true }); }));
      card.appendChild(p);
      box.appendChild(card);
    });
  }

  function renderControls() {
    var s = state.session, list = $("phases");
    list.textContent = "";
    s.phases.forEach(function (p) {
      var li = el("li");
      var b = button(p.label + (p.minutes ? " (" + p.minutes + " min)" : ""), p.name === s.phase ? "small" : "quiet small", function () {
        if (p.name === "closed" && !window.confirm("Close the circle for everyone?")) return;
        send({ type: "control", phase: p.name });
      });
      if (p.name === s.phase) b.setAttribute("aria-current", "step");
      b.disabled = s.closed;
      li.appendChild(b); list.appendChild(li);
    });
    function toggle(action, on, onLabel, offLabel, field) {
      var b = root.querySelector('[data-action="' + action + '"]');
      b.textContent = on ? onLabel : offLabel;
      b.setAttribute("aria-pressed", on ? "true" : "false");
      b.onclick = function () { var m = { type: "control" }; m[field] = field === "moderation" ? (on ? "permissive" : "strict") : !on; send(m); };
    }
    toggle("pause", s.paused, "Resume the circle", "Pause the circle", "paused");
    toggle("lock", s.locked, "Unlock contributions", "Lock new contributions", "locked");
    toggle("hold", s.hold_until_reveal, "Stop holding", "Hold until I reveal", "hold_until_reveal");
    toggle("moderation", s.moderation === "strict", "Strict moderation: on", "Strict moderation: off", "moderation");
    var draw = root.querySelector('[data-action="draw"]');
    draw.hidden = s.admission !== "lottery";
    draw.onclick = function () { send({ type: "control", draw: true }); };
  }

  // ------------------------------------------------------------------ participant

  function currentKind() {
    var allows = (state.session && state.session.allows) || [];
    if (allows.indexOf("dream") >= 0) return "dream";
    if (allows.indexOf("association") >= 0) return "association";
    if (allows.indexOf("reflection") >= 0) return "reflection";
    return null;
  }

  function renderCompose() {
    var form = root.querySelector('[data-form="contribute"]');
    if (!form || guide) return;
    var kind = currentKind(), s = state.session;
    show("can-dream", kind === "dream");
    var label = { dream: "Write a dream now", association: "If this were my dream…", reflection: "What will you take with you?" }[kind] || "Nothing to write in this phase";
    $("words-label").textContent = label;
    var closed = !kind || s.paused || s.locked || s.closed || (kind === "association" && !state.replyTo);
    form.querySelector("textarea").disabled = !kind || s.closed;
    $("send").disabled = closed;
    var r = $("replying");
    if (kind === "association") {
      r.hidden = false;
      r.textContent = state.replyTo && state.items.has(state.replyTo)
        ? "Responding to: “" + excerpt(state.items.get(state.replyTo).text) + "”"
        : "Choose a fragment below (“If this were my dream…”) to respond to it.";
    } else { r.hidden = true; }
  }

  function renderSendState(text) {
    var n = $("sendstate"); if (!n) return;
    var waiting = load("outbox", []).length;
    n.textContent = waiting ? waiting + " waiting to be sent" + (ws && ws.readyState === 1 ? "…" : " when the connection is back.") : (text || "");
  }

  function saveDraft() {
    var t = document.getElementById("words");
    if (t) save("draft", { text: t.value, replyTo: state.replyTo });
  }

  function setupCompose() {
    var form = root.querySelector('[data-form="contribute"]');
    if (!form) return;
    var text = document.getElementById("words");
    var draft = load("draft", null);
    if (draft) { text.value = draft.text || ""; state.replyTo = draft.replyTo || null; }
    text.addEventListener("input", saveDraft);
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var kind = currentKind();
      var dreamId = kind === "dream" ? form.querySelector("#dream-pick").value : "";
      var words = text.value.trim();
      if (!kind || (!dreamId && !words)) { renderSendState("Write something first, or choose a dream from your journal."); return; }
      var msg = { type: "contribute", client_id: newId(), kind: kind };
      if (dreamId) msg.dream_id = dreamId; else msg.text = words;
      if (kind === "association") msg.parent_id = state.replyTo;
      var attribution = form.querySelector('input[name="attribution"]:checked');
      if (attribution && attribution.value) msg.attribution = attribution.value;
      var outbox = load("outbox", []); outbox.push(msg); save("outbox", outbox);
      text.value = ""; form.querySelector("#dream-pick").value = ""; state.replyTo = null; saveDraft();
      renderCompose();
      send(msg);
      renderSendState();
    });
  }

  // ------------------------------------------------------------------ aggregates

  function renderAggregates() {
    var a = state.agg, box = $("aggregates");
    box.textContent = "";
    if (!a.shown) { box.appendChild(el("p", "hint", a.reason + " (" + a.present + " now)")); return; }
    var mix = el("div", "mix");
    mix.appendChild(el("h3", null, "Emotion mix"));
    var total = 0; Object.keys(a.emotions).forEach(function (k) { total += a.emotions[k]; });
    if (!total) mix.appendChild(el("p", "hint", "No emotions named yet."));
    var bars = el("ul", "bars");
    Object.keys(a.emotions).forEach(function (k) {
      var li = el("li"), pct = Math.round(100 * a.emotions[k] / total);
      li.appendChild(el("span", "bar-label", EMOTIONS[k] || k));
      var bar = el("span", "bar emo-" + k); bar.style.width = Math.max(4, pct) + "%";
      bar.setAttribute("aria-hidden", "true");
      li.appendChild(bar);
      li.appendChild(el("span", "bar-value", a.emotions[k] + " (" + pct + "%)"));
      bars.appendChild(li);
    });
    mix.appendChild(bars);
    if (a.timeline && a.timeline.length > 1) {
      mix.appendChild(el("p", "meta", "Over time: " + a.timeline.map(function (t) {
        return "from minute " + t.minute + ": " + Object.keys(t.emotions).map(function (k) { return EMOTIONS[k] || k; }).join(", ");
      }).join("; ")));
    }
    box.appendChild(mix);
    var cloud = el("div", "cloud");
    cloud.appendChild(el("h3", null, "Motifs"));
    var ul = el("ul", "motifs");
    var max = a.motifs.reduce(function (m, x) { return Math.max(m, x.count); }, 1);
    a.motifs.forEach(function (m) {
      var li = el("li", null, m.motif + (m.count > 1 ? " ×" + m.count : ""));
      li.style.fontSize = (0.95 + 0.9 * m.count / max).toFixed(2) + "em";
      ul.appendChild(li);
    });
    if (!a.motifs.length) cloud.appendChild(el("p", "hint", "No motifs yet."));
    cloud.appendChild(ul);
    box.appendChild(cloud);
    var res = el("div", "resonance");
    res.appendChild(el("h3", null, "Resonating most"));
    var ol = el("ol");
    a.resonance.forEach(function (r) {
      ol.appendChild(el("li", state.mine.has(r.id) ? "mine" : null, "“" + r.excerpt + (r.excerpt.length >= 90 ? "…" : "") + "” · " + r.taps + (r.taps === 1 ? " tap" : " taps") + (state.mine.has(r.id) ? " (yours)" : "")));
    });
    if (!a.resonance.length) res.appendChild(el("p", "hint", "No taps yet."));
    res.appendChild(ol);
    if (!guide) {
      var own = Array.from(state.mine).filter(function (id) { return a.ranks[id]; });
      if (own.length) res.appendChild(el("p", "meta", "Your words: " + own.map(function (id) { return "#" + a.ranks[id] + " of " + Object.keys(a.ranks).length; }).join(", ") + " by resonance."));
    }
    box.appendChild(res);
  }

  // ------------------------------------------------------------------ start

  root.querySelectorAll('[data-action="projector"]').forEach(function (b) {
    b.addEventListener("click", function () {
      var on = document.documentElement.classList.toggle("projector");
      b.setAttribute("aria-pressed", on ? "true" : "false");
    });
  });
  if (/[?&]view=projector/.test(location.search)) document.documentElement.classList.add("projector");
  setupCompose();
  renderSendState();
  renderCheckins();
  window.addEventListener("online", function () { if (!ws || ws.readyState > 1) connect(); });
  connect();
})();
