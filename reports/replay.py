"""The handout's only script: it counts the embedded records and replays each chapter's lanes
from them (play, pause, 1x or 10x), drawn on a canvas: no network, and nothing the page's
content-security policy forbids (its hash is the only script allowed; no inline handlers).

A lane is a worker as the records name it: (pid, OS thread id), and the asyncio task or greenlet
where there is one; a bar grows from the task's start to its completion as the clock passes.
"""

from __future__ import annotations

REPLAY_SCRIPT = """
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("task-data").textContent);
  var total = 0;
  data.runs.forEach(function (run) { total += run.symbol.length; });
  var count = document.getElementById("records-count");
  if (count) {
    count.textContent = total + " task records from " + data.runs.length +
      " runs are embedded in this page as JSON (element #task-data); the replays draw them.";
  }
  document.body.setAttribute("data-records", String(total));
  var MAX_LANES = 12, ROW = 14, HEAD = 18;

  function lanesOf(run) {
    var order = [], lanes = {};
    for (var i = 0; i < run.symbol.length; i++) {
      if (run.started_at[i] === null || run.finished_at[i] === null) { continue; }
      var key = "pid " + run.pid[i] + ", thread " + run.thread_id[i] +
        (run.task_name[i] ? ", " + run.task_name[i] : "");
      if (!(key in lanes)) { lanes[key] = []; order.push(key); }
      lanes[key].push(i);
    }
    return order.map(function (k) { return {key: k, tasks: lanes[k]}; });
  }

  function setup(box) {
    var wanted = box.getAttribute("data-chapter");
    var chapter = data.chapters.filter(function (c) { return String(c.number) === wanted; })[0];
    if (!chapter) { return; }
    var canvas = box.querySelector("canvas");
    var runs = chapter.runs.map(function (j, n) {
      var run = data.runs[j];
      return {run: run, label: chapter.labels[n] || run.strategy, lanes: lanesOf(run)};
    });
    var end = 0, rows = 0;
    runs.forEach(function (r) {
      r.run.finished_at.forEach(function (f) { if (f !== null && f > end) { end = f; } });
      rows += Math.min(r.lanes.length, MAX_LANES) + (r.lanes.length > MAX_LANES ? 1 : 0);
    });
    end = end || 1;
    var state = {t: end, speed: 1, playing: false, last: null};

    function draw() {
      var width = Math.max(box.clientWidth, 200);
      canvas.width = width;
      canvas.height = runs.length * HEAD + rows * ROW + 4;
      var ctx = canvas.getContext("2d");
      ctx.clearRect(0, 0, canvas.width, canvas.height);
      ctx.font = "11px sans-serif";
      var labelW = Math.min(220, width * 0.4), barW = width - labelW - 8, y = 0;
      var bars = 0, lanes = 0;
      runs.forEach(function (r) {
        ctx.fillStyle = "#1d1d1f";
        ctx.fillText(r.label, 2, y + 13, width - 4);
        y += HEAD;
        r.lanes.slice(0, MAX_LANES).forEach(function (lane) {
          ctx.fillStyle = "#666";
          ctx.fillText(lane.key, 2, y + 11, labelW - 6);
          lanes += 1;
          lane.tasks.forEach(function (i) {
            var s = r.run.started_at[i], f = r.run.finished_at[i];
            if (s > state.t) { return; }
            var until = Math.min(f, state.t);
            var x0 = labelW + s / end * barW, x1 = labelW + until / end * barW;
            ctx.fillStyle = until >= f ? "#2f6fb5" : "#9cc3ea";
            ctx.fillRect(x0, y + 2, Math.max(x1 - x0, 1), ROW - 4);
            bars += 1;
          });
          y += ROW;
        });
        if (r.lanes.length > MAX_LANES) {
          ctx.fillStyle = "#666";
          ctx.fillText("+" + (r.lanes.length - MAX_LANES) + " more lanes", 2, y + 11);
          y += ROW;
        }
      });
      canvas.setAttribute("data-bars", String(bars));
      canvas.setAttribute("data-lanes", String(lanes));
      box.querySelector(".clock").textContent =
        state.t.toFixed(2) + " s of " + end.toFixed(2) + " s";
    }

    function frame(now) {
      if (!state.playing) { return; }
      if (state.last !== null) {
        state.t = Math.min(end, state.t + (now - state.last) / 1000 * state.speed);
      }
      state.last = now;
      draw();
      if (state.t >= end) {
        state.playing = false;
        box.setAttribute("data-state", "ended");
        return;
      }
      window.requestAnimationFrame(frame);
    }

    box.querySelector(".play").addEventListener("click", function () {
      if (state.t >= end) { state.t = 0; }
      state.playing = true;
      state.last = null;
      box.setAttribute("data-state", "playing");
      window.requestAnimationFrame(frame);
    });
    box.querySelector(".pause").addEventListener("click", function () {
      state.playing = false;
      box.setAttribute("data-state", "paused");
    });
    box.querySelector(".speed").addEventListener("change", function (event) {
      state.speed = Number(event.target.value);
    });
    var fold = box.closest("details");
    if (fold) { fold.addEventListener("toggle", draw); }
    draw();
  }

  Array.prototype.forEach.call(document.querySelectorAll(".replay"), setup);
})();
"""
