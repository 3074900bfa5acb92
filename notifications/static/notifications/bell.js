/* adv: the notification bell. Keeps the menu open while polling, and listens for live
   unread-count pushes (WebSocket, see notifications/consumers.py). Without this file the
   bell still works: htmx polls it every 30 s. */
(function () {
  "use strict";
  var REFRESH_EVENT = "adv-unread-changed";

  function bell() { return document.getElementById("adv-bell"); }

  // Do not replace the bell while its menu is open.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var element = bell();
    if (element && event.detail.elt === element && element.querySelector(".dropdown-menu.show")) {
      event.preventDefault();
    }
  });

  var failures = 0;
  function connect() {
    var element = bell();
    if (!element || !window.WebSocket || !element.dataset.liveUrl) return;
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var socket;
    try { socket = new WebSocket(scheme + window.location.host + element.dataset.liveUrl); } catch (e) { return; }
    var last = null;
    socket.addEventListener("open", function () { failures = 0; });
    socket.addEventListener("message", function (message) {
      var data;
      try { data = JSON.parse(message.data); } catch (e) { return; }
      if (data.event) {
        // A page event (a billing job's progress...): handed to the page's own scripts.
        document.dispatchEvent(new CustomEvent("adv:live", { detail: data.event }));
        return;
      }
      if (typeof data.unread !== "number") return;
      if (last !== null && data.unread !== last && window.htmx) window.htmx.trigger(document.body, REFRESH_EVENT);
      last = data.unread;
    });
    socket.addEventListener("close", function () {
      failures += 1;
      if (failures > 6) return; // no live server (e.g. WSGI): polling is enough
      window.setTimeout(connect, Math.min(60000, 1000 * Math.pow(2, failures)));
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", connect);
  else connect();
})();
