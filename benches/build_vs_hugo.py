#!/usr/bin/env python3
"""Build-speed benchmark: Lotse against Hugo on the same synthetic portal.

    python3 benches/build_vs_hugo.py [--sizes 1000,10000] [--runs 3] [--lotse PATH]

For every size N the script generates, from a fixed seed, one synthetic German IT-support portal of N
articles twice: once as a Lotse portal and once as a Hugo site over the very same Markdown bodies. It
then builds each one `--runs` times into a fresh output folder, measures wall time and peak memory
(RSS) of the generator process, checks that every article became an HTML page, and prints a table
with the medians and whether Lotse's goals hold:

  * Lotse builds 10,000 articles faster than Hugo, and
  * Lotse's peak memory stays below 1 GiB.

Python 3.11 standard library only. Nothing is written into the repository: everything lives in a
temporary folder that is removed at the end (keep it with --keep). See benches/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_LOTSE = REPO_ROOT / "target" / "release" / "lotse"
DEFAULT_SEED = 20261014
BASE_URL = "https://hilfe.schul-it.example/"
PORTAL_TITLE = "Hilfe für Lehrkräfte"
GIB = 1024**3

# ---------------------------------------------------------------------------------------------------
# Slugs, exactly as Lotse computes them (search-index/src/fold.rs), so that generated links with a
# `#heading` point at anchors that really exist. A mismatch would be a bug in this generator and Lotse
# would rightly report a dead link.
# ---------------------------------------------------------------------------------------------------

_FOLD = {
    "ä": "ae", "Ä": "ae", "ö": "oe", "Ö": "oe", "ü": "ue", "Ü": "ue", "ß": "ss", "ẞ": "ss",
    **{c: "a" for c in "àáâãåÀÁÂÃÅ"}, "ç": "c", "Ç": "c",
    **{c: "e" for c in "èéêëÈÉÊË"}, **{c: "i" for c in "ìíîïÌÍÎÏ"}, "ñ": "n", "Ñ": "n",
    **{c: "o" for c in "òóôõøÒÓÔÕØ"}, **{c: "u" for c in "ùúûÙÚÛ"}, "ý": "y", "ÿ": "y", "Ý": "y",
}


def lotse_slug(text: str) -> str:
    """Lotse's `slugify`: fold German umlauts, lower-case, one `-` per run of non-[a-z0-9]."""
    folded = "".join(_FOLD.get(ch, ch.lower()) for ch in text)
    out: list[str] = []
    pending_dash = False
    for ch in folded:
        if ch.isascii() and ch.isalnum():
            if pending_dash and out:
                out.append("-")
            pending_dash = False
            out.append(ch)
        else:
            pending_dash = True
    return "".join(out)


def hugo_anchor(text: str) -> str:
    """Approximately Hugo's default ("github") heading ID. Only used in the Hugo copy, where a slightly
    wrong fragment is harmless: Hugo does not check links."""
    text = text.lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


# ---------------------------------------------------------------------------------------------------
# Word pools for plausible German first-level IT-support prose.
# ---------------------------------------------------------------------------------------------------

PLATFORMS = [
    # (id, name, description, icon, order)
    ("iserv", "IServ", "Anmeldung, Passwort, E-Mail, Dateien, Aufgaben und Videokonferenzen", "iserv", 10),
    ("office365", "Office 365 / Microsoft 365", "Teams, Outlook, OneDrive, Office-Apps und die Anmeldung mit MFA",
     "office365", 20),
    ("ipad", "iPad", "Dienst-iPads, WLAN, Apps, Apple Pencil und Bildschirm spiegeln", "ipad", 30),
    ("allgemein", "Allgemein", "WLAN, Drucker, Displays und Dokumentenkameras im Klassenraum", "general", 40),
]

OBJECTS = {
    "iserv": ["IServ-Passwort", "IServ-E-Mail", "Aufgabenmodul", "Dateien in IServ", "IServ-Messenger",
              "Videokonferenz in IServ", "IServ-Kalender", "Klausurplan", "Elternbriefe", "Gruppenordner",
              "IServ-App", "Stundenplan in IServ"],
    "office365": ["Teams-Besprechung", "Outlook-Postfach", "OneDrive-Freigabe", "Microsoft Authenticator",
                  "Forms-Umfrage", "Word-Lizenz", "Teams-Kanal", "SharePoint-Bibliothek",
                  "OneNote-Kursnotizbuch", "Office-Apps", "Teams-Aufgaben", "Outlook-Kalender"],
    "ipad": ["Dienst-iPad", "Apple Pencil", "AirPlay-Spiegelung", "Schul-App", "iPad-Update", "Bildschirmzeit",
             "Kamera-App", "iPad-Tastatur", "Geräteprofil", "Schulnetz-WLAN am iPad", "Keynote", "GoodNotes"],
    "allgemein": ["Dokumentenkamera", "Beamer", "Klassenraum-Display", "Netzwerkdrucker", "Schüler-WLAN",
                  "Lehrkräfte-WLAN", "Lautsprecher", "Kopierer", "Ticket-System", "Medienwagen",
                  "Dienst-Laptop", "Lernplattform"],
}

ACTIONS = ["einrichten", "zurücksetzen", "funktioniert nicht", "verbinden", "freigeben", "aktualisieren",
           "wiederherstellen", "zeigt eine Fehlermeldung", "ist sehr langsam", "zum ersten Mal nutzen",
           "für die Klasse vorbereiten", "sperren und entsperren", "ohne Internet nutzen", "neu anmelden"]

TITLE_SUFFIXES = ["", "", "", "", " im Unterricht", " nach den Ferien", ": so geht es", " – Schritt für Schritt",
                  " mit Schülergeräten", " im Lehrerzimmer"]

TAGS = ["wlan", "passwort", "anmeldung", "drucken", "e-mail", "teams", "outlook", "onedrive", "apps",
        "einrichtung", "fehlerbehebung", "datenschutz", "mfa", "kalender", "dateien", "videokonferenz",
        "beamer", "display", "dokumentenkamera", "apple-pencil", "airplay", "updates", "backup", "sicherheit",
        "speicher", "freigabe", "klassenraum", "unterricht", "aufgaben", "messenger", "browser", "zertifikat",
        "lizenz", "installation", "konto", "benachrichtigungen", "audio", "kamera", "Schülerkonten",
        "Prüfungsmodus"]

