#!/usr/bin/env python3
"""A loopback receiver that parses each delivery as the chat service of its path would (issue 17 item 1).

POST /slack/...: Slack incoming webhook (text + blocks; section text <= 3000, <= 50 blocks, context <= 10
elements); /discord/...: Discord webhook (content <= 2000, <= 10 embeds, title <= 256, description <= 4096,
<= 6000 embed characters in all); /teams/...: Teams Workflows (a message envelope with one Adaptive Card);
/google-chat/...: Google Chat (text <= 4096, body <= 32,000 bytes). Characters are counted as UTF-16 code
units, the strictest way any of them counts. A body that breaks a rule gets 400, as the service would
answer, and its problems are recorded. Each request appends one JSON line to OUT: path, flavour, status,
problems, the content-type and signature headers, and the decoded body.

usage: chat_receiver.py OUT READY_FILE
"""
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

OUT, READY = sys.argv[1], sys.argv[2]


def chars(s):
    return len(s.encode("utf-16-le")) // 2


def need_str(obj, key, problems, where):
    v = obj.get(key) if isinstance(obj, dict) else None
    if not isinstance(v, str):
        problems.append("%s: %s is not a string" % (where, key))
        return ""
    return v


def slack(body, problems):
    text = need_str(body, "text", problems, "slack")
    if not text or chars(text) > 3000:
        problems.append("slack: text empty or over 3000 (%d)" % chars(text))
    blocks = body.get("blocks")
    if not isinstance(blocks, list) or not 1 <= len(blocks) <= 50:
        problems.append("slack: blocks must be a list of 1..50")
        return
    for b in blocks:
        kind = b.get("type")
        if kind == "section":
            t = b.get("text") or {}
            if t.get("type") not in ("mrkdwn", "plain_text"):
                problems.append("slack: section text type %r" % t.get("type"))
            s = need_str(t, "text", problems, "slack section")
            if not s or chars(s) > 3000:
                problems.append("slack: section text empty or over 3000 (%d)" % chars(s))
        elif kind == "context":
            els = b.get("elements")
            if not isinstance(els, list) or not 1 <= len(els) <= 10:
                problems.append("slack: context elements must be 1..10")
                continue
            for e in els:
                s = need_str(e, "text", problems, "slack context")
                if not s or chars(s) > 3000:
                    problems.append("slack: context text empty or over 3000")
        else:
            problems.append("slack: unexpected block type %r" % kind)


def discord(body, problems):
    content = body.get("content", "")
    if not isinstance(content, str) or chars(content) > 2000:
        problems.append("discord: content over 2000")
    embeds = body.get("embeds", [])
    if not isinstance(embeds, list) or len(embeds) > 10:
        problems.append("discord: more than 10 embeds")
        return
    if not content and not embeds:
        problems.append("discord: neither content nor embeds")
    total = 0
    for e in embeds:
        title, desc = e.get("title", ""), e.get("description", "")
        if chars(title) > 256:
            problems.append("discord: embed title over 256 (%d)" % chars(title))
        if chars(desc) > 4096:
            problems.append("discord: embed description over 4096")
        if "description" in e and not desc:
            problems.append("discord: empty embed description")
        total += chars(title) + chars(desc) + chars((e.get("footer") or {}).get("text", ""))
    if total > 6000:
        problems.append("discord: embeds over 6000 characters")
    if (body.get("allowed_mentions") or {}).get("parse") != []:
        problems.append("discord: mentions are not turned off")


def teams(body, problems, raw):
    if len(raw) > 28 * 1024:
        problems.append("teams: body over 28 KB")
    if body.get("type") != "message":
        problems.append("teams: type is not message")
    atts = body.get("attachments")
    if not isinstance(atts, list) or len(atts) != 1:
        problems.append("teams: attachments must hold one card")
        return
    a = atts[0]
    if a.get("contentType") != "application/vnd.microsoft.card.adaptive":
        problems.append("teams: contentType")
    card = a.get("content") or {}
    if card.get("type") != "AdaptiveCard" or not isinstance(card.get("version"), str):
        problems.append("teams: content is not an AdaptiveCard with a version")
    blocks = card.get("body")
    if not isinstance(blocks, list) or not blocks:
        problems.append("teams: card body empty")
        return
    for b in blocks:
        if b.get("type") != "TextBlock" or not isinstance(b.get("text"), str) or not b["text"]:
            problems.append("teams: body element is not a non-empty TextBlock")


def google_chat(body, problems, raw):
    if len(raw) > 32000:
        problems.append("google-chat: body over 32,000 bytes")
    text = need_str(body, "text", problems, "google-chat")
    if not text or chars(text) > 4096:
        problems.append("google-chat: text empty or over 4096")


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_POST(self):
        raw = self.rfile.read(int(self.headers.get("content-length", "0")))
        flavour = self.path.split("/")[1]
        problems = []
        body = None
        try:
            body = json.loads(raw.decode("utf-8"))  # strict: invalid UTF-8 is an error
        except (UnicodeDecodeError, ValueError) as e:
            problems.append("not JSON: %s" % e)
        if isinstance(body, dict):
            if flavour == "slack":
                slack(body, problems)
            elif flavour == "discord":
                discord(body, problems)
            elif flavour == "teams":
                teams(body, problems, raw)
            elif flavour == "google-chat":
                google_chat(body, problems, raw)
        elif body is not None or flavour in ("slack", "discord", "teams", "google-chat"):
            if not problems:
                problems.append("body is not a JSON object")
        status = 400 if problems and flavour in ("slack", "discord", "teams", "google-chat") else 200
        record = {"path": self.path, "flavour": flavour, "status": status, "problems": problems,
                  "content_type": self.headers.get("content-type"),
                  "signature": self.headers.get("webhook-signature"),
                  "hub_signature": self.headers.get("x-hub-signature-256"),
                  "schema": self.headers.get("x-spec-notify-schema"),
                  "webhook_id": self.headers.get("webhook-id"),
                  "body": body, "raw": raw.decode("utf-8", "replace")}
        with open(OUT, "a") as f:
            f.write(json.dumps(record) + "\n")
        self.send_response(status)
        self.send_header("content-length", "0")
        self.end_headers()


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(READY + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
import os
os.rename(READY + ".tmp", READY)
server.serve_forever()
