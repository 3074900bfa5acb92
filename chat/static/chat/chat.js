/* The chat in the browser (no inline script: CSP).
 *
 * - The top bar's badge: refreshed on live "unread" events (htmx polls it every 30 s anyway).
 * - Each [data-chat-panel] (the chat page, the side panel of an object's page): reads the thread's
 *   first page through the session API, then subscribes over the WebSocket /ws/t/<firm>/chat/ with
 *   the last seq it has; on reconnect it subscribes again from its last seq (the server sends what
 *   was missed); messages are kept by seq, so none is shown twice. Without a WebSocket (a proxy
 *   that blocks it) it polls ?after=<last seq> every 5 s.
 * - Posting (text and files, multipart), editing within 15 minutes, deleting, typing, read markers,
 *   @mention autocomplete with presence; mention pop-ups unless the server says do-not-disturb.
 * - Presence: the socket beats every 30 s, telling whether the member did something meanwhile.
 */
(function () {
  "use strict";

  /* The words shown, in the reader's language: given by the page (chat/templatetags/chat_tags.py,
   * a JSON data block "chat-strings"), French when absent. */
  var STRINGS = {
    error: "Erreur", typing: "%(name)s écrit…", read_up_to: "Lu jusqu'au n° %(seq)s",
    revoked: "Cette conversation ne vous est plus accessible.", system: "Système", edited: "(modifié)",
    chase: "Relance", chase_resolved: "Relance résolue", deleted: "Message supprimé", edit: "Modifier",
    delete: "Supprimer", delete_confirm: "Supprimer ce message ?", edit_prompt: "Modifier le message",
    dnd_suffix: "(ne pas déranger)", online: "en ligne", away: "absent", offline: "hors ligne",
    dnd: "ne pas déranger", until: "jusqu'au %(date)s"
  };
  (function () {
    var node = document.getElementById("chat-strings");
    if (!node) { return; }
    try { Object.assign(STRINGS, JSON.parse(node.textContent)); } catch (e) { /* keep French */ }
  })();

  function t(key, values) {
    return (STRINGS[key] || key).replace(/%\((\w+)\)s/g, function (all, name) {
      return values && values[name] !== undefined ? String(values[name]) : all;
    });
  }

  function csrf() {
    var m = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  }

  function api(base, path, options) {
    options = options || {};
    options.credentials = "same-origin";
    options.headers = Object.assign({ "Accept": "application/json", "X-CSRFToken": csrf() }, options.headers || {});
    return fetch(base + path, options).then(function (response) {
      if (response.status === 204) { return null; }
      return response.json().then(function (data) {
        if (!response.ok) {
          var error = new Error(data.detail || data.title || t("error"));
          error.data = data;
          throw error;
        }
        return data;
      });
    });
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function formatDate(value) {
    var date = new Date(value);
    return date.toLocaleString(document.documentElement.lang || "fr", { day: "2-digit", month: "2-digit", hour: "2-digit", minute: "2-digit" });
  }

  // --- One socket per page, shared by the panels --------------------------------------------------

  var socket = null;
  var socketUrl = null;
  var listeners = [];
  var active = true;
  var retry = 1000;
  var pollers = [];

  function wsConnect(url) {
    socketUrl = url;
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var ws;
    try { ws = new WebSocket(scheme + window.location.host + url); } catch (e) { startPolling(); return; }
    socket = ws;
    ws.onopen = function () {
      retry = 1000;
      stopPolling();
      listeners.forEach(function (l) { if (l.onOpen) { l.onOpen(); } });
    };
    ws.onmessage = function (event) {
      var data;
      try { data = JSON.parse(event.data); } catch (e) { return; }
      if (data.type === "unread") { updateBadge(data); }
      if (data.type === "mention") { showMention(data); }
      listeners.forEach(function (l) { l.onEvent(data); });
    };
    ws.onclose = function () {
      socket = null;
      startPolling();
      window.setTimeout(function () { wsConnect(socketUrl); }, retry);
      retry = Math.min(retry * 2, 30000);
    };
  }

  function wsSend(payload) {
    if (socket && socket.readyState === WebSocket.OPEN) { socket.send(JSON.stringify(payload)); return true; }
    return false;
  }

  function startPolling() { pollers.forEach(function (p) { p.start(); }); }
  function stopPolling() { pollers.forEach(function (p) { p.stop(); }); }

  ["keydown", "mousedown", "scroll", "touchstart"].forEach(function (name) {
    document.addEventListener(name, function () { active = true; }, { passive: true });
  });
  window.setInterval(function () { wsSend({ action: "ping", active: active }); active = false; }, 30000);

  function updateBadge(data) {
    var badge = document.getElementById("adv-chat-badge");
    if (badge && window.htmx) { window.htmx.trigger(document.body, "adv-chat-unread"); }
  }

  function showMention(data) {
    if (!data.popup) { return; }
    var toast = el("div", "chat-toast alert alert-info shadow-sm");
    toast.setAttribute("role", "status");
    toast.setAttribute("data-testid", "chat-mention-popup");
    toast.appendChild(el("strong", "", data.author + " — " + data.title));
    toast.appendChild(el("div", "small", data.excerpt));
    document.body.appendChild(toast);
    window.setTimeout(function () { toast.remove(); }, 8000);
  }

  // --- A panel ------------------------------------------------------------------------------------

  function Panel(root) {
    this.root = root;
    this.api = root.dataset.api;
    this.me = root.dataset.me;
    this.conversation = root.dataset.conversation || "";
    this.objectType = root.dataset.objectType || "";
    this.objectId = root.dataset.objectId || "";
    this.list = root.querySelector("[data-chat-messages]");
    this.empty = root.querySelector("[data-chat-empty]");
    this.typing = root.querySelector("[data-chat-typing]");
    this.status = root.querySelector("[data-chat-status]");
    this.form = root.querySelector("[data-chat-form]");
    this.body = root.querySelector("[data-chat-body]");
    this.files = root.querySelector("[data-chat-files]");
    this.fileNames = root.querySelector("[data-chat-file-names]");
    this.error = root.querySelector("[data-chat-error]");
    this.older = root.querySelector("[data-chat-older]");
    this.suggestions = root.querySelector("[data-chat-suggestions]");
    this.bySeq = {};
    this.lastSeq = 0;
    this.firstSeq = null;
    this.pollTimer = null;
    this.typingSent = 0;
    this.bind();
    if (this.conversation) { this.load(); }
  }

  Panel.prototype.bind = function () {
    var self = this;
    this.form.addEventListener("submit", function (event) { event.preventDefault(); self.send(); });
    this.body.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey && !self.suggestions.querySelector("li")) { event.preventDefault(); self.send(); }
    });
    this.body.addEventListener("input", function () { self.onInput(); });
    this.files.addEventListener("change", function () {
      self.fileNames.textContent = Array.prototype.map.call(self.files.files, function (f) { return f.name; }).join(", ");
    });
    this.older.addEventListener("click", function () { self.loadOlder(); });
    listeners.push({
      onOpen: function () { self.subscribe(); },
      onEvent: function (data) { self.onEvent(data); }
    });
    pollers.push({ start: function () { self.startPolling(); }, stop: function () { self.stopPolling(); } });
  };

  Panel.prototype.ensureConversation = function () {
    var self = this;
    if (this.conversation) { return Promise.resolve(this.conversation); }
    return api(this.api, "conversations/", {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ object_type: this.objectType, object_id: this.objectId })
    }).then(function (data) {
      self.conversation = data.id;
      self.root.dataset.conversation = data.id;
      self.subscribe();
      return data.id;
    });
  };

  Panel.prototype.load = function () {
    var self = this;
    api(this.api, "conversations/" + this.conversation + "/messages/").then(function (page) {
      page.results.slice().reverse().forEach(function (m) { self.put(m); });
      self.older.classList.toggle("d-none", !page.has_more);
      self.scrollDown();
      self.markRead();
      self.subscribe();
    });
  };

  Panel.prototype.loadOlder = function () {
    var self = this;
    if (this.firstSeq === null) { return; }
    api(this.api, "conversations/" + this.conversation + "/messages/?before=" + this.firstSeq).then(function (page) {
      page.results.forEach(function (m) { self.put(m, true); });
      self.older.classList.toggle("d-none", !page.has_more);
    });
  };

  Panel.prototype.subscribe = function () {
    if (this.conversation) { wsSend({ action: "subscribe", conversation: this.conversation, after: this.lastSeq }); }
  };

  Panel.prototype.startPolling = function () {
    var self = this;
    if (this.pollTimer || !this.conversation) { return; }
    this.pollTimer = window.setInterval(function () { self.catchUp(); }, 5000);
  };

  Panel.prototype.stopPolling = function () {
    if (this.pollTimer) { window.clearInterval(this.pollTimer); this.pollTimer = null; }
  };

  Panel.prototype.catchUp = function () {
    var self = this;
    if (!this.conversation) { return; }
    api(this.api, "conversations/" + this.conversation + "/messages/?after=" + this.lastSeq).then(function (page) {
      var added = false;
      page.results.slice().reverse().forEach(function (m) { added = self.put(m) || added; });
      if (added) { self.scrollDown(); self.markRead(); }
    });
  };

  Panel.prototype.onEvent = function (data) {
    var conversation = data.conversation || (data.message && data.message.conversation);
    if (conversation !== this.conversation) { return; }
    if (data.type === "message") {
      var added = this.put(data.message);
      if (added) { this.scrollDown(); this.markRead(); }
    } else if (data.type === "typing") {
      var typing = this.typing;
      typing.textContent = t("typing", { name: data.name });
      window.clearTimeout(this.typingTimer);
      this.typingTimer = window.setTimeout(function () { typing.textContent = ""; }, 4000);
    } else if (data.type === "read" && data.membership !== this.me) {
      this.status.textContent = t("read_up_to", { seq: data.seq });
    } else if (data.type === "revoked" || (data.type === "error" && data.code === "not_found")) {
      this.root.querySelector(".chat-thread").textContent = t("revoked");
      this.form.remove();
    }
  };

  Panel.prototype.markRead = function () {
    if (!this.conversation || !this.lastSeq) { return; }
    if (!wsSend({ action: "read", conversation: this.conversation, seq: this.lastSeq })) {
      api(this.api, "conversations/" + this.conversation + "/read/", {
        method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ seq: this.lastSeq })
      }).then(function () { updateBadge(); });
    }
  };

  Panel.prototype.render = function (m) {
    var item = el("li", "chat-" + m.kind);
    item.dataset.seq = m.seq;
    item.dataset.id = m.id;
    item.setAttribute("data-testid", "chat-message");
    if (m.mentions_me) { item.classList.add("chat-mentions-me"); }
    if (m.chase && m.chase.resolved) { item.classList.add("chat-resolved"); }
    var meta = el("div", "chat-meta");
    meta.appendChild(el("span", "fw-semibold", m.author ? m.author.name : t("system")));
    meta.appendChild(document.createTextNode(" · " + formatDate(m.created_at)));
    if (m.edited_at) { meta.appendChild(el("span", "ms-1", t("edited"))); }
    if (m.chase) { meta.appendChild(el("span", "badge ms-1 " + (m.chase.resolved ? "text-bg-success" : "text-bg-warning"), m.chase.resolved ? t("chase_resolved") : t("chase"))); }
    item.appendChild(meta);
    if (m.deleted) {
      item.appendChild(el("div", "chat-deleted", t("deleted")));
      return item;
    }
    var html = el("div", "chat-html");
    html.innerHTML = m.html; // sanitised on the server (nh3), rendered for this reader
    item.appendChild(html);
    if (m.attachments.length) {
      var files = el("ul", "list-inline small mb-0");
      m.attachments.forEach(function (a) {
        var li = el("li", "list-inline-item");
        var link = el("a", "", a.name);
        link.href = a.url;
        li.appendChild(el("i", "bi bi-paperclip me-1"));
        li.appendChild(link);
        files.appendChild(li);
      });
      item.appendChild(files);
    }
    var self = this;
    if (m.can_edit || m.can_delete) {
      var tools = el("div", "chat-tools small");
      if (m.can_edit) {
        var edit = el("button", "btn btn-link btn-sm p-0 me-2", t("edit"));
        edit.type = "button";
        edit.addEventListener("click", function () { self.edit(m); });
        tools.appendChild(edit);
      }
      if (m.can_delete) {
        var del = el("button", "btn btn-link btn-sm p-0 text-danger", t("delete"));
        del.type = "button";
        del.addEventListener("click", function () {
          if (window.confirm(t("delete_confirm"))) { api(self.api, "messages/" + m.id + "/", { method: "DELETE" }).catch(function (e) { self.fail(e); }); }
        });
        tools.appendChild(del);
      }
      item.appendChild(tools);
    }
    return item;
  };

  /* Keep one message per seq: a new one is appended in order, a known one replaced (edit, delete). */
  Panel.prototype.put = function (m, older) {
    var node = this.render(m);
    var known = this.bySeq[m.seq];
    this.empty.classList.add("d-none");
    if (known) { known.replaceWith(node); this.bySeq[m.seq] = node; return false; }
    this.bySeq[m.seq] = node;
    var after = null;
    var children = this.list.children;
    for (var i = 0; i < children.length; i++) {
      if (Number(children[i].dataset.seq) > m.seq) { after = children[i]; break; }
    }
    this.list.insertBefore(node, after);
    if (m.seq > this.lastSeq) { this.lastSeq = m.seq; }
    if (this.firstSeq === null || m.seq < this.firstSeq) { this.firstSeq = m.seq; }
    return !older;
  };

  Panel.prototype.scrollDown = function () {
    var thread = this.root.querySelector(".chat-thread");
    thread.scrollTop = thread.scrollHeight;
  };

  Panel.prototype.fail = function (error) {
    var data = error.data || {};
    var messages = [];
    if (data.errors) { Object.keys(data.errors).forEach(function (k) { messages = messages.concat(data.errors[k]); }); }
    this.error.textContent = messages.join(" ") || data.detail || error.message;
  };

  Panel.prototype.send = function () {
    var self = this;
    var text = this.body.value;
    if (!text.trim() && !this.files.files.length) { return; }
    this.error.textContent = "";
    this.ensureConversation().then(function (id) {
      var form = new FormData();
      form.append("body", text);
      Array.prototype.forEach.call(self.files.files, function (f) { form.append("files", f); });
      return api(self.api, "conversations/" + id + "/messages/", { method: "POST", body: form });
    }).then(function (m) {
      self.body.value = "";
      self.files.value = "";
      self.fileNames.textContent = "";
      self.put(m);
      self.scrollDown();
    }).catch(function (e) { self.fail(e); });
  };

  Panel.prototype.edit = function (m) {
    var self = this;
    var text = window.prompt(t("edit_prompt"), m.body);
    if (text === null) { return; }
    api(this.api, "messages/" + m.id + "/", {
      method: "PATCH", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ body: text })
    }).then(function (updated) { self.put(updated); }).catch(function (e) { self.fail(e); });
  };

  Panel.prototype.onInput = function () {
    var now = Date.now();
    if (this.conversation && now - this.typingSent > 3000) {
      this.typingSent = now;
      wsSend({ action: "typing", conversation: this.conversation });
    }
    var before = this.body.value.slice(0, this.body.selectionStart);
    var match = before.match(/(?:^|\s)@([\w.+-]*)$/);
    if (!match) {
      this.suggestSeq = (this.suggestSeq || 0) + 1;  // an answer still on its way must not reopen the list
      this.suggestions.classList.add("d-none"); this.suggestions.textContent = ""; return;
    }
    this.suggest(match[1]);
  };

  Panel.prototype.suggest = function (q) {
    var self = this;
    // One request per key typed; their answers may come back out of order: only the last one's is shown.
    var seq = this.suggestSeq = (this.suggestSeq || 0) + 1;
    fetch(this.root.dataset.membersUrl + "?q=" + encodeURIComponent(q), { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        if (seq !== self.suggestSeq) { return; }
        self.suggestions.textContent = "";
        data.results.forEach(function (member) {
          var li = el("li", "list-group-item list-group-item-action small");
          var dot = el("span", "chat-presence chat-presence-" + (member.dnd ? "dnd" : member.presence));
          li.appendChild(dot);
          li.appendChild(document.createTextNode(member.name + " @" + member.handle + (member.dnd ? " " + t("dnd_suffix") : "")));
          li.addEventListener("mousedown", function (event) {
            event.preventDefault();
            var position = self.body.selectionStart;
            var before = self.body.value.slice(0, position).replace(/@([\w.+-]*)$/, "@" + member.handle + " ");
            self.body.value = before + self.body.value.slice(position);
            self.suggestions.classList.add("d-none");
            self.suggestions.textContent = "";
            self.body.focus();
          });
          self.suggestions.appendChild(li);
        });
        self.suggestions.classList.toggle("d-none", !data.results.length);
      });
  };

  function initPanels(scope) {
    var panels = (scope || document).querySelectorAll("[data-chat-panel]:not([data-chat-ready])");
    Array.prototype.forEach.call(panels, function (root) {
      root.setAttribute("data-chat-ready", "1");
      new Panel(root);
      if (!socket && !socketUrl) { wsConnect(root.dataset.ws); }
    });
  }

  /* Presence dots beside people on any page ([data-presence-member]): one request, every minute. */
  function refreshPresence() {
    var dots = document.querySelectorAll("[data-presence-member]");
    var badge = document.getElementById("adv-chat-badge");
    if (!dots.length || !badge || !badge.dataset.api) { return; }
    var ids = {};
    Array.prototype.forEach.call(dots, function (d) { ids[d.dataset.presenceMember] = true; });
    api(badge.dataset.api, "presence/?members=" + Object.keys(ids).join(",")).then(function (rows) {
      var byId = {};
      rows.forEach(function (r) { byId[r.membership] = r; });
      Array.prototype.forEach.call(dots, function (d) {
        var r = byId[d.dataset.presenceMember];
        if (!r) { return; }
        var state = r.dnd ? "dnd" : r.state;
        d.className = "chat-presence chat-presence-" + state;
        var label = t(state);
        if (r.dnd && r.dnd_until) { label += " " + t("until", { date: formatDate(r.dnd_until) }); }
        d.title = label;
        d.setAttribute("aria-label", label);
      });
    }).catch(function () { /* presence is a comfort */ });
  }

  function start() {
    refreshPresence();
    window.setInterval(refreshPresence, 60000);
    initPanels(document);
    var badge = document.getElementById("adv-chat-badge");
    if (!socketUrl && badge && badge.dataset.ws) { wsConnect(badge.dataset.ws); }
    document.body.addEventListener("htmx:afterSwap", function (event) { initPanels(event.target); });
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
