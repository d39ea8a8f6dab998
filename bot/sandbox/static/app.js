// The sandbox's web chat: pick a persona, then talk to the bot through the emulator's user-side API.
"use strict";
const api = "/sandbox/api";
let me = null;
let lastSeq = 0;
let polling = false;
const nodes = new Map();
const $ = (id) => document.getElementById(id);

async function loadPersonas() {
  const data = await (await fetch(`${api}/personas`)).json();
  const list = $("persona-list");
  list.innerHTML = "";
  for (const p of data.personas) {
    const li = document.createElement("li");
    const button = document.createElement("button");
    button.dataset.persona = p.key;
    button.innerHTML = `<strong></strong><small></small>`;
    button.querySelector("strong").textContent = `${p.full_name} — ${p.role}`;
    button.querySelector("small").textContent = `${p.description} · ${p.unit}`;
    button.onclick = () => start(p);
    li.appendChild(button);
    list.appendChild(li);
  }
}

async function start(persona) {
  me = persona;
  lastSeq = 0;
  nodes.clear();
  $("messages").innerHTML = "";
  $("personas").hidden = true;
  $("chat").hidden = false;
  $("switch").hidden = false;
  $("who").textContent = `${persona.full_name} (${persona.role})`;
  const history = await fetchEvents(0);
  if (history.length === 0) await sendText("/start");
  history.forEach(apply);
  if (!polling) poll();
}

async function fetchEvents(wait) {
  const url = `${api}/chats/${me.telegram_id}/events?after=${lastSeq}&wait=${wait}`;
  const data = await (await fetch(url)).json();
  return data.events;
}

async function poll() {
  polling = true;
  while (me) {
    try {
      const events = await fetchEvents(25);
      events.forEach(apply);
    } catch (e) {
      await new Promise((r) => setTimeout(r, 1000));
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
}

async function sendText(text) {
  await fetch(`${api}/chats/${me.telegram_id}/send`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ text, first_name: me.full_name }),
  });
}

async function press(messageId, data) {
  await fetch(`${api}/chats/${me.telegram_id}/press`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ message_id: messageId, data, first_name: me.full_name }),
  });
}

async function upload(files) {
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
  toast.timer = setTimeout(() => (t.hidden = true), 3500);
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
  $("chat").hidden = true;
  $("personas").hidden = false;
  $("switch").hidden = true;
  $("who").textContent = "";
};
$("clock").onclick = async () => {
  const response = await fetch(`${api}/clock`, {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ days: 1 }),
  });
  const data = await response.json();
  toast(`Đồng hồ của bot: ${new Date(data.now.split(" ")[0]).toLocaleString("vi-VN")} — nhắc hạn đã lên lịch: ${data.now.split(" ")[1] || "(0)"}`);
};
loadPersonas();
