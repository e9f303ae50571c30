/* Lesson page: Plyr player + progress events sent in batches (fetch keepalive; sendBeacon on page hide).
   The server de-duplicates by event id, orders by (session, seq) and computes watch time itself. */
(function () {
  "use strict";
  var video = document.getElementById("player");
  if (!video || !window.Plyr) return;

  var csrf = (document.querySelector("[name=csrfmiddlewaretoken]") || {}).value || "";
  var requestId = parseInt(video.dataset.request, 10);
  var url = video.dataset.eventsUrl;
  var resumeAt = parseFloat(video.dataset.resume || "0");

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return "10000000-1000-4000-8000-100000000000".replace(/[018]/g, function (c) {
      return (c ^ (crypto.getRandomValues(new Uint8Array(1))[0] & (15 >> (c / 4)))).toString(16);
    });
  }

  var player = new Plyr(video, {
    iconUrl: video.dataset.iconUrl,
    blankVideo: "",
    controls: ["play-large", "rewind", "play", "fast-forward", "progress", "current-time", "duration", "mute",
               "volume", "captions", "settings", "pip", "fullscreen"],
    settings: ["captions", "quality", "speed"],
    speed: { selected: 1, options: [0.5, 0.75, 1, 1.25, 1.5, 2] },
    captions: { active: video.dataset.captions === "on", language: "en", update: true },
    keyboard: { focused: true, global: false },
    tooltips: { controls: true, seek: true },
    seekTime: 5,
    storage: { enabled: true, key: "vividly-player" },
  });
  window.vividlyPlayer = player;

  var session = uuid();
  var seq = 0;
  var queue = [];
  var lastTime = 0;
  var lastHeartbeat = 0;
  var milestones = {};

  function push(kind, extra) {
    var ev = {
      id: uuid(), request: requestId, session: session, seq: ++seq, kind: kind,
      position: Math.round(player.currentTime * 100) / 100, rate: player.speed || 1,
      client_time: new Date().toISOString(),
    };
    for (var k in extra || {}) ev[k] = extra[k];
    queue.push(ev);
    if (queue.length >= 20) flush(false);
  }

  function flush(leaving) {
    if (!queue.length) return;
    var batch = queue.splice(0, queue.length);
    if (leaving && navigator.sendBeacon) {
      // sendBeacon cannot set headers: the CSRF token travels as a form field.
      var form = new FormData();
      form.append("csrfmiddlewaretoken", csrf);
      form.append("events", JSON.stringify(batch));
      if (navigator.sendBeacon(url, form)) return;
    }
    fetch(url, {
      method: "POST", keepalive: true, credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({ events: batch }),
    }).then(function (r) {
      document.dispatchEvent(new CustomEvent("vividly:progress-sent", { detail: { status: r.status } }));
    }).catch(function () { queue = batch.concat(queue); });  // retried with the next flush (same ids)
  }

  player.on("loadedmetadata", function () {
    if (resumeAt > 1 && resumeAt < player.duration - 2) player.currentTime = resumeAt;
  });
  player.on("play", function () { lastTime = player.currentTime; push("play"); });
  player.on("pause", function () { if (!player.ended) push("pause"); flush(false); });
  player.on("seeking", function () {
    if (!player.seekingFrom) player.seekingFrom = lastTime;
  });
  player.on("seeked", function () {
    push("seek", { from_position: Math.round((player.seekingFrom || lastTime) * 100) / 100 });
    player.seekingFrom = null;
    lastTime = player.currentTime;
    lastHeartbeat = player.currentTime;
  });
  player.on("timeupdate", function () {
    var t = player.currentTime, d = player.duration || parseFloat(video.dataset.duration) || 0;
    if (!player.seeking) lastTime = t;
    if (player.playing && t - lastHeartbeat >= 5) { lastHeartbeat = t; push("heartbeat"); }
    if (d) {
      [25, 50, 75, 100].forEach(function (m) {
        if (!milestones[m] && t >= d * m / 100 - 0.5) { milestones[m] = true; push("milestone", { milestone: m }); }
      });
    }
  });
  player.on("ended", function () { push("ended"); flush(false); });

  setInterval(function () { flush(false); }, 10000);
  document.addEventListener("visibilitychange", function () { if (document.visibilityState === "hidden") flush(true); });
  window.addEventListener("pagehide", function () { flush(true); });
})();
