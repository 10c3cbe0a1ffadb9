"""A Scrapy downloader (the DOWNLOADER setting, Scrapy's own way to another one) whose slots queue (request,
Deferred, when) rather than (request, Deferred): a shape a later Scrapy may give them, which the crawl's stop
(``crawl.stop_fetching``) reads. Scrapy 2.18-2.19's ``_enqueue_request`` and ``_process_queue`` but for the tuple."""
from time import monotonic

from scrapy import signals
from scrapy.core.downloader import Downloader
from scrapy.utils.asyncio import call_later
from scrapy.utils.defer import _schedule_coro, maybe_deferred_to_future
from twisted.internet.defer import Deferred


class ReshapedDownloader(Downloader):
    async def _enqueue_request(self, request):
        key, slot = self._get_slot(request)
        request.meta[self.DOWNLOAD_SLOT] = key
        slot.active.add(request)
        self.signals.send_catch_log(signal=signals.request_reached_downloader, request=request,
                                    spider=self.crawler.spider)
        d = Deferred()
        slot.queue.append((request, d, monotonic()))
        self._process_queue(slot)
        try:
            return await maybe_deferred_to_future(d)
        finally:
            slot.active.remove(request)

    def _process_queue(self, slot):
        if slot.latercall:
            return
        now = monotonic()
        delay = slot.download_delay()
        if delay:
            penalty = delay - now + slot.lastseen
            if penalty > 0:
                slot.latercall = call_later(penalty, self._latercall, slot)
                return
        while slot.queue and slot.free_transfer_slots() > 0:
            slot.lastseen = now
            request, queue_dfd, _ = slot.queue.popleft()
            _schedule_coro(self._wait_for_download(slot, request, queue_dfd))
            if delay:
                self._process_queue(slot)
                break