KEYWORDS = ["Internet geht nicht", "komme nicht rein", "Passwort falsch", "Fehlermeldung", "Login geht nicht",
            "kein Ton", "Bild bleibt schwarz", "App stürzt ab", "Speicher voll", "Kennwort vergessen",
            "Drucker druckt nicht", "Wifi", "Beamer zeigt nichts", "Mail kommt nicht an", "Konto gesperrt",
            "Datei weg", "Code kommt nicht", "Handy neu", "iPad hängt", "Update hängt", "kein Netz",
            "Teams lädt nicht", "Freigabe fehlt", "zu langsam"]

AUDIENCES = ["teachers", "students", "staff", "technicians"]

HEADINGS = ["Bevor Sie beginnen", "Schritt für Schritt", "Einrichtung auf dem Dienst-iPad", "Anmeldung im Schulnetz",
            "Was Sie brauchen", "Häufige Fehlermeldungen", "Für Schülerinnen und Schüler", "Datenschutz und Sicherheit",
            "Tipps für den Unterricht", "Einstellungen prüfen", "Zugang für Vertretungslehrkräfte", "Nach dem Update",
            "Zurücksetzen und neu starten", "Im Klassenraum", "Von zu Hause aus", "So geht es schneller",
            "Hintergrund: Warum das nötig ist", "Rechte und Freigaben", "Was die Schul-IT für Sie tut",
            "Auf dem Dienst-Laptop", "Am Smartboard", "Größere Dateien übertragen"]
TROUBLE_HEADINGS = ["Wenn es nicht klappt", "Weitere Hilfe", "Typische Probleme und Lösungen", "Es klappt immer noch nicht?"]
SUBHEADINGS = ["Variante A: über die App", "Variante B: im Browser", "Auf einem privaten Gerät", "Für Fachschaften"]

APPS = ["die IServ-App", "Teams", "Outlook", "OneDrive", "die Einstellungen-App", "den Browser", "Safari",
        "das Self-Service-Portal", "die Kamera-App", "Keynote", "den Dateien-Explorer", "die Authenticator-App"]
BUTTONS = ["Anmelden", "Weiter", "Speichern", "Teilen", "Verbinden", "Neu laden", "Fertig", "Zulassen",
           "Einstellungen", "Passwort vergessen?", "Konto hinzufügen", "Freigeben", "Bildschirmsynchronisation"]
MENUS = ["Einstellungen > WLAN", "Einstellungen > Allgemein > Info", "Profil > Sicherheit", "Datei > Freigeben",
         "Verwaltung > Geräte", "Konto > Sicherheitsinformationen", "Einstellungen > Bildschirmzeit",
         "Module > Aufgaben"]
# Devices in nominative, accusative and dative, so that sentences stay grammatical.
DEVICES = [("Ihr Dienst-iPad", "Ihr Dienst-iPad", "Ihrem Dienst-iPad"),
           ("der Dienst-Laptop", "den Dienst-Laptop", "dem Dienst-Laptop"),
           ("das Klassenraum-Display", "das Klassenraum-Display", "dem Klassenraum-Display"),
           ("der Beamer", "den Beamer", "dem Beamer"),
           ("das Smartphone", "das Smartphone", "dem Smartphone"),
           ("die Dokumentenkamera", "die Dokumentenkamera", "der Dokumentenkamera"),
           ("der Drucker im Lehrerzimmer", "den Drucker im Lehrerzimmer", "dem Drucker im Lehrerzimmer"),
           ("das Schüler-iPad", "das Schüler-iPad", "dem Schüler-iPad")]
PEOPLE = ["die Medienbeauftragten", "die IServ-Administration", "das Sekretariat", "die Schul-IT",
          "die Fachschaftsleitung", "der Hausmeister"]
TIMES = ["nach den Ferien", "vor der ersten Stunde", "in der großen Pause", "am Wochenende",
         "nach einem Update", "beim ersten Start", "während der Zeugniskonferenz"]
ERRORS = ["„Anmeldung fehlgeschlagen“", "„Keine Verbindung zum Server“", "„Nicht lizenziertes Produkt“",
          "„Zertifikat ungültig“", "„Speicher fast voll“", "„Gerät wird verwaltet“", "„Falsches Passwort“"]

SENTENCES = [
    "Öffnen Sie {app} und tippen Sie auf **{button}**.",
    "Das dauert in der Regel nur zwei bis drei Minuten.",
    "Meldet {device} {error}, liegt das fast immer an einem abgelaufenen Passwort.",
    "Die Einstellung finden Sie unter **{menu}**.",
    "Wenn Sie unsicher sind, sprechen Sie {people} an; dort hilft man Ihnen gern weiter.",
    "Am besten erledigen Sie das {time}, dann ist im Unterricht alles bereit.",
    "Viele Kolleginnen und Kollegen stolpern genau an dieser Stelle, das ist ganz normal.",
    "Prüfen Sie zuerst, ob {device} mit dem richtigen Netz verbunden ist.",
    "Danach sollte alles wie gewohnt funktionieren.",
    "Manchmal hilft es schon, {app} einmal vollständig zu schließen und neu zu öffnen.",
    "Bitte geben Sie Ihr Passwort niemals an Schülerinnen und Schüler weiter, auch nicht für einen kurzen Moment.",
    "Die Schul-IT sieht Ihr Passwort nicht und fragt auch nie danach.",
    "Achten Sie darauf, dass die Uhrzeit auf {device_dat} automatisch gestellt wird.",
    "Erscheint {error}, notieren Sie die genaue Meldung und die Uhrzeit.",
    "Die Änderung gilt sofort für alle Geräte, mit denen Sie angemeldet sind.",
    "Im Zweifel starten Sie {device_acc} einmal neu; das behebt erstaunlich viele Probleme.",
    "So sparen Sie sich und Ihrer Klasse Wartezeit zu Beginn der Stunde.",
    "Die Schaltfläche **{button}** ist ausgegraut, solange nicht alle Pflichtfelder ausgefüllt sind.",
    "Falls die Anmeldung nach einem Code fragt, finden Sie ihn in der Authenticator-App auf Ihrem Smartphone.",
    "Die Daten bleiben dabei auf den Servern der Schule oder des Landkreises und verlassen Deutschland nicht.",
    "Nach einer Passwortänderung müssen Sie das neue Passwort auch in {app} eintragen.",
    "Schülerinnen und Schüler sehen diese Einstellung nicht, sie betrifft nur Lehrkräfte.",
    "Ein kurzer Test vor der Stunde zeigt, ob Bild und Ton ankommen.",
    "Eine Anleitung mit Bildern hängt auch im Lehrerzimmer neben dem Kopierer aus.",
    "Wird die Verbindung immer wieder getrennt, vergessen Sie das Netzwerk und verbinden Sie sich neu.",
    "Große Dateien laden Sie besser im Lehrerzimmer hoch, dort ist die Verbindung schneller.",
    "Ihre Einstellungen werden automatisch gespeichert, Sie müssen nichts weiter tun.",
    "Wer häufig zwischen Räumen wechselt, richtet sich am besten einen Favoriten ein.",
    "Die Freigabe lässt sich jederzeit wieder entziehen.",
    "Das Passwort muss mindestens zwölf Zeichen lang sein und darf nicht Ihren Namen enthalten.",
    "Bei Vertretungsstunden erhalten Sie die Zugangsdaten im Sekretariat.",
    "Im Klassenraum ist {device} meist schon eingeschaltet, wenn die Stunde beginnt.",
    "Sie erkennen die richtige Version an der Nummer unter **{menu}**.",
    "Danach melden Sie sich einmal ab und wieder an, damit die neuen Rechte greifen.",
    "Eine Sicherung Ihrer Unterrichtsmaterialien auf OneDrive oder in IServ schadet nie.",
    "Über die Funktion **{button}** lassen sich auch ganze Ordner auf einmal übertragen.",
    "Verwenden Sie nach Möglichkeit das Lehrkräfte-WLAN und nicht das Gäste-WLAN.",
    "Die Sperre hebt sich nach einer Viertelstunde von selbst wieder auf.",
    "Hat das nicht geholfen, lesen Sie den Abschnitt zu häufigen Problemen weiter unten.",
    "Wir kümmern uns in der Regel noch am selben Schultag darum.",
]

