// The sandbox's web chat: pick a persona, then talk to the bot through the emulator's user-side API.
// Times are the bot's: its clock (which the ⏩ buttons move) in the campaign's timezone.
"use strict";
const api = "/sandbox/api";
const TZ = "Asia/Ho_Chi_Minh";
const WEEKDAYS = { Mon: "T2", Tue: "T3", Wed: "T4", Thu: "T5", Fri: "T6", Sat: "T7", Sun: "CN" };
let me = null;
let lastSeq = 0;
let lastDay = "";
let polling = false;
const nodes = new Map();
const $ = (id) => document.getElementById(id);

function localParts(epochSeconds) {
  const parts = {};
  const format = new Intl.DateTimeFormat("en-GB", {
    timeZone: TZ, weekday: "short", day: "2-digit", month: "2-digit", year: "numeric",
    hour: "2-digit", minute: "2-digit", hourCycle: "h23",
  });
  for (const p of format.formatToParts(new Date(epochSeconds * 1000))) parts[p.type] = p.value;
  const weekday = WEEKDAYS[parts.weekday] || parts.weekday;
  return {
    day: `${weekday} ${parts.day}/${parts.month}/${parts.year}`,
    short: `${weekday} ${parts.day}/${parts.month}`,
    time: `${parts.hour}:${parts.minute}`,
  };
}

async function loadPersonas() {
  const data = await (await fetch(`${api}/personas`)).json();
  const list = $("persona-list");
  list.innerHTML = "";
  for (const p of data.personas) {
    const li = document.createElement("li");
    const button = document.createElement("button");
    button.dataset.persona = p.key;
    button.innerHTML = `<strong></strong><small></small>`;
    const known = p.role && p.role !== "—";
    button.querySelector("strong").textContent = known ? `${p.full_name} — ${p.role}` : p.full_name;
    button.querySelector("small").textContent = known ? `${p.description} · ${p.unit}` : p.description;
    button.onclick = () => start(p);
    li.appendChild(button);
    list.appendChild(li);
  }
}

async function start(persona) {
  me = persona;
  lastSeq = 0;
  lastDay = "";
  nodes.clear();
  $("messages").innerHTML = "";
  $("personas").hidden = true;
  $("chat").hidden = false;
  $("switch").hidden = false;
  $("who").textContent = persona.role && persona.role !== "—" ? `${persona.full_name} · ${persona.role}` : persona.full_name;
  const history = await fetchEvents(0);
  if (history.length === 0) await sendText("/start");
  history.forEach(apply);
  if (!polling) poll();
  $("text").focus();
}

async function fetchEvents(wait, signal) {
  const url = `${api}/chats/${me.telegram_id}/events?after=${lastSeq}&wait=${wait}`;
  const data = await (await fetch(url, { signal })).json();
  return data.events;
}

let pollAbort = null;

async function poll() {
  polling = true;
  while (me) {
    const who = me;
    pollAbort = new AbortController();
    try {
      const events = await fetchEvents(25, pollAbort.signal);
      if (me === who) events.forEach(apply);  // a persona switched meanwhile: that chat is not shown
    } catch (e) {
      if (me === who) await new Promise((r) => setTimeout(r, 1000));
    }
  }
  polling = false;
}

function apply(event) {
  lastSeq = Math.max(lastSeq, event.seq);
  if (event.kind === "toast") return toast(event.message.text);
  const m = event.message;
  let node = nodes.get(m.message_id);
  if (!node) {
    const when = localParts(m.date);
    if (when.day !== lastDay) {  // a day separator, as Telegram shows: the bot's clock may jump days
      lastDay = when.day;
      const day = document.createElement("div");
      day.className = "day";
      day.innerHTML = "<span></span>";
      day.firstChild.textContent = when.day;
      $("messages").appendChild(day);
    }
    node = document.createElement("div");
    node.className = "msg " + (m.from && m.from.is_bot ? "bot" : "user");
    node.dataset.messageId = m.message_id;
    nodes.set(m.message_id, node);
    $("messages").appendChild(node);
  }
  render(node, m);
  if (event.kind === "delete" || m.deleted) node.classList.add("deleted");
  $("messages").scrollTop = $("messages").scrollHeight;
}

const ALLOWED = new Set(["B", "STRONG", "I", "EM", "U", "INS", "S", "STRIKE", "DEL", "CODE", "PRE", "A", "BLOCKQUOTE"]);

