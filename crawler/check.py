"""``newsmon check``: does each outlet's discovery still work, and can its articles be read?

The first command to run on a real machine, and the one to run when an outlet turns
``failing`` or ``blocked``. It fetches every feed, sitemap and start URL of the outlets once
(politely: robots.txt, delays, the User-Agent with your contact), then a few of the articles
they list, and gives each outlet a verdict:

``ok``        discovery lists article URLs and the sample articles read well
``degraded``  it works, but something needs a look: a discovery URL failed or moved, the
              newest entry is old, rules no longer match, a sample lacks its title or date
``blocked``   walls (bot challenges, consent pages, logins) stand where pages should be
``broken``    no article can be found: every discovery URL failed, or none lists a URL the
              article pattern accepts; or none of the sample articles fetched can be read

Nothing is written to the database. ``verdict`` is pure, for tests and for other callers.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlsplit

from scrapy.crawler import CrawlerProcess

from storage.health import notable

from .crawl import STOPPED_BY, _hear_stop_requests, crawler_settings, preload_downloader
from .discovery import NO_URL
from .extract import BODY_METHOD_PREFIX
from .outlets import Outlet
from .store import close_crawler_db

#: A feed or sitemap whose newest entry is older than this is stale (a moved feed often keeps
#: answering with its last items).
STALE_AFTER = timedelta(days=7)
VERDICTS = ("ok", "degraded", "blocked", "broken")

#: Settings of a check: nothing stored, nothing notified, no conditional requests.
CHECK_SETTINGS: dict[str, Any] = {
    "NEWSMON_DB": ":memory:",
    "NEWSMON_NOTIFY_ENABLED": False,
    "ITEM_PIPELINES": {},
    "EXTENSIONS": {"crawler.extensions.CrawlRunLedger": None, "scrapy.extensions.telnet.TelnetConsole": None},
    "LOG_LEVEL": "WARNING",
}


class Unfinished(RuntimeError):
    """The check's crawl ended before it had fetched everything (Ctrl-C, CLOSESPIDER_TIMEOUT).

    ``stopped_by``: the signal ("SIGINT", "SIGTERM") that stopped it, if one did."""

    def __init__(self, message: str, stopped_by: str | None = None) -> None:
        super().__init__(message)
        self.stopped_by = stopped_by


def run_check(outlets: list[str], overrides: dict[str, Any] | None = None, *, articles: int = 2,
              stale_after: timedelta = STALE_AFTER) -> dict[str, Any]:
    """Check the named outlets (all when empty); return ``{outlet: report}``.

    Raises:
        Unfinished: the crawl stopped early.
    """
    settings = crawler_settings({**CHECK_SETTINGS, **(overrides or {})})
    preload_downloader()
    process = CrawlerProcess(settings)
    crawler = process.create_crawler("check")
    process.crawl(crawler, outlet=",".join(outlets) or None, articles=articles)
    # As a crawl's: stopped, it sends nothing more and gives the downloads in flight STOP_GRACE. Scrapy's own stop
    # sent every queued request after its outlet's delay and waited DOWNLOAD_TIMEOUT for each: a Ctrl-C took a
    # minute to end a check of a slow outlet, to say "Error: the check ended with 'shutdown'", exit 1.
    _hear_stop_requests(crawler)  # after crawl(), which installs Scrapy's reactor
    try:
        process.start()
    finally:
        close_crawler_db(crawler)
    reason = crawler.stats.get_value("finish_reason") if crawler.stats else None
    if crawler.stats and (signame := crawler.stats.get_value(STOPPED_BY)):
        raise Unfinished(f"the check was stopped ({signame}) before every outlet was checked", stopped_by=signame)
    if reason != "finished":
        # Verdicts from part of the results would call an outlet broken, or ok, for what was
        # never fetched.
        raise Unfinished(f"the check ended with {reason!r} before every outlet was checked, so it gives no "
                         "verdicts; run it again to the end (a larger CLOSESPIDER_TIMEOUT, or fewer outlets)")
    spider = crawler.spider
    now = datetime.now(timezone.utc)
    for key, result in spider.results.items():
        # What the robots middleware waits between two requests to each host the outlet was
        # fetched from (robots.txt's Crawl-delay, capped by NEWSMON_MAX_CRAWL_DELAY).
        hosts = dict.fromkeys(urlsplit(d["url"]).netloc for d in result["discovery"] + result["articles"])
        result["crawl_delays"] = {h: delay for h in hosts
                                  if (delay := crawler.stats.get_value(f"newsmon/robots/crawl_delay/{h}"))}
    return {key: {**spider.results[key], **verdict(spider.outlets[key], spider.results[key], now=now,
                                                   stale_after=stale_after, asked=articles)}
            for key in spider.outlets}


def verdict(outlet: Outlet, result: dict[str, Any], *, now: datetime,
            stale_after: timedelta = STALE_AFTER, asked: int = 2) -> dict[str, Any]:
    """``{"verdict": ..., "reasons": [...]}`` of one outlet from its discovery and sample results;
    ``asked``: how many sample articles the check fetched at most (``--articles``)."""
    discovery, samples = result["discovery"], result["articles"]
    reasons: list[str] = []
    read = [d for d in discovery if d["entries"] is not None and not d["wall"]]
    article_urls = sum(d["articles"] or 0 for d in read)
    entries = sum(d["entries"] or 0 for d in read if d.get("children") is None)
    good = [a for a in samples if a["method"]]
    walls = [d for d in discovery if d["wall"]] + [a for a in samples if a["wall"]]
    if not discovery:
        return {"verdict": "broken", "reasons": ["the outlet has no feed, sitemap or start URL"]}
    if walls and not good:
        first = walls[0]
        return {"verdict": "blocked", "reasons": [f"{first['problem']} at {first['url']}"] + _notes(discovery)}
    if not read:
        return {"verdict": "broken", "reasons": ["no feed, sitemap or start URL could be read"] + _notes(discovery)}
    if not article_urls:
        off = [u for d in read for u in d.get("off_domains") or []]
        unmatched = [u for d in read for u in d.get("unmatched") or []]
        if off and not unmatched:
            # Every entry its feeds and sitemaps list is on another host: the pattern is not what
            # refused them, and widening it (as "none the pattern accepts" advised) changes nothing.
            hosts = ", ".join(dict.fromkeys(urlsplit(u).hostname or u for u in off))
            return {"verdict": "broken", "reasons": [
                f"discovery gave {entries} links, none on the outlet's domains ({', '.join(outlet.domains)}) that "
                f"the article URL pattern accepts: {len(off)} of its feeds' and sitemaps' entries are on {hosts} "
                f"(e.g. {off[0]}), which a crawl does not fetch; if they are its articles, add the host to the "
                "outlet's domains"] + _notes(discovery)}
        what = f"{entries} links, none of which" if entries else "no links at all; nothing"
        example = f"; it refuses e.g. {', '.join(unmatched[:2])}" if unmatched else ""
        return {"verdict": "broken", "reasons": [f"discovery gave {what} the article URL pattern accepts "
                                                 f"(did the site's URLs change?){example}"] + _notes(discovery)}
    reasons += _notes(discovery)
    for d in read:
        if d["newest"] and now - datetime.fromisoformat(d["newest"]) > stale_after:
            reasons.append(f"{d['kind']} {d['url']}: newest entry {d['newest'][:10]}, stale")
        unmatched = d.get("unmatched") or []
        # As a crawl's health judges a week of them (storage.health.unmatched): a few odd pages
        # of a feed are videos or specials, a third of it is a URL scheme the pattern lacks.
        if notable(len(unmatched), d["entries"]):
            reasons.append(f"{d['kind']} {d['url']}: the article URL pattern does not take {len(unmatched)} of its "
                           f"{d['entries']} entries on the outlet's domains (e.g. {', '.join(unmatched[:2])}): a new "
                           "URL scheme for its articles? widen article_url_pattern")
        unlinked = d.get("unlinked") or 0
        if notable(unlinked, d["entries"] + unlinked):
            reasons.append(f"{d['kind']} {d['url']}: {unlinked} of its {d['entries'] + unlinked} entries give no URL "
                           f"({NO_URL.get(d['kind'], 'none')}): their articles are not crawled; where does the "
                           f"{d['kind']} put their links now?")
        off = d.get("off_domains") or []
        if notable(len(off), d["entries"]):
            hosts = ", ".join(dict.fromkeys(urlsplit(u).hostname or u for u in off))
            reasons.append(f"{d['kind']} {d['url']}: {len(off)} of its {d['entries']} entries are on hosts that are "
                           f"not among the outlet's domains ({hosts}): did its articles move? add the host to domains")
        elif d["articles"] == 0 and d["kind"] in ("feed", "section") and not d["problem"] \
                and not notable(len(unmatched), d["entries"]) and not notable(unlinked, d["entries"] + unlinked):
            # Beside documents that list articles, one that lists none read "ok" here, while the
            # crawl's health names it after two weeks and sends the user here to see what it lists.
            listed = f"lists {d['entries']} links, none an article URL the pattern takes" if d["entries"] \
                else f"lists {unlinked} entries, none with a URL" if unlinked else "lists nothing"
            reasons.append(f"{d['kind']} {d['url']}: {listed}, while the outlet's other feeds, sitemaps and "
                           "sections list articles: a wrong address, or a feed emptied or moved? mend or remove it "
                           "in the outlet's definition")
    for host, delay in result.get("crawl_delays", {}).items():
        # Its robots.txt's Crawl-delay bounds what a crawl can fetch there: an outlet that lists
        # articles faster falls further behind every hour, its backlog left for runs to come.
        fast = [d for d in read if d.get("interval") and d["interval"] < delay and urlsplit(d["url"]).netloc == host]
        if fast:
            d = fast[0]
            reasons.append(f"robots.txt of {host} asks for {delay:g} s between requests (Crawl-delay): at most "
                           f"{3600 / delay:,.0f} pages an hour, where {d['kind']} {d['url']} lists an article every "
                           f"{d['interval']:,} s: the crawl will fall behind (can a feed on another host list them?)")
    # Its sitemaps as written: a crawl asks for them so, and one configured "?type=news&amp;page=2" (the parameter
    # "amp;page", failing) taken for the robots.txt's "?type=news&page=2" hid the address it should read.
    unread = [u for u in result.get("robots_sitemaps", []) if u not in outlet.sitemaps]
    if unread and any(d["kind"] == "sitemap" and d["problem"] and not d["wall"] for d in discovery):
        named = ", ".join(unread[:3]) + (" …" if len(unread) > 3 else "")
        reasons.append(f"its robots.txt names sitemaps the outlet does not read: {named}: did a sitemap that "
                       "failed move there? update the outlet's sitemaps")
    for a in samples:
        if a["wall"]:
            reasons.append(f"article {a['url']}: {a['problem']}")
        elif not a["method"]:
            reasons.append(f"article {a['url']}: {a['problem']}")
        else:
            if outlet.rules and not str(a["method"]).startswith("rules:"):
                how = "generically"
                if str(a["method"]).startswith(BODY_METHOD_PREFIX):
                    how = "from its rules' body a line a block" + (
                        f"; the text is in {a['hint']}: their paragraphs selector names none of them"
                        if a.get("hint") else "")
                reasons.append(f"article {a['url']}: the outlet's rules no longer match (read {how})")
            if not a["title"]:
                reasons.append(f"article {a['url']}: no title")
            if not a["published_at"]:
                reasons.append(f"article {a['url']}: no publication time")
    if not samples and asked:
        # (With --articles 0 none was asked for: a healthy outlet read "degraded" for it.)
        reasons.append("no sample article could be fetched")
    # Pages fetched whole that gave no article (an extraction that crashes, a page read as none):
    # where no sample reads, a crawl stores none of the outlet's articles either. An HTTP error
    # alone is not that (a sample deleted since the feed listed it, a server's bad minute).
    unread = [a for a in samples if not a["method"] and not a["wall"] and 200 <= (a["status"] or 0) < 300]
    if unread and not good:
        return {"verdict": "broken", "reasons": [
            f"none of the {len(samples)} sample articles could be read ({unread[0]['problem']}): a crawl would "
            "store none of them; run `newsmon check` with more --articles, and if none reads, the outlet's pages "
            "changed (its rules?) or newsmon fails on them (report it with the page)"] + reasons}
    return {"verdict": "degraded" if reasons else "ok", "reasons": reasons}


def _notes(discovery: list[dict[str, Any]]) -> list[str]:
    notes = []
    for d in discovery:
        if d["moved_to"]:
            notes.append(f"{d['kind']} {d['url']} moved to {d['moved_to']}: update the outlet")
        if d["problem"]:
            notes.append(f"{d['kind']} {d['url']}: {d['problem']}")
    return notes


def report_lines(reports: dict[str, dict[str, Any]]) -> list[str]:
    """The human-readable report, one block per outlet."""
    lines: list[str] = []
    for key, report in reports.items():
        lines.append(f"{key}: {report['verdict']}")
        for d in report["discovery"]:
            status = "—" if d["status"] is None else str(d["status"])
            noted = f" ({d['note']})" if d.get("note") else ""
            what = (f"{d['entries']} entries, {d['articles']} article URLs{noted}" if d["articles"] is not None
                    else f"{d['entries']} child sitemaps{noted}" if d.get("children") is not None else "")
            # Its problem beside what it gave: "0 entries" alone hid a sitemap cut short, an HTML page.
            what = "; ".join(part for part in (what, d["problem"]) if part)
            newest = f", newest {d['newest'][:16].replace('T', ' ')} UTC" if d["newest"] else ""
            moved = f" → {d['moved_to']}" if d["moved_to"] else ""
            lines.append(f"  {d['kind']:<8} {status:>3}  {d['url']}{moved}  {what}{newest}")
        for host, delay in report.get("crawl_delays", {}).items():
            lines.append(f"  robots   {host}  Crawl-delay {delay:g} s: at most {3600 / delay:,.0f} requests an hour")
        for a in report["articles"]:
            if a["method"]:
                flags = ", paywalled" if a["paywalled"] else ""
                if a.get("next_page"):  # the chars are the first page's: a crawl reads the next ones too
                    flags += f", page 1 of several (next {a['next_page']})"
                lines.append(f"  article  {a['status']:>3}  {a['url']}  {a['method']}, {a['text_chars']:,} chars{flags}, "
                             f"published {a['published_at'] or '—'}, title {(a['title'] or '—')[:60]!r}")
            else:
                status = "—" if a["status"] is None else str(a["status"])
                lines.append(f"  article  {status:>3}  {a['url']}  {a['problem']}")
        shown = {f"{d['kind']} {d['url']}: {d['problem']}" for d in report["discovery"] if d["problem"]}
        for reason in report["reasons"]:
            if reason not in shown:  # a discovery URL's own problem is on its line already
                lines.append(f"  ! {reason}")
    return lines