STEPS = [
    "Öffnen Sie {app}.",
    "Tippen Sie auf **{button}**.",
    "Wechseln Sie zu **{menu}**.",
    "Melden Sie sich mit Ihrem IServ-Account an (z. B. `vorname.nachname`).",
    "Bestätigen Sie die Anfrage in der Authenticator-App.",
    "Wählen Sie das Netzwerk **Schulnetz-Lehrkräfte** aus.",
    "Geben Sie den sechsstelligen Code ein und tippen Sie auf **{button}**.",
    "Warten Sie, bis {device} die Verbindung bestätigt.",
    "Schließen Sie das Fenster mit **{button}**.",
    "Wählen Sie die Datei oder den Ordner aus, den Sie teilen möchten.",
    "Legen Sie fest, ob die Klasse nur lesen oder auch bearbeiten darf.",
    "Starten Sie {device_acc} neu.",
    "Prüfen Sie unter **{menu}**, ob die Änderung übernommen wurde.",
    "Tragen Sie als Server `iserv.schule.example` ein.",
    "Schalten Sie die Option **Automatisch verbinden** ein.",
    "Ziehen Sie das Kabel kurz ab und stecken Sie es wieder ein.",
    "Wählen Sie am Display den Eingang **HDMI 2**.",
    "Tippen Sie oben rechts auf Ihr Profilbild.",
]

TROUBLE = [
    ("Keine E-Mail angekommen", "Schauen Sie im Spam-Ordner nach und warten Sie ein paar Minuten."),
    ("Falsches Passwort", "Achten Sie auf die Feststelltaste und auf die Tastatursprache."),
    ("Kein Bild", "Prüfen Sie, ob am Display der richtige Eingang gewählt ist."),
    ("Kein Ton", "Stellen Sie die Lautstärke am Gerät und am Lautsprecher höher."),
    ("App startet nicht", "Löschen Sie die App nicht selbst, sondern melden Sie das Problem."),
    ("Account gesperrt", "Warten Sie eine Viertelstunde und versuchen Sie es dann erneut."),
    ("Code wird nicht angenommen", "Prüfen Sie, ob die Uhrzeit auf dem Smartphone stimmt."),
    ("Verbindung bricht ab", "Vergessen Sie das Netzwerk und verbinden Sie sich neu."),
    ("Datei lässt sich nicht öffnen", "Laden Sie die Datei erneut herunter und öffnen Sie sie mit der passenden App."),
]

CALLOUTS = [
    "Halten Sie für die Einrichtung Ihr Smartphone mit der Authenticator-App bereit.",
    "Speichern Sie diese Seite als Lesezeichen auf Ihrem Dienst-iPad, dann finden Sie sie auch offline.",
    "Ein Neustart des Geräts behebt viele Probleme schneller als jede Fehlersuche.",
    "Notieren Sie sich Fehlermeldungen mit Uhrzeit, das beschleunigt die Hilfe durch die Schul-IT.",
    "Testen Sie die Technik kurz vor der Stunde, dann gibt es im Unterricht keine Überraschungen.",
]

# ---------------------------------------------------------------------------------------------------
# The synthetic portal
# ---------------------------------------------------------------------------------------------------


@dataclass
class Article:
    index: int
    platform: str
    slug: str
    title: str
    summary: str
    audience: list[str]
    tags: list[str]
    keywords: list[str]
    updated: dt.date
    featured: bool
    weight: int
    headings: list[str]  # the `##` headings of the body, in order (all distinct)
    trouble: str  # the last `##` heading
    subheading: str | None
    body_lotse: str = ""
    body_hugo: str = ""
    words: int = 0


def fill(template: str, rng: random.Random) -> str:
    """Fills the {slots} of a sentence or step template from the pools."""
    nom, acc, dat = rng.choice(DEVICES)
    return template.format(
        app=rng.choice(APPS), button=rng.choice(BUTTONS), menu=rng.choice(MENUS), device=nom, device_acc=acc,
        device_dat=dat, people=rng.choice(PEOPLE), time=rng.choice(TIMES), error=rng.choice(ERRORS),
    )


def paragraph(rng: random.Random, low: int = 2, high: int = 5) -> str:
    sentences = [fill(s, rng) for s in rng.sample(SENTENCES, rng.randint(low, high))]
    return " ".join(sentences)


