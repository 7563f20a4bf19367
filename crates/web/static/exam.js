// The examinee's exam page. The server is the source of truth: the paper, the saved answers,
// the clock and the deadline come from GET /api/v1/exam/paper. Every answer is put in a queue
// kept in localStorage and sent in order (PUT /api/v1/exam/answers, one in flight); it leaves
// the queue only when the server acknowledges it, after its commit. A reload, a lost network
// or a restarted server therefore loses nothing: the queue is sent again (the sequence number
// makes a repeat harmless) and the page redraws from the server. A save the server refuses
// as a conflict (409: another tab or device used that sequence number for another answer)
// is not lost: the page reloads the paper and numbers what is still queued after the
// server's last_seq.
//
// A sign-in from a second device (issue 13) lands here without a working token: the page
// shows "等待监考员确认" and polls GET /api/v1/exam/sign-in/wait until a proctor approves
// (then the paper loads) or refuses.
(function () {
  "use strict";
  var root = document.getElementById("exam");
  if (!root) return;
  var en = root.getAttribute("data-lang") === "en";
  function t(zh, e) { return en ? e : zh; }
  var el = function (id) { return document.getElementById(id); };
  var paper = null, offset = 0, seq = 0, queue = [], sending = false, backoff = 0, ended = false, key = null;
  var answers = {};

  function store() { if (key) try { localStorage.setItem(key, JSON.stringify(queue)); } catch (e) { /* private mode: memory only */ } }
  function restore() { try { return JSON.parse(localStorage.getItem(key) || "[]"); } catch (e) { return []; } }
  function now() { return Date.now() + offset; }
  function alertText(text) { var a = el("exam-alert"); a.textContent = text || ""; a.hidden = !text; }
  function saveState(text, tone) { var s = el("exam-save"); s.textContent = text; s.className = "save-state small " + (tone || ""); }

  function api(method, path, body) {
    return fetch(path, {
      method: method, credentials: "same-origin", cache: "no-store",
      headers: body ? { "Content-Type": "application/json" } : {},
      body: body ? JSON.stringify(body) : undefined
    });
  }

  function load() {
    api("GET", "/api/v1/exam/paper").then(function (r) {
      if (r.status === 401) { waitForProctor(); return null; }
      if (!r.ok) throw new Error("status " + r.status);
      return r.json();
    }).then(function (p) {
      if (!p) return;
      el("exam-wait").hidden = true;
      offset = Date.parse(p.server_now) - Date.now();
      paper = p;
      key = "anpei-exam-" + p.attempt_id;
      el("exam-title").textContent = p.title;
      el("exam-who").textContent = p.name + " · " + p.trade_name;
      if (p.submitted) { showResult(null); return; }
      if (!p.started) { waitForStart(); return; }
      answers = {};
      p.items.forEach(function (i) { if (i.answer) answers[i.position] = i.answer; });
      // What the server has not acknowledged yet is still in the queue: show it and send it.
      queue = renumber(restore(), p.last_seq);
      store();
      queue.forEach(function (q) { answers[q.position] = q.response; });
      seq = Math.max(p.last_seq, queue.reduce(function (m, q) { return Math.max(m, q.seq); }, 0));
      draw();
      tick();
      flush();
    }).catch(function () {
      alertText(t("网络中断，正在重试…", "Network lost, retrying…"));
      setTimeout(load, 2000);
    });
  }

  // Queued answers the server has not stored: those numbered above its last_seq are kept;
  // after a conflict the server's last_seq may have overtaken some of them, and they are
  // numbered on from it (in their order) so that they are sent after what it has.
  function renumber(saved, lastSeq) {
    var keep = saved.filter(function (q) { return q.seq > lastSeq || q.conflict; });
    var next = lastSeq;
    return keep.map(function (q) { next += 1; return { seq: next, position: q.position, response: q.response }; });
  }

  function waitForProctor() {
    api("GET", "/api/v1/exam/sign-in/wait").then(function (r) {
      if (r.status === 202) {
        el("exam-wait").hidden = false;
        el("exam-title").textContent = t("等待监考员确认", "Waiting for the proctor to confirm");
        setTimeout(waitForProctor, 3000);
        return;
      }
      if (r.ok) { el("exam-wait").hidden = true; load(); return; }
      el("exam-wait").hidden = true;
      if (r.status === 403) {
        alertText(t("监考员未批准本次签到，请联系监考员。", "The proctor did not approve this sign-in; ask the proctor."));
        el("exam-paper").hidden = true;
        return;
      }
      signedOut();
    }).catch(function () { setTimeout(waitForProctor, 3000); });
  }

  function signedOut() {
    alertText(t("签到已失效（可能在其他设备上重新签到）。请回到签到页。", "Your sign-in has ended (perhaps signed in on another device). Go back to sign-in."));
    el("exam-paper").hidden = true;
  }

  function waitForStart() {
    var left = Math.max(0, Date.parse(paper.opens_at) - now());
    el("exam-time").textContent = fmt(left);
    alertText(t("考试尚未开始，开考后自动显示试题。", "The exam has not started; the questions appear at the start."));
    setTimeout(left < 3000 ? load : waitForStart, left < 3000 ? Math.max(left, 300) : 1000);
  }

  function fmt(ms) {
    var s = Math.max(0, Math.floor(ms / 1000));
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
    var two = function (n) { return (n < 10 ? "0" : "") + n; };
    return (h ? h + ":" : "") + two(m) + ":" + two(sec);
  }

  function answered(a) {
    if (!a) return false;
    if (a.choices) return a.choices.length > 0;
    if (a.text !== undefined) return a.text.trim() !== "";
    return a.true_false !== undefined;
  }

  function draw() {
    alertText("");
    var form = el("exam-paper"), nav = el("exam-nav");
    form.innerHTML = ""; nav.innerHTML = "";
    var lastKind = null;
    paper.items.forEach(function (item) {
      if (item.kind !== lastKind) {
        var h = document.createElement("h2");
        h.className = "exam-section";
        h.textContent = item.kind_name;
        form.appendChild(h);
        lastKind = item.kind;
      }
      var card = document.createElement("fieldset");
      card.className = "question card";
      card.id = "q" + item.position;
      var legend = document.createElement("legend");
      legend.innerHTML = "<span class=\"qno\"></span> <span class=\"qstem\"></span> <span class=\"muted small\"></span>";
      legend.children[0].textContent = (item.position + 1) + ".";
      legend.children[1].textContent = item.stem;
      legend.children[2].textContent = "（" + item.points + t(" 分）", " pt)");
      card.appendChild(legend);
      var a = answers[item.position];
      var name = "q" + item.position;
      if (item.kind === "single" || item.kind === "multiple") {
        item.options.forEach(function (o) {
          var label = document.createElement("label");
          label.className = "option";
          var input = document.createElement("input");
          input.type = item.kind === "single" ? "radio" : "checkbox";
          input.name = name; input.value = o.index;
          input.checked = !!(a && a.choices && a.choices.indexOf(o.index) >= 0);
          input.addEventListener("change", function () { choose(item, card); });
          var span = document.createElement("span");
          span.textContent = o.letter + ". " + o.text;
          label.appendChild(input); label.appendChild(span);
          card.appendChild(label);
        });
      } else if (item.kind === "true_false") {
        [[true, t("正确", "True")], [false, t("错误", "False")]].forEach(function (pair) {
          var label = document.createElement("label");
          label.className = "option";
          var input = document.createElement("input");
          input.type = "radio"; input.name = name; input.value = String(pair[0]);
          input.checked = !!(a && a.true_false === pair[0]);
          input.addEventListener("change", function () { put(item.position, { true_false: pair[0] }); });
          var span = document.createElement("span"); span.textContent = pair[1];
          label.appendChild(input); label.appendChild(span);
          card.appendChild(label);
        });
      } else {
        var input = document.createElement("input");
        input.type = "text"; input.className = "fill"; input.name = name; input.maxLength = 500;
        input.setAttribute("aria-label", t("填写答案", "Your answer"));
        input.value = a && a.text ? a.text : "";
        var timer = null;
        var send = function () { clearTimeout(timer); var v = input.value; var prev = answers[item.position]; if (!prev || prev.text !== v) put(item.position, { text: v }); };
        input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(send, 800); });
        input.addEventListener("change", send);
        card.appendChild(input);
      }
      form.appendChild(card);
      var link = document.createElement("a");
      link.href = "#q" + item.position; link.textContent = item.position + 1;
      link.id = "nav" + item.position;
      nav.appendChild(link);
    });
    form.hidden = false; nav.hidden = false; el("exam-submit-row").hidden = false;
    progress();
  }

  function choose(item, card) {
    var chosen = [];
    card.querySelectorAll("input").forEach(function (i) { if (i.checked) chosen.push(Number(i.value)); });
    chosen.sort(function (x, y) { return x - y; });
    put(item.position, { choices: chosen });
  }

  function progress() {
    if (!paper) return;
    var n = 0;
    paper.items.forEach(function (i) {
      var done = answered(answers[i.position]);
      if (done) n++;
      var link = el("nav" + i.position);
      if (link) { link.className = done ? "done" : ""; link.setAttribute("aria-label", (i.position + 1) + (done ? t(" 已答", " answered") : t(" 未答", " unanswered"))); }
    });
    el("exam-answered").textContent = t("已答 ", "Answered ") + n + " / " + paper.items.length;
  }

  function put(position, response) {
    if (ended) return;
    answers[position] = response;
    seq += 1;
    queue.push({ seq: seq, position: position, response: response });
    store();
    progress();
    flush();
  }

  function flush() {
    if (sending) return;
    if (!queue.length) { saveState(t("已全部保存", "All saved"), "ok"); return; }
    sending = true;
    saveState(t("保存中…", "Saving…"), "");
    var head = queue[0];
    api("PUT", "/api/v1/exam/answers", head).then(function (r) {
      sending = false;
      if (r.ok) {
        backoff = 0;
        if (queue.length && queue[0].seq === head.seq) queue.shift();
        store();
        if (navigator.onLine !== false) alertText("");
        flush();
        return;
      }
      if (r.status === 401) { signedOut(); return; }
      if (r.status === 409) {
        // Another tab or device stored another answer under this number: keep ours, and
        // send it again numbered after what the server has.
        queue.forEach(function (q) { q.conflict = true; });
        store();
        alertText(t("本题答案在另一窗口或设备上也有改动，已重新同步。", "This paper was also changed in another tab or device; synchronised again."));
        load();
        return;
      }
      if (r.status === 422) {
        // Refused for good (time is up, the paper is handed in): redraw from the server.
        queue = []; store();
        return r.json().then(function (p) { alertText(en ? p.detail_en : p.detail_zh); load(); });
      }
      retry();
    }).catch(function () { sending = false; retry(); });
  }

  function retry() {
    backoff = Math.min(backoff ? backoff * 2 : 500, 5000);
    saveState(t("网络中断：答案暂存在本机，恢复后自动提交", "Offline: answers kept on this device and sent when back"), "warn");
    setTimeout(flush, backoff);
  }

  function tick() {
    if (!paper || ended) return;
    var left = Date.parse(paper.deadline) - now();
    var clock = el("exam-time");
    clock.textContent = fmt(left);
    clock.className = left < 5 * 60 * 1000 ? "urgent" : "";
    if (left <= 0) { timeUp(); return; }
    setTimeout(tick, 1000 - (now() % 1000));
  }

  function lock() {
    ended = true;
    el("exam-paper").querySelectorAll("input").forEach(function (i) { i.disabled = true; });
    el("exam-submit").disabled = true;
  }

  function drained() {
    return new Promise(function (resolve) {
      var waited = 0;
      (function wait() { if (!queue.length || waited > 15000) resolve(); else { waited += 200; setTimeout(wait, 200); } })();
    });
  }

  function timeUp() {
    alertText(t("考试时间到，试卷自动提交。", "Time is up: the paper is handed in automatically."));
    var keep = queue.slice();
    ended = true; queue = keep; flush();
    lock();
    drained().then(handIn);
  }

  function handIn() {
    api("POST", "/api/v1/exam/submit").then(function (r) {
      if (r.ok) return r.json().then(showResult);
      // Already handed in (by the deadline sweep): show what the server has.
      return load();
    }).catch(function () { setTimeout(handIn, 2000); });
  }

  function showResult(result) {
    lock();
    queue = []; store();
    el("exam-submit-row").hidden = true;
    var box = el("exam-result");
    var score = result ? result.score : paper.score, passed = result ? result.passed : paper.passed;
    box.innerHTML = "<h2></h2><p class=\"big-score\"></p><p class=\"badge\"></p><p class=\"muted\"></p>";
    box.children[0].textContent = t("已交卷", "Handed in");
    box.children[1].textContent = (score === null || score === undefined ? "—" : score) + " / " + paper.total;
    box.children[2].textContent = passed ? t("合格", "Passed") : t("不合格", "Not passed");
    box.children[2].className = "badge " + (passed ? "ok" : "bad");
    box.children[3].textContent = result && result.certificate
      ? t("理论与实操均已合格，已发证：", "Both parts passed; certificate issued: ") + result.certificate
      : t("合格分 ", "Pass mark ") + paper.pass_mark + t(" 分。成绩已记入本人终身档案。", ". The result is in your lifelong archive.");
    box.hidden = false;
    box.focus();
    el("exam-time").textContent = "00:00";
  }

  el("exam-submit").addEventListener("click", function () {
    var missing = paper.items.filter(function (i) { return !answered(answers[i.position]); }).length;
    var ask = missing ? t("还有 " + missing + " 题未作答，确定交卷吗？", missing + " questions are unanswered. Hand in anyway?") : t("确定交卷吗？交卷后不能再修改。", "Hand in now? Answers cannot be changed afterwards.");
    if (!window.confirm(ask)) return;
    lock();
    drained().then(handIn);
  });

  function event(kind) {
    if (!paper || ended) return;
    api("POST", "/api/v1/exam/events", { kind: kind }).catch(function () { /* the timeline is best effort */ });
  }
  document.addEventListener("visibilitychange", function () { event(document.hidden ? "leave" : "return"); });
  window.addEventListener("online", function () { event("reconnect"); backoff = 0; flush(); });
  window.addEventListener("offline", function () { saveState(t("网络中断：答案暂存在本机，恢复后自动提交", "Offline: answers kept on this device and sent when back"), "warn"); });

  load();
})();
