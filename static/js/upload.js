/* adv — document uploads: drag and drop of one or many files, each with its metadata, sent one
 * request per file with XMLHttpRequest so that each shows its own progress bar.
 *
 * Markup (templates/documents/_upload_zone.html): [data-upload-zone] carries the URLs,
 * the limits and the French messages; without JavaScript its plain form still works.
 * Also: <form data-upload-single> (a new version of a document) is sent with a progress bar.
 * After a successful upload the event "documents-changed" is triggered on <body> (the list of
 * documents and the expected-documents checklist reload themselves on it).
 */
(function () {
  "use strict";
  if (window.advUpload) return; // the panel may be swapped in several times by htmx
  window.advUpload = true;

  // Refusals about the file itself (its bytes, its size, a virus): sending it again cannot help.
  var FINAL_CODES = ["type_not_allowed", "too_large", "empty", "type_mismatch", "infected", "antivirus_error"];

  function format(template, values) {
    return String(template || "").replace(/\{(\w+)\}/g, function (match, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? values[key] : match;
    });
  }

  function humanSize(bytes) {
    if (bytes < 1024) return bytes + " o";
    if (bytes < 1024 * 1024) return (bytes / 1024).toFixed(0) + " Ko";
    return (bytes / (1024 * 1024)).toFixed(1).replace(".", ",") + " Mo";
  }

  function extensionOf(name) {
    var dot = name.lastIndexOf(".");
    return dot > 0 ? name.slice(dot).toLowerCase() : "";
  }

  function tokens(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().split(/[^a-z0-9]+/).filter(Boolean);
  }

  // The document type whose code appears, word for word, in the file name (kbis.pdf -> K-bis).
  function guessType(select, filename) {
    var words = tokens(filename.replace(/\.[^.]+$/, ""));
    var joined = "-" + words.join("-") + "-";
    var best = null;
    Array.prototype.forEach.call(select.options, function (option) {
      var code = option.getAttribute("data-code");
      if (!code) return;
      if (joined.indexOf("-" + tokens(code).join("-") + "-") !== -1 && (!best || code.length > best.code.length)) {
        best = { value: option.value, code: code };
      }
    });
    return best && best.value;
  }

  function csrfToken(zone) {
    var input = zone.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function refreshDocuments() {
    if (window.htmx) window.htmx.trigger(document.body, "documents-changed");
    else document.body.dispatchEvent(new CustomEvent("documents-changed", { bubbles: true }));
  }

  // --- One item of the queue -------------------------------------------------------------------

  function Item(zone, file) {
    this.zone = zone;
    this.file = file;
    this.node = zone.querySelector("template[data-item-template]").content.firstElementChild.cloneNode(true);
    this.state = "ready";
    var node = this.node;
    var uid = "upl-" + Math.random().toString(36).slice(2, 10);
    node.querySelectorAll("[name]").forEach(function (field) {
      field.id = uid + "-" + field.name;
      var label = node.querySelector('label[data-for="' + field.name + '"]');
      if (label) label.setAttribute("for", field.id);
      var error = node.querySelector('[data-error-for="' + field.name + '"]');
      if (error) { error.id = field.id + "-error"; field.setAttribute("aria-describedby", error.id); }
    });
    node.querySelector("[data-name]").textContent = file.name;
    node.querySelector("[data-size]").textContent = humanSize(file.size);
    node.querySelector("[data-progress]").setAttribute("aria-label", file.name);
    var title = node.querySelector("[name=title]");
    title.value = file.name.replace(/\.[^.]+$/, "").replace(/[_]+/g, " ").trim().slice(0, 200);
    var type = node.querySelector("[name=document_type]");
    var guessed = guessType(type, file.name);
    if (guessed) type.value = guessed;
    var self = this;
    type.addEventListener("change", function () { self.applyTypeLevel(); self.clearError("document_type"); });
    node.querySelector("[data-remove]").addEventListener("click", function () { self.remove(); });
    node.querySelectorAll("input, select").forEach(function (field) {
      field.addEventListener("input", function () { self.clearError(field.name); });
    });
    this.applyTypeLevel();
    this.checkLocally();
  }

  Item.prototype.field = function (name) { return this.node.querySelector('[name="' + name + '"]'); };

  Item.prototype.applyTypeLevel = function () {
    var type = this.field("document_type");
    var level = this.field("security_level");
    var option = type.options[type.selectedIndex];
    var wanted = option && option.getAttribute("data-level");
    var note = this.node.querySelector("[data-level-note]");
    note.textContent = "";
    if (!wanted) { level.value = ""; return; }
    var available = Array.prototype.map.call(level.options, function (o) { return o.value; }).filter(Boolean);
    if (available.indexOf(wanted) !== -1) {
      level.value = wanted;
    } else {
      // The type asks for more than this member's clearance: offer their highest level, and say so.
      level.value = available[available.length - 1];
      note.textContent = format(this.zone.getAttribute("data-msg-level-capped"), { wanted: wanted, max: level.value });
    }
  };

  Item.prototype.checkLocally = function () {
    var zone = this.zone;
    var ext = extensionOf(this.file.name);
    var allowed = (zone.getAttribute("data-extensions") || "").split(",");
    var max = parseInt(zone.getAttribute("data-max-bytes"), 10) || 0;
    if (allowed.indexOf(ext) === -1) {
      return this.fail(format(zone.getAttribute("data-msg-type-refused"), { ext: ext || zone.getAttribute("data-msg-no-extension") }), true);
    }
    if (max && this.file.size > max) {
      return this.fail(format(zone.getAttribute("data-msg-too-large"), { size: humanSize(this.file.size) }), true);
    }
    if (this.file.size === 0) {
      return this.fail(zone.getAttribute("data-msg-empty"), true);
    }
    this.setStatus(zone.getAttribute("data-msg-waiting"));
  };

  Item.prototype.setState = function (state) {
    this.state = state;
    this.node.setAttribute("data-state", state);
  };

  Item.prototype.setStatus = function (text, html) {
    var status = this.node.querySelector("[data-status]");
    if (html) status.innerHTML = html; else status.textContent = text;
  };

  Item.prototype.setProgress = function (percent) {
    var bar = this.node.querySelector("[data-progress]");
    bar.setAttribute("aria-valuenow", String(percent));
    bar.firstElementChild.style.width = percent + "%";
  };

  Item.prototype.fail = function (message, final) {
    this.setState("error");
    this.final = !!final; // the file itself is refused: sending it again would not help
    this.setProgress(100);
    this.setStatus(message);
    if (this.final) this.node.querySelector("[data-fields]").hidden = true;
  };

  Item.prototype.clearError = function (name) {
    var field = this.field(name);
    if (field) { field.classList.remove("is-invalid"); field.removeAttribute("aria-invalid"); }
    var error = this.node.querySelector('[data-error-for="' + name + '"]');
    if (error) error.textContent = "";
  };

  Item.prototype.showErrors = function (errors) {
    var self = this;
    Object.keys(errors || {}).forEach(function (name) {
      var field = self.field(name);
      var error = self.node.querySelector('[data-error-for="' + name + '"]');
      if (field && error) {
        field.classList.add("is-invalid");
        field.setAttribute("aria-invalid", "true");
        error.textContent = errors[name].join(" ");
      }
    });
  };

  Item.prototype.remove = function () {
    if (this.state === "uploading") return;
    this.node.remove();
    var queue = this.zone.advQueue;
    queue.items.splice(queue.items.indexOf(this), 1);
    queue.update();
  };

  Item.prototype.send = function () {
    var self = this;
    var zone = this.zone;
    if (!this.field("document_type").value) {
      this.showErrors({ document_type: [zone.getAttribute("data-msg-type-required")] });
      this.setState("error");
      this.setStatus("");
      this.field("document_type").focus();
      return Promise.resolve(false);
    }
    var data = new FormData();
    data.append("file", this.file, this.file.name);
    ["document_type", "title", "signed_on", "valid_until", "security_level"].forEach(function (name) {
      data.append(name, self.field(name).value);
    });
    ["document_type", "title", "signed_on", "valid_until", "security_level"].forEach(function (name) { self.clearError(name); });
    this.setState("uploading");
    this.setProgress(0);
    this.node.querySelectorAll("input, select, [data-remove]").forEach(function (f) { f.disabled = true; });
    return new Promise(function (resolve) {
      var xhr = new XMLHttpRequest();
      xhr.open("POST", zone.getAttribute("data-upload-url"));
      xhr.setRequestHeader("Accept", "application/json");
      xhr.setRequestHeader("X-CSRFToken", csrfToken(zone));
      xhr.upload.addEventListener("progress", function (event) {
        if (!event.lengthComputable) return;
        var percent = Math.min(99, Math.round((event.loaded / event.total) * 100));
        self.setProgress(percent);
        self.setStatus(format(zone.getAttribute("data-msg-uploading"), { percent: percent }));
      });
      xhr.upload.addEventListener("load", function () {
        self.setStatus(zone.getAttribute("data-msg-checking"));
      });
      xhr.addEventListener("load", function () {
        var body = null;
        try { body = JSON.parse(xhr.responseText); } catch (e) { body = null; }
        if (xhr.status >= 200 && xhr.status < 300 && body && body.ok) {
          self.setState("done");
          self.setProgress(100);
          self.node.querySelector("[data-fields]").hidden = true;
          var link = document.createElement("a");
          link.href = body.url;
          link.textContent = zone.getAttribute("data-msg-open");
          self.setStatus("");
          var status = self.node.querySelector("[data-status]");
          status.appendChild(document.createTextNode(body.message + " "));
          status.appendChild(link);
          self.node.querySelector("[data-remove]").disabled = false;
          resolve(true);
          return;
        }
        self.node.querySelectorAll("input, select, [data-remove]").forEach(function (f) { f.disabled = false; });
        var final = !!(body && FINAL_CODES.indexOf(body.code) !== -1);
        if (body && body.errors && !final) self.showErrors(body.errors);
        self.fail((body && body.message) || zone.getAttribute("data-msg-server"), final);
        resolve(false);
      });
      xhr.addEventListener("error", function () {
        self.node.querySelectorAll("input, select, [data-remove]").forEach(function (f) { f.disabled = false; });
        self.fail(zone.getAttribute("data-msg-network"), false);
        resolve(false);
      });
      xhr.send(data);
    });
  };

  // --- The queue of a zone ----------------------------------------------------------------------

  function Queue(zone) {
    this.zone = zone;
    this.items = [];
    this.list = zone.querySelector("[data-queue]");
    this.actions = zone.querySelector("[data-queue-actions]");
    this.sending = false;
    var self = this;
    zone.querySelector("[data-send]").addEventListener("click", function () { self.sendAll(); });
    zone.querySelector("[data-clear]").addEventListener("click", function () { self.clear(); });
  }

  Queue.prototype.add = function (files) {
    var self = this;
    Array.prototype.forEach.call(files, function (file) {
      var item = new Item(self.zone, file);
      self.items.push(item);
      self.list.appendChild(item.node);
    });
    this.update();
    var first = this.items.length && this.items[this.items.length - files.length];
    if (first) {
      var select = first.field("document_type");
      if (!select.value) select.focus();
    }
  };

  Queue.prototype.pending = function () {
    return this.items.filter(function (item) { return item.state === "ready" || (item.state === "error" && !item.final); });
  };

  Queue.prototype.update = function () {
    var zone = this.zone;
    var hasItems = this.items.length > 0;
    this.list.hidden = !hasItems;
    this.actions.hidden = !hasItems;
    var pending = this.pending().length;
    var send = zone.querySelector("[data-send]");
    var label = zone.querySelector("[data-send-label]");
    var anyFailed = this.items.some(function (item) { return item.state === "error" && !item.final; });
    if (anyFailed && pending) label.textContent = zone.getAttribute("data-msg-retry");
    else if (pending <= 1) label.textContent = zone.getAttribute("data-msg-send-one");
    else label.textContent = format(zone.getAttribute("data-msg-send-many"), { count: pending });
    send.disabled = this.sending || pending === 0;
    var items = this.items;
    var count = function (state) { return items.filter(function (item) { return item.state === state; }).length; };
    var parts = [];
    var ready = count("ready");
    if (ready) parts.push(format(zone.getAttribute("data-msg-count-ready"), { n: ready }));
    if (count("done")) parts.push(format(zone.getAttribute("data-msg-count-done"), { n: count("done") }));
    if (count("error")) parts.push(format(zone.getAttribute("data-msg-count-error"), { n: count("error") }));
    zone.querySelector("[data-queue-summary]").textContent = parts.join(" · ");
  };

  Queue.prototype.clear = function () {
    if (this.sending) return;
    this.items.forEach(function (item) { item.node.remove(); });
    this.items = [];
    this.update();
  };

  Queue.prototype.sendAll = function () {
    var self = this;
    if (this.sending) return;
    var todo = this.pending();
    if (!todo.length) return;
    this.sending = true;
    this.update();
    var saved = 0;
    // One file after the other: each shows its own progress, the server checks each in turn.
    var chain = todo.reduce(function (previous, item) {
      return previous.then(function () {
        return item.send().then(function (ok) { if (ok) saved += 1; self.update(); });
      });
    }, Promise.resolve());
    chain.then(function () {
      self.sending = false;
      self.update();
      if (saved) refreshDocuments();
    });
  };

  function initZone(zone) {
    if (zone.advQueue) return;
    zone.advQueue = new Queue(zone);
    var dropzone = zone.querySelector("[data-dropzone]");
    var picker = zone.querySelector("[data-file-picker]");
    var fallback = zone.querySelector("[data-fallback-fields]");
    // JavaScript is here: the drop zone replaces the one-file form (unless it shows errors).
    dropzone.hidden = false;
    if (fallback && !fallback.querySelector(".is-invalid, .alert")) fallback.hidden = true;
    picker.addEventListener("change", function () {
      if (picker.files.length) zone.advQueue.add(picker.files);
      picker.value = "";
    });
    ["dragenter", "dragover"].forEach(function (name) {
      dropzone.addEventListener(name, function (event) {
        event.preventDefault();
        dropzone.classList.add("is-dragover");
      });
    });
    ["dragleave", "dragend", "drop"].forEach(function (name) {
      dropzone.addEventListener(name, function () { dropzone.classList.remove("is-dragover"); });
    });
    dropzone.addEventListener("drop", function (event) {
      event.preventDefault();
      if (event.dataTransfer && event.dataTransfer.files.length) zone.advQueue.add(event.dataTransfer.files);
    });
  }

  // --- A single-file form (a new version), sent with a progress bar --------------------------------

  function sendSingle(form) {
    var input = form.querySelector("input[type=file]");
    var bar = form.querySelector("[data-progress]");
    var status = form.querySelector("[data-status]");
    var button = form.querySelector("[type=submit]");
    var file = input && input.files[0];
    if (!file) return false;
    var max = parseInt(form.getAttribute("data-max-bytes"), 10) || 0;
    var showError = function (message) {
      status.textContent = message;
      status.classList.add("text-danger");
      input.classList.add("is-invalid");
    };
    status.classList.remove("text-danger");
    input.classList.remove("is-invalid");
    if (max && file.size > max) {
      showError(format(form.getAttribute("data-msg-too-large"), { size: humanSize(file.size) }));
      return true;
    }
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.setRequestHeader("Accept", "application/json");
    bar.hidden = false;
    button.disabled = true;
    xhr.upload.addEventListener("progress", function (event) {
      if (!event.lengthComputable) return;
      var percent = Math.min(99, Math.round((event.loaded / event.total) * 100));
      bar.firstElementChild.style.width = percent + "%";
      bar.setAttribute("aria-valuenow", String(percent));
      status.textContent = format(form.getAttribute("data-msg-uploading"), { percent: percent });
    });
    xhr.upload.addEventListener("load", function () { status.textContent = form.getAttribute("data-msg-checking"); });
    xhr.addEventListener("load", function () {
      var body = null;
      try { body = JSON.parse(xhr.responseText); } catch (e) { body = null; }
      if (xhr.status >= 200 && xhr.status < 300 && body && body.ok) {
        window.location.assign(body.url);
        return;
      }
      button.disabled = false;
      bar.hidden = true;
      showError((body && body.message) || form.getAttribute("data-msg-server"));
    });
    xhr.addEventListener("error", function () {
      button.disabled = false;
      bar.hidden = true;
      showError(form.getAttribute("data-msg-network"));
    });
    xhr.send(new FormData(form));
    return true;
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.matches && form.matches("form[data-upload-single]") && sendSingle(form)) event.preventDefault();
  });

  function initAll(root) {
    root = root || document;
    if (root.matches && root.matches("[data-upload-zone]")) initZone(root);
    if (root.querySelectorAll) root.querySelectorAll("[data-upload-zone]").forEach(initZone);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", function () { initAll(); });
  else initAll();
  // Panels swapped in by htmx (the client page loads this one with hx-trigger="load").
  document.addEventListener("htmx:afterSettle", function (event) { initAll(event.target); });
  document.addEventListener("htmx:load", function (event) { initAll(event.target); });
})();