def plan_articles(n: int, rng: random.Random) -> list[Article]:
    """Decides titles, slugs, front matter and headings of all articles before any body is written, so
    bodies can link to other articles and to their headings."""
    articles: list[Article] = []
    used_slugs: set[tuple[str, str]] = set()
    start = dt.date(2024, 1, 8)
    featured_left = {p[0]: 2 for p in PLATFORMS}  # two "Häufige Probleme" per platform on the home page
    for i in range(n):
        platform = PLATFORMS[i % len(PLATFORMS)][0]
        title = f"{rng.choice(OBJECTS[platform])} {rng.choice(ACTIONS)}{rng.choice(TITLE_SUFFIXES)}"
        base = lotse_slug(title)
        slug, k = base, 1
        while (platform, slug) in used_slugs:
            k += 1
            slug = f"{base}-{k}"
        used_slugs.add((platform, slug))
        summary = f"So lösen Sie das Problem „{title}“ in wenigen Schritten. {fill(rng.choice(SENTENCES), rng)}"
        summary = summary.replace("**", "")
        featured = featured_left[platform] > 0
        if featured:
            featured_left[platform] -= 1
        articles.append(Article(
            index=i,
            platform=platform,
            slug=slug,
            title=title,
            summary=summary,
            audience=sorted(rng.sample(AUDIENCES, rng.randint(1, 2)), key=AUDIENCES.index),
            tags=rng.sample(TAGS, rng.randint(2, 3)),
            keywords=rng.sample(KEYWORDS, rng.randint(2, 4)),
            updated=start + dt.timedelta(days=rng.randrange(0, 900)),
            featured=featured,
            weight=rng.choice([0, 0, 0, 10, 20]),
            headings=rng.sample(HEADINGS, rng.randint(2, 4)),
            trouble=rng.choice(TROUBLE_HEADINGS),
            subheading=rng.choice(SUBHEADINGS) if rng.random() < 0.3 else None,
        ))
    return articles