function safeHtml(target, html) {
  // Telegram's HTML subset, rebuilt node by node: anything else becomes text.
  const doc = new DOMParser().parseFromString(`<div>${html}</div>`, "text/html");
  const copy = (src, dst) => {
    for (const child of src.childNodes) {
      if (child.nodeType === Node.TEXT_NODE) dst.appendChild(document.createTextNode(child.textContent));
      else if (child.nodeType === Node.ELEMENT_NODE && ALLOWED.has(child.tagName)) {
        const el = document.createElement(child.tagName);
        if (child.tagName === "A" && /^https?:/.test(child.getAttribute("href") || "")) {
          el.href = child.getAttribute("href");
          el.target = "_blank";
          el.rel = "noopener";
        }
        copy(child, el);
        dst.appendChild(el);
      } else if (child.nodeType === Node.ELEMENT_NODE) copy(child, dst);
    }
  };
  copy(doc.body.firstChild, target);
}

function render(node, m) {
  node.innerHTML = "";
  if (m.photo) {
    const img = document.createElement("img");
    img.src = `${api}/files/${m.photo[m.photo.length - 1].file_id}`;
    img.alt = "ảnh";
    img.onload = () => { $("messages").scrollTop = $("messages").scrollHeight; };  // a picture grows the chat
    node.appendChild(img);
  }
  if (m.document) {
    const a = document.createElement("a");
    a.className = "doc";
    a.href = `${api}/files/${m.document.file_id}`;
    a.target = "_blank";
    a.textContent = `📄 ${m.document.file_name || "tệp"}`;
    node.appendChild(a);
  }
  const body = document.createElement("div");
  const text = m.text || m.caption || "";
  if (m.parse_mode === "HTML" || (m.from && m.from.is_bot)) safeHtml(body, text);
  else body.textContent = text;
  node.appendChild(body);
  const markup = m.reply_markup && m.reply_markup.inline_keyboard;
  if (markup) {
    const kb = document.createElement("div");
    kb.className = "keyboard";
    for (const row of markup) {
      const r = document.createElement("div");
      r.className = "row";
      for (const b of row) {
        const button = document.createElement("button");
        button.textContent = b.text;
        if (b.url) button.onclick = () => window.open(b.url, "_blank");
        else button.onclick = () => press(m.message_id, b.callback_data);
        r.appendChild(button);
      }
      kb.appendChild(r);
    }
    node.appendChild(kb);
  }
  const time = document.createElement("time");
  time.textContent = localParts(m.date).time;
  node.appendChild(time);
}

async function sendText(text) {
  if (!me) return;
  await fetch(`${api}/chats/${me.telegram_id}/send`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ text, first_name: me.full_name }),
  });
}

async function press(messageId, data) {
  if (!me) return;
  await fetch(`${api}/chats/${me.telegram_id}/press`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ message_id: messageId, data, first_name: me.full_name }),
  });
}

async function upload(files) {
  if (!me) return;
  const group = files.length > 1 ? String(Date.now()) : "";
  for (const file of files) {
    const form = new FormData();
    form.append("file", file, file.name);
    form.append("kind", file.type.startsWith("image/") ? "photo" : "document");
    form.append("first_name", me.full_name);
    if (group) form.append("media_group_id", group);
    await fetch(`${api}/chats/${me.telegram_id}/upload`, { method: "POST", body: form });
  }
}

function toast(text) {
  const t = $("toast");
  t.textContent = text;
  t.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => (t.hidden = true), 5000);
}

$("composer").onsubmit = async (e) => {
  e.preventDefault();
  const text = $("text").value.trim();
  if (!text) return;
  $("text").value = "";
  await sendText(text);
};
$("file").onchange = async (e) => {
  const files = Array.from(e.target.files);
  e.target.value = "";
  if (files.length) await upload(files);
};
$("switch").onclick = () => {
  me = null;
  if (pollAbort) pollAbort.abort();
  $("chat").hidden = true;
  $("personas").hidden = false;
  $("switch").hidden = true;
  $("who").textContent = "bản chạy thử";
};
function showTime(clock) {
  const when = localParts(clock.epoch);
  $("clock-label").textContent = `🕗 ${when.short} ${when.time}`;
}

async function showClock() {
  const data = await (await fetch(`${api}/clock`)).json();
  if (!data.now) return;  // --emulator-only: no bot, no clock
  showTime(data);
  $("clockbar").hidden = false;
}

async function moveClock(to) {
  const buttons = [$("next-morning"), $("to-deadline")];
  buttons.forEach((b) => (b.disabled = true));
  try {
    const response = await fetch(`${api}/clock`, {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ to }),
    });
    const data = await response.json();
    showTime(data);
    toast(data.message);
  } finally {
    buttons.forEach((b) => (b.disabled = false));
  }
}
$("next-morning").onclick = () => moveClock("next_morning");
$("to-deadline").onclick = () => moveClock("deadline");
setInterval(showClock, 30000);
showClock();
loadPersonas();