def code_block(a: Article, rng: random.Random) -> str:
    """A fenced code block, alternating bash and yaml."""
    if (a.index // 5) % 2 == 0:
        room = f"{rng.choice('ABCD')}{rng.randint(1, 3)}.{rng.randint(1, 40):02d}"
        return "\n".join([
            "Für Technikerinnen und Techniker:",
            "",
            "```bash",
            f"# Verbindung im Raum {room} prüfen (Dienst-Laptop, Terminal)",
            'nmcli connection show --active | grep -i "Schulnetz"',
            f"ping -c {rng.randint(2, 5)} iserv.schule.example",
            'curl -sSI "https://iserv.schule.example/iserv/" | head -n 1',
            'if [ "$?" -ne 0 ]; then echo "Keine Verbindung – bitte Ticket anlegen"; fi',
            "```",
        ])
    return "\n".join([
        "So sieht das Profil aus, das die Schul-IT verteilt:",
        "",
        "```yaml",
        f"# Druckerprofil für Raum {rng.choice('ABCD')}{rng.randint(100, 399)}",
        "drucker:",
        f'  name: "Kopierer-{rng.randint(1, 30):02d}"',
        f"  adresse: 10.{rng.randint(1, 40)}.{rng.randint(0, 255)}.{rng.randint(2, 250)}",
        f"  farbe: {rng.choice(['true', 'false'])}",
        "  duplex: true",
        "  freigegeben_fuer: [lehrkraefte, verwaltung]",
        "```",
    ])


def table(rng: random.Random) -> str:
    rows = ["| Gerät | Einstellung | Empfehlung |", "|---|---|---|"]
    for _ in range(rng.randint(3, 5)):
        device = rng.choice(DEVICES)[0].split(" ", 1)[1]
        rows.append(f"| {device[0].upper()}{device[1:]} | **{rng.choice(MENUS)}** | "
                    f"{fill(rng.choice(SENTENCES), rng).replace('**', '').replace('|', '/')} |")
    return "\n".join(rows)


def write_body(a: Article, articles: list[Article], rng: random.Random) -> None:
    """Writes the article body twice: with Lotse's `.md` links and with links Hugo can use as they are.

    Everything else is byte-for-byte the same Markdown. Section contents are built as lists of blocks;
    prose paragraphs are then added until the article reaches its word target (300-700 words)."""
    min_words, max_words = 300, 700
    target_words = rng.randint(min_words, max_words)

    # 1-2 links to other articles of the same portal, half of them to a heading of the target.
    links: list[tuple[str, str]] = []  # (lotse markdown, hugo markdown)
    for other in rng.sample(articles, 3):
        if other.index == a.index or len(links) == 2:
            continue
        anchor_heading = rng.choice(other.headings + [other.trouble]) if rng.random() < 0.5 else None
        lotse_target = f"../{other.platform}/{other.slug}.md"
        hugo_target = f"../../{other.platform}/{other.slug}/"
        if anchor_heading:
            lotse_target += "#" + lotse_slug(anchor_heading)
            hugo_target += "#" + hugo_anchor(anchor_heading)
        links.append((f"[{other.title}]({lotse_target})", f"[{other.title}]({hugo_target})"))
        if rng.random() < 0.5:
            break
    link_sentences = ["Mehr dazu lesen Sie unter {}.", "Hängt es an der Anmeldung, hilft {} weiter."]

    # Sections: (heading or None for the intro, [blocks]); blocks containing {LINK<k>} are placeholders.
    intro = [paragraph(rng, 2, 4), "> [!TIP]\n> " + rng.choice(CALLOUTS)]
    sections: list[tuple[str | None, list[str]]] = [(None, intro)]
    for h_i, heading in enumerate(a.headings):
        blocks = [paragraph(rng)]
        if h_i == 0:
            steps = [f"{k}. {fill(s, rng)}" for k, s in enumerate(rng.sample(STEPS, rng.randint(4, 7)), 1)]
            blocks.append("\n".join(steps))
        if h_i == len(a.headings) - 1:
            if a.index % 5 == 4:  # every 5th article
                blocks.append(code_block(a, rng))
            if a.index % 7 == 6:  # every 7th article
                blocks.append(table(rng))
            if a.subheading:
                blocks.append(f"### {a.subheading}")
                blocks.append(paragraph(rng, 1, 3))
        sections.append((heading, blocks))
    # Links go into the first prose sections.
    for k in range(len(links)):
        sections[min(k + 1, len(sections) - 1)][1].append(f"{{LINK{k}}}")
    trouble_items = [f"- **{t}:** {d}" for t, d in rng.sample(TROUBLE, rng.randint(2, 4))]
    sections.append((a.trouble, ["\n".join(trouble_items), paragraph(rng, 1, 2)]))

    def render(which: int) -> str:
        """The body as Markdown: which=0 with Lotse's `.md` links, which=1 with Hugo's."""
        parts: list[str] = []
        for heading, blocks in sections:
            if heading:
                parts.append(f"## {heading}")
            for b in blocks:
                m = re.fullmatch(r"\{LINK(\d)\}", b)
                if m:
                    k = int(m.group(1))
                    parts.append(link_sentences[k].format(links[k][which]))
                else:
                    parts.append(b)
        return "\n\n".join(parts) + "\n"

    # Pad with prose paragraphs (never into the trouble section) until the word target is reached,
    # without going over the maximum. Words are counted as `wc -w` counts the body. A paragraph goes
    # between blocks, so it never separates a code block or list from its lead-in.
    words = len(render(0).split())
    while words < target_words:
        para = paragraph(rng, 2, 4)
        if words + len(para.split()) > max_words:
            para = paragraph(rng, 1, 1)
            if words + len(para.split()) > max_words:
                break
        sec = sections[rng.randrange(0, len(sections) - 1)]
        sec[1].insert(rng.randint(0, len(sec[1])) if sec[0] else 1, para)
        words += len(para.split())

    a.body_lotse = render(0)
    a.body_hugo = render(1)
    a.words = len(a.body_lotse.split())


def yq(s: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(s, ensure_ascii=False)


def ylist(items: list[str]) -> str:
    return "[" + ", ".join(yq(x) for x in items) + "]"


def lotse_front_matter(a: Article) -> str:
    lines = [
        "---",
        f"title: {yq(a.title)}",
        f"summary: {yq(a.summary)}",
        f"audience: [{', '.join(a.audience)}]",
        f"tags: {ylist(a.tags)}",
        f"keywords: {ylist(a.keywords)}",
        f"updated: {a.updated.isoformat()}",
    ]
    if a.featured:
        lines.append("featured: true")
    if a.weight:
        lines.append(f"weight: {a.weight}")
    lines.append("---")
    return "\n".join(lines) + "\n\n"


def hugo_front_matter(a: Article) -> str:
    """Hugo's equivalents: `updated` becomes date and lastmod; `audience` (Lotse-only) is dropped."""
    lines = [
        "---",
        f"title: {yq(a.title)}",
        f"summary: {yq(a.summary)}",
        f"tags: {ylist(a.tags)}",
        f"keywords: {ylist(a.keywords)}",
        f"date: {a.updated.isoformat()}",
        f"lastmod: {a.updated.isoformat()}",
    ]
    if a.featured:
        lines.append("featured: true")
    if a.weight:
        lines.append(f"weight: {a.weight}")
    lines.append("---")
    return "\n".join(lines) + "\n\n"


def lotse_config() -> str:
    lines = [
        "# Synthetic benchmark portal generated by benches/build_vs_hugo.py",
        f"title: {yq(PORTAL_TITLE)}",
        "description: Anleitungen der Schul-IT für IServ, Microsoft 365, Dienst-iPads und den Klassenraum.",
        "organization: Schul-IT im Landkreis Beispiel",
        "language: de",
        f"base_url: {BASE_URL}",
        "platforms:",
    ]
    for pid, name, desc, icon, order in PLATFORMS:
        lines += [f"  - id: {pid}", f"    name: {yq(name)}", f"    description: {yq(desc)}",
                  f"    icon: {icon}", f"    order: {order}"]
    # The lexical search only: Hugo builds no vectors, and the search benchmarks measure the words'
    # time to first results (the semantic stage's encoder has a benchmark of its own).
    lines += ["search:", "  semantic: off"]
    return "\n".join(lines) + "\n"


# Hugo configuration and layouts. Kept minimal but comparable to Lotse's default theme: every page has
# a header with the platforms, breadcrumbs-like section link, the article with title, summary, date,
# table of contents, content, tags and up to four related articles; section and tag pages list all of
# their articles on one page (as Lotse does: no pagination); the home page lists platforms, featured and
# recent articles; a "Suche" page lists every article like Lotse's search page; plus a 404 page.
# RSS is disabled because Lotse writes none; taxonomies (tags, categories) and sitemap stay at Hugo's
# defaults. Code is highlighted with CSS classes like Lotse does.
HUGO_CONFIG = f"""\
baseURL = "{BASE_URL}"
languageCode = "de"
defaultContentLanguage = "de"
title = "{PORTAL_TITLE}"
disableKinds = ["RSS"]

[params]
description = "Anleitungen der Schul-IT für IServ, Microsoft 365, Dienst-iPads und den Klassenraum."
organization = "Schul-IT im Landkreis Beispiel"

[markup.highlight]
noClasses = false

[markup.tableOfContents]
startLevel = 2
endLevel = 3

# Related articles by shared tags, the closest match to Lotse, which ranks related articles by shared
# tags (plus links between the two and the same platform) and ignores keywords for this.
[related]
includeNewer = true
threshold = 80
toLower = true
[[related.indices]]
name = "tags"
weight = 100
"""

HUGO_LAYOUTS = {
    "_default/baseof.html": """\
<!doctype html>
<html lang="{{ site.LanguageCode }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ if .IsHome }}{{ site.Title }}{{ else }}{{ .Title }} – {{ site.Title }}{{ end }}</title>
<meta name="description" content="{{ with .Params.summary }}{{ . }}{{ else }}{{ site.Params.description }}{{ end }}">
<link rel="canonical" href="{{ .Permalink }}">
<meta name="color-scheme" content="light dark">
<link rel="stylesheet" href="{{ "css/site.css" | relURL }}">
</head>
<body class="page-{{ .Kind }}">
<header class="site-header">
  <a class="brand" href="{{ "/" | relURL }}"><span class="brand-org">{{ site.Params.organization }}</span> <span class="brand-title">{{ site.Title }}</span></a>
  <form class="search-form" role="search" action="{{ "suche/" | relURL }}" method="get"><input type="search" name="q" aria-label="Suche"><button type="submit">Suchen</button></form>
  <nav><ul>{{ range site.Sections.ByWeight }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul></nav>
</header>
<main id="main">
{{ block "main" . }}{{ end }}
</main>
<footer class="site-footer"><p>{{ site.Params.organization }}</p></footer>
</body>
</html>
""",
    "_default/single.html": """\
{{ define "main" }}
<nav class="breadcrumbs"><a href="{{ "/" | relURL }}">Start</a> › {{ with .CurrentSection }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}</nav>
<article class="article">
  <header>
    <h1>{{ .Title }}</h1>
    {{ with .Params.summary }}<p class="lead">{{ . }}</p>{{ end }}
    <p class="article-meta">Aktualisiert <time datetime="{{ .Lastmod.Format "2006-01-02" }}">{{ .Lastmod.Format "2.1.2006" }}</time></p>
  </header>
  {{ with .TableOfContents }}<nav class="toc"><h2>Inhalt</h2>{{ . }}</nav>{{ end }}
  <div class="prose">
{{ .Content }}
  </div>
  {{ with .GetTerms "tags" }}<footer class="article-tags"><ul class="tag-list">{{ range . }}<li><a class="tag" href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>{{ end }}</ul></footer>{{ end }}
</article>
{{ with first 4 (site.RegularPages.Related .) }}
<section class="related"><h2>Passende Anleitungen</h2>
<ul class="cards">{{ range . }}{{ partial "card.html" . }}{{ end }}</ul>
</section>
{{ end }}
{{ end }}
""",
    "_default/list.html": """\
{{ define "main" }}
<nav class="breadcrumbs"><a href="{{ "/" | relURL }}">Start</a> › {{ .Title }}</nav>
<h1>{{ .Title }}</h1>
{{ with .Params.description }}<p class="lead">{{ . }}</p>{{ end }}
<ul class="cards">
{{ range .Pages.ByWeight }}{{ partial "card.html" . }}{{ end }}
</ul>
{{ end }}
""",
    "_default/search.html": """\
{{ define "main" }}
<h1>{{ .Title }}</h1>
<form class="search-form" role="search" method="get"><input type="search" name="q" aria-label="Suche"><button type="submit">Suchen</button></form>
<section class="all-articles"><h2>Alle Anleitungen</h2>
{{ range site.Sections.ByWeight }}
<h3><a href="{{ .RelPermalink }}">{{ .Title }}</a></h3>
<ul class="cards">{{ range .RegularPages.ByWeight }}{{ partial "card.html" . }}{{ end }}</ul>
{{ end }}
</section>
{{ end }}
""",
    "index.html": """\
{{ define "main" }}
<section class="hero"><h1>Wobei können wir helfen?</h1>
<form class="search-form" role="search" action="{{ "suche/" | relURL }}" method="get"><input type="search" name="q" aria-label="Suche"><button type="submit">Suchen</button></form>
</section>
<section><h2>Plattformen</h2>
<ul class="tiles">{{ range site.Sections.ByWeight }}<li><a href="{{ .RelPermalink }}"><span class="tile-name">{{ .Title }}</span> <span class="tile-description">{{ .Params.description }}</span> <span class="tile-count">{{ len .RegularPages }} Anleitungen</span></a></li>{{ end }}</ul>
</section>
{{ with where site.RegularPages "Params.featured" true }}
<section><h2>Häufige Probleme</h2><ul class="cards">{{ range .ByWeight }}{{ partial "card.html" . }}{{ end }}</ul></section>
{{ end }}
<section><h2>Zuletzt aktualisiert</h2>
<ul class="cards">{{ range first 6 site.RegularPages.ByLastmod.Reverse }}{{ partial "card.html" . }}{{ end }}</ul>
</section>
{{ end }}
""",
    "partials/card.html": """\
<li class="card"><a href="{{ .RelPermalink }}"><span class="card-title">{{ .Title }}</span>{{ with .Params.summary }} <span class="card-summary">{{ . }}</span>{{ end }}{{ if .IsPage }} <time datetime="{{ .Lastmod.Format "2006-01-02" }}">{{ .Lastmod.Format "2.1.2006" }}</time>{{ end }}</a></li>
""",
    "404.html": """\
{{ define "main" }}
<h1>Seite nicht gefunden</h1>
<p>Diese Seite gibt es nicht (mehr). <a href="{{ "/" | relURL }}">Zur Startseite</a></p>
{{ end }}
""",
}

HUGO_CSS = """\
/* A few rules so the Hugo site, like Lotse's, ships a stylesheet. */
body { font-family: system-ui, sans-serif; margin: 0 auto; max-width: 60rem; padding: 0 1rem; }
.cards { list-style: none; padding: 0; } .card { margin: .5rem 0; }
.highlight pre { overflow-x: auto; padding: .75rem; }
"""


def generate(n: int, root: Path, seed: int) -> tuple[list[Article], int]:
    """Writes the Lotse portal to root/lotse and the Hugo site to root/hugo. Returns the articles and the
    total number of body words."""
    rng = random.Random(seed * 1_000_003 + n)  # deterministic per (seed, size)
    articles = plan_articles(n, rng)
    for a in articles:
        write_body(a, articles, rng)

    lotse, hugo = root / "lotse", root / "hugo"
    (lotse / "content").mkdir(parents=True)
    (lotse / "lotse.yaml").write_text(lotse_config(), encoding="utf-8")

    (hugo / "content").mkdir(parents=True)
    (hugo / "hugo.toml").write_text(HUGO_CONFIG, encoding="utf-8")
    for rel, text in HUGO_LAYOUTS.items():
        path = hugo / "layouts" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (hugo / "static" / "css").mkdir(parents=True)
    (hugo / "static" / "css" / "site.css").write_text(HUGO_CSS, encoding="utf-8")
    (hugo / "content" / "suche.md").write_text(
        '---\ntitle: "Suche"\nlayout: search\n_build:\n  list: never\n---\n', encoding="utf-8")

    for pid, name, desc, _icon, order in PLATFORMS:
        (lotse / "content" / pid).mkdir()
        (hugo / "content" / pid).mkdir()
        (hugo / "content" / pid / "_index.md").write_text(
            f"---\ntitle: {yq(name)}\ndescription: {yq(desc)}\nweight: {order}\n---\n", encoding="utf-8")

    for a in articles:
        (lotse / "content" / a.platform / f"{a.slug}.md").write_text(
            lotse_front_matter(a) + a.body_lotse, encoding="utf-8")
        (hugo / "content" / a.platform / f"{a.slug}.md").write_text(
            hugo_front_matter(a) + a.body_hugo, encoding="utf-8")
    return articles, sum(a.words for a in articles)


# ---------------------------------------------------------------------------------------------------
# Running and measuring
# ---------------------------------------------------------------------------------------------------


@dataclass
class Run:
    wall_s: float
    user_s: float  # CPU time of the child in user space
    sys_s: float  # CPU time of the child in the kernel (file system work: varies with the machine's state)
    peak_rss_mib: float
    html_files: int
    article_pages: int


@dataclass
class SizeResult:
    size: int
    words: int
    lotse: list[Run] = field(default_factory=list)
    hugo: list[Run] = field(default_factory=list)
    lotse_output: list[str] = field(default_factory=list)  # anything Lotse printed despite --quiet

    @staticmethod
    def median(runs: list[Run], attr: str) -> float:
        return statistics.median(getattr(r, attr) for r in runs)


class BenchError(Exception):
    pass


def measure(cmd: list[str], log_dir: Path, env: dict[str, str]) -> tuple[float, float, float, float, int, str]:
    """Runs `cmd` once. Returns wall seconds, user and system CPU seconds, peak RSS in MiB, exit code and
    its output.

    The child is reaped with os.wait4(), which returns the resource usage of exactly that process, so
    ru_maxrss is its own peak resident set size (KiB on Linux), not the maximum over earlier children as
    with getrusage(RUSAGE_CHILDREN)."""
    os.sync()  # flush the previous run's output now, so that its write-back is not timed here
    out_path, err_path = log_dir / "stdout.txt", log_dir / "stderr.txt"
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env)
        _pid, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)  # tell Popen the child is already reaped
    text = out_path.read_text(errors="replace") + err_path.read_text(errors="replace")
    return wall, usage.ru_utime, usage.ru_stime, usage.ru_maxrss / 1024, proc.returncode, text


def count_pages(out: Path, articles: list[Article], tool: str) -> tuple[int, int]:
    """Counts HTML files in `out` and checks that every article has its page <platform>/<slug>/index.html.
    Both generators use that layout for content/<platform>/<slug>.md."""
    html = sum(1 for _root, _dirs, files in os.walk(out) for f in files if f.endswith(".html"))
    missing = [a for a in articles if not (out / a.platform / a.slug / "index.html").is_file()]
    if missing:
        examples = ", ".join(f"{a.platform}/{a.slug}/index.html" for a in missing[:5])
        raise BenchError(f"{tool} wrote {len(articles) - len(missing)} of {len(articles)} article pages "
                         f"({html} HTML files in {out}); missing e.g. {examples}")
    return html, len(articles)


def ensure_hugo() -> str:
    """Returns the path of hugo, installing Debian's package first if it is missing."""
    hugo = shutil.which("hugo")
    if hugo:
        return hugo
    if os.geteuid() != 0:
        sys.exit("hugo is not installed. Install it with: sudo apt-get update && sudo apt-get install -y hugo")
    print("hugo not found: installing it with apt-get …", flush=True)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for cmd in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "hugo"]):
        if subprocess.run(cmd, env=env).returncode != 0:
            sys.exit(f"`{' '.join(cmd)}` failed; install Hugo yourself and run the benchmark again")
    hugo = shutil.which("hugo")
    if not hugo:
        sys.exit("apt-get installed hugo, but it is not on PATH")
    return hugo


def ensure_lotse(path: Path, build: bool) -> Path:
    if path.is_file() and os.access(path, os.X_OK):
        return path
    if build and path == DEFAULT_LOTSE:
        print("building Lotse: cargo build --release …", flush=True)
        if subprocess.run(["cargo", "build", "--release"], cwd=REPO_ROOT).returncode == 0 and path.is_file():
            return path
        sys.exit("cargo build --release failed")
    print(f"The Lotse binary {path} does not exist. Build it first:\n\n"
          f"    cd {REPO_ROOT} && cargo build --release\n\n"
          f"or pass --build to let this script do it, or --lotse PATH for another binary.", file=sys.stderr)
    sys.exit(2)


def hugo_flags(hugo: str) -> list[str]:
    """Flags that depend on the installed Hugo version: --noTimes (do not copy modification times; Lotse
    does not either) where the version still has it."""
    help_text = subprocess.run([hugo, "--help"], capture_output=True, text=True).stdout
    return ["--noTimes"] if "--noTimes" in help_text else []


def version_of(cmd: list[str]) -> str:
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
        return (out.stdout or out.stderr).strip().splitlines()[0]
    except (OSError, IndexError, subprocess.TimeoutExpired):
        return "unknown"


def bench_size(n: int, args: argparse.Namespace, work: Path, lotse: Path, hugo: str, hflags: list[str],
               env: dict[str, str]) -> SizeResult:
    root = work / f"n{n}"
    t0 = time.perf_counter()
    articles, words = generate(n, root, args.seed)
    print(f"[{n} articles] generated {words:,} words of Markdown in {time.perf_counter() - t0:.1f} s "
          f"into {root}", flush=True)
    result = SizeResult(size=n, words=words)
    logs = root / "logs"
    logs.mkdir()

    for i in range(1, args.runs + 1):
        # Alternate the two generators so that slow drifts of the machine hit both alike.
        for tool in ("lotse", "hugo"):
            out = root / f"out-{tool}-{i}"
            if tool == "lotse":
                cmd = [str(lotse), "build", "--root", str(root / "lotse"), "--output", str(out), "--quiet"]
            else:
                cmd = [hugo, "--source", str(root / "hugo"), "--destination", str(out), "--quiet",
                       "--cacheDir", str(work / "hugo-cache"), *hflags]
            wall, user, sys_, rss, code, text = measure(cmd, logs, env)
            if code != 0:
                raise BenchError(f"{tool} failed (exit code {code}) on {n} articles.\ncommand: {' '.join(cmd)}\n"
                                 f"--- output ---\n{text.rstrip()}\n--- end of output ---")
            if tool == "lotse" and text.strip():
                result.lotse_output.append(text.strip())
            if tool == "hugo" and text.strip():
                print(f"  hugo printed:\n{text.rstrip()}", flush=True)
            html, pages = count_pages(out, articles, tool)
            run = Run(wall_s=wall, user_s=user, sys_s=sys_, peak_rss_mib=rss, html_files=html, article_pages=pages)
            getattr(result, tool).append(run)
            print(f"  run {i}/{args.runs} {tool:5}: {wall:6.2f} s wall, {user:6.2f} s user, {sys_:5.2f} s sys, "
                  f"{rss:7.1f} MiB peak, {html} HTML files ({pages} articles)", flush=True)
    # Outputs are removed only now, not between runs: deleting 10,000 folders leaves the kernel work
    # (ext4 journal, discards) that would otherwise be billed to the next timed run as system time.
    if not args.keep:
        for tool in ("lotse", "hugo"):
            for i in range(1, args.runs + 1):
                shutil.rmtree(root / f"out-{tool}-{i}", ignore_errors=True)
        os.sync()
    for text in dict.fromkeys(result.lotse_output):  # each distinct message once
        print(f"  lotse printed (despite --quiet):\n{text}", flush=True)
    return result


def print_table(results: list[SizeResult]) -> None:
    header = ["articles", "Lotse s", "Hugo s", "Hugo/Lotse", "Lotse MiB", "Hugo MiB", "Lotse pages", "Hugo pages"]
    rows = []
    for r in results:
        ls, hs = r.median(r.lotse, "wall_s"), r.median(r.hugo, "wall_s")
        rows.append([
            f"{r.size:,}", f"{ls:.2f}", f"{hs:.2f}", f"{hs / ls:.2f}x",
            f"{r.median(r.lotse, 'peak_rss_mib'):.0f}", f"{r.median(r.hugo, 'peak_rss_mib'):.0f}",
            f"{r.lotse[-1].html_files} ({r.lotse[-1].article_pages})",
            f"{r.hugo[-1].html_files} ({r.hugo[-1].article_pages})",
        ])
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(header)]
    print()
    print("  ".join(h.rjust(w) for h, w in zip(header, widths)))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print("  ".join(c.rjust(w) for c, w in zip(row, widths)))
    print("(seconds and MiB are medians of the runs; MiB = peak RSS; pages = HTML files written "
          "(of which article pages, each checked))")


def goals(results: list[SizeResult]) -> tuple[bool, str]:
    """Lotse faster than Hugo at 10,000 articles, and Lotse's peak RSS below 1 GiB at every size run."""
    at_10k = [r for r in results if r.size == 10_000]
    peak = max(max(run.peak_rss_mib for run in r.lotse) for r in results)
    memory_ok = peak * 1024 * 1024 < GIB
    memory = f"Lotse peak memory < 1 GiB: {'yes' if memory_ok else 'NO'} (highest peak {peak:.0f} MiB)"
    if not at_10k:
        return memory_ok, f"Goals: Lotse faster than Hugo at 10,000 articles: not measured (add 10000 to --sizes); {memory}"
    r = at_10k[0]
    ls, hs = r.median(r.lotse, "wall_s"), r.median(r.hugo, "wall_s")
    faster = ls < hs
    speed = f"Lotse faster than Hugo at 10,000 articles: {'yes' if faster else 'NO'} ({ls:.2f} s vs {hs:.2f} s)"
    return faster and memory_ok, f"Goals {'HOLD' if faster and memory_ok else 'DO NOT HOLD'}: {speed}; {memory}"


def parse_sizes(text: str) -> list[int]:
    try:
        sizes = [int(s.replace("_", "")) for s in text.split(",") if s.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a comma-separated list of numbers: {text!r}")
    if not sizes or min(sizes) < 4:
        raise argparse.ArgumentTypeError("sizes must be at least 4 (one article per platform)")
    return sizes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="See benches/README.md for what is measured and how Hugo is set up.")
    parser.add_argument("--sizes", type=parse_sizes, default=[1000, 10000],
                        help="comma-separated numbers of articles (default: 1000,10000)")
    parser.add_argument("--runs", type=int, default=3, help="builds per generator and size; the median is "
                        "reported (default: 3)")
    parser.add_argument("--lotse", type=Path, default=DEFAULT_LOTSE,
                        help="the lotse binary (default: target/release/lotse in the repository)")
    parser.add_argument("--build", action="store_true",
                        help="run `cargo build --release` first if the default binary is missing")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="seed of the synthetic content")
    parser.add_argument("--workdir", type=Path, help="where to generate (default: a new temporary folder)")
    parser.add_argument("--keep", action="store_true", help="keep the generated sites and outputs")
    parser.add_argument("--json", type=Path, help="also write the results as JSON to this file")
    parser.add_argument("--strict", action="store_true", help="exit with 1 when a goal does not hold")
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")

    lotse = ensure_lotse(args.lotse.resolve(), args.build)
    hugo = ensure_hugo()
    hflags = hugo_flags(hugo)
    lotse_version, hugo_version = version_of([str(lotse), "--version"]), version_of([hugo, "version"])
    print(f"lotse: {lotse} ({lotse_version})\nhugo:  {hugo} ({hugo_version}) flags: {' '.join(hflags) or '-'}")
    print(f"sizes: {', '.join(map(str, args.sizes))}; runs: {args.runs}; seed: {args.seed}; "
          f"cores: {os.cpu_count()}; load average: {os.getloadavg()[0]:.2f} (should be near 0: other work on the "
          f"machine disturbs the measurement)", flush=True)

    # No colours, no progress bars, no terminal tricks from either tool.
    env = dict(os.environ, NO_COLOR="1", TERM="dumb")
    if args.workdir:
        args.workdir.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix="lotse-bench-", dir=args.workdir))
    else:
        work = Path(tempfile.mkdtemp(prefix="lotse-bench-"))
    results: list[SizeResult] = []
    try:
        for n in args.sizes:
            results.append(bench_size(n, args, work, lotse, hugo, hflags, env))
    except BenchError as e:
        print(f"\nBENCHMARK FAILED: {e}\n(generated sites kept in {work})", file=sys.stderr)
        return 1
    except BaseException:
        print(f"(generated sites kept in {work})", file=sys.stderr)
        raise
    if args.keep:
        print(f"generated sites and outputs kept in {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)

    print_table(results)
    ok, line = goals(results)
    print(line)

    if args.json:
        data = {
            "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "lotse": {"path": str(lotse), "version": lotse_version},
            "hugo": {"path": hugo, "version": hugo_version, "flags": hflags},
            "seed": args.seed, "runs": args.runs, "cores": os.cpu_count(),
            "sizes": [{
                "articles": r.size, "words": r.words,
                "lotse": [vars(run) for run in r.lotse], "hugo": [vars(run) for run in r.hugo],
                "lotse_median_s": r.median(r.lotse, "wall_s"), "hugo_median_s": r.median(r.hugo, "wall_s"),
                "lotse_output": list(dict.fromkeys(r.lotse_output)),
            } for r in results],
            "goals_hold": ok, "goals": line,
        }
        args.json.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"results written to {args.json}")
    return 1 if args.strict and not ok else 0


if __name__ == "__main__":
    sys.exit(main())
